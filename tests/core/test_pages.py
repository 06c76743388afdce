"""The home page shows the centre from the database."""

import pytest
from django.utils import translation

from projects.models import FocusArea, Project


@pytest.mark.django_db
def test_home_shows_focus_areas_and_real_projects(client, centre_content):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert response["Content-Language"] == "de"
    titles = list(FocusArea.objects.values_list("title", flat=True))
    assert titles == [
        "Beratung von Kommunen",
        "Kooperationen in der Altmark",
        "Forschung zu Herausforderungen",
        "Netzwerk und Lobbyarbeit",
        "Austausch mit Fachöffentlichkeit",
    ]
    for title in titles:
        assert title in html
    newest = Project.objects.order_by("-start_date").first()
    assert newest.title in html
    assert 'href="#main"' in html  # skip link


@pytest.mark.django_db
def test_home_in_english_uses_english_focus_titles(client, centre_content):
    response = client.get("/en/")
    assert response.status_code == 200
    assert "Counselling municipalities" in response.content.decode()
    translation.activate("de")


@pytest.mark.django_db
def test_project_detail_shows_runtime_funding_and_places(client, centre_content):
    response = client.get("/projekte/demokratiefoerderung-altmark/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "1. September 2017 – 31. Dezember 2019" in html
    assert "abgeschlossen" in html
    assert "Modellprojekt im Bundesprogramm „Demokratie leben!“" in html
    for place in ["Osterburg (Altmark)", "Kalbe (Milde)", "Gardelegen", "Arneburg-Goldbeck"]:
        assert place in html


@pytest.mark.django_db
def test_unknown_project_is_404(client, centre_content):
    assert client.get("/projekte/gibt-es-nicht/").status_code == 404


@pytest.mark.django_db
def test_templates_have_no_inline_script_style_or_handlers(client, centre_content):
    import re

    for url in ["/", "/projekte/", "/projekte/demokratiefoerderung-altmark/"]:
        html = client.get(url).content.decode()
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
        assert re.findall(r"\sstyle=\"", html) == []
        assert re.findall(r"\son[a-z]+=\"", html) == []

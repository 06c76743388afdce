"""`load_content` never undoes an editor's work, and corrected seeds still arrive.

Each test loads the real file, changes the database the way an editor (admin,
shell) or a newer seed file would, loads again and checks what a visitor sees.
"""

from pathlib import Path

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models.fields.files import FieldFile

from kkk_portal.content import DEFAULT_PATH, content_load
from kkk_portal.models import ContentFingerprint, SitePage
from projects.models import Funding, Project
from publications.models import Event
from team.models import TeamMember

SLUG = "demokratiefoerderung-altmark"
SUMMARY = (
    "Kommunale Konfliktberatung in vier Gemeinden im Norden Sachsen-Anhalts: Wie lässt sich "
    "demokratisches Miteinander in strukturschwachen Regionen stärken?"
)


def seed_file(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    """A copy of the real seed file with some of its text replaced (each exactly once)."""
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "centre.toml"
    path.write_text(text, encoding="utf-8")
    return path


def admin_form_data(response) -> dict:
    """The admin change form as the browser would send it back unchanged."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[formset.management_form.add_prefix(name)] = formset.management_form[name].value()
        forms += formset.forms
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or isinstance(value, FieldFile):
                continue
            if isinstance(value, (list, tuple)):
                value = [str(v) for v in value]
            data[form.add_prefix(name)] = value
    return data


@pytest.mark.django_db
def test_a_reload_changes_nothing_not_even_the_edit_time(centre_content):
    before = dict(Project.objects.values_list("slug", "updated_at"))
    report = content_load()
    assert report.created == report.updated == report.kept == {}
    assert dict(Project.objects.values_list("slug", "updated_at")) == before


@pytest.mark.django_db
def test_an_admin_edit_survives_make_run(admin_client, centre_content):
    project = Project.objects.get(slug=SLUG)
    url = f"/admin/projects/project/{project.pk}/change/"
    data = admin_form_data(admin_client.get(url))
    data["summary"] = "Von der Redaktion überarbeitet."
    response = admin_client.post(url, data)
    assert response.status_code == 302

    call_command("load_content", verbosity=0)  # what `make run` does on every start

    assert Project.objects.get(slug=SLUG).summary == "Von der Redaktion überarbeitet."


@pytest.mark.django_db
def test_a_change_outside_the_admin_is_kept_too(client, centre_content):
    Project.objects.filter(slug=SLUG).update(title="Im Shell geändert")
    Funding.objects.filter(project__slug=SLUG).update(programme="Geändertes Programm")
    report = content_load()
    assert report.kept == {"Projekte": 1}
    project = Project.objects.get(slug=SLUG)
    assert project.title == "Im Shell geändert"
    assert list(project.fundings.values_list("programme", flat=True)) == ["Geändertes Programm"]
    assert "Im Shell geändert" in client.get(project.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_corrected_seed_reaches_unedited_records(tmp_path, centre_content):
    path = seed_file(
        tmp_path,
        (SUMMARY, "Korrigierte Kurzbeschreibung."),
        (
            'programme_en = "Model project in the federal programme',
            'notice = "Neuer Hinweis."\nprogramme_en = "Model project in the federal programme',
        ),
    )
    report = content_load(path=path)
    assert report.updated == {"Projekte": 1}
    project = Project.objects.get(slug=SLUG)
    assert project.summary == "Korrigierte Kurzbeschreibung."
    assert list(project.fundings.values_list("notice", flat=True)) == ["Neuer Hinweis."]
    # The others were not touched.
    assert not Project.objects.exclude(slug=SLUG).filter(summary__startswith="Korrigierte").exists()


@pytest.mark.django_db
def test_a_corrected_seed_does_not_override_an_edit(tmp_path, centre_content):
    Project.objects.filter(slug=SLUG).update(summary="Redaktionelle Fassung.")

    report = content_load(path=seed_file(tmp_path, (SUMMARY, "Korrigierte Kurzbeschreibung.")))
    assert report.kept == {"Projekte": 1}
    assert Project.objects.get(slug=SLUG).summary == "Redaktionelle Fassung."


@pytest.mark.django_db
def test_a_deleted_seed_record_stays_deleted(centre_content):
    Event.objects.all().delete()
    report = content_load()
    assert Event.objects.count() == 0
    # The news post about it lost its link to the event: a change, so it is kept too.
    assert report.kept == {"Veranstaltungen": 1, "Neuigkeiten": 1}


@pytest.mark.django_db
def test_reset_restores_the_seed(centre_content):
    Project.objects.filter(slug=SLUG).update(summary="Redaktionelle Fassung.")
    Event.objects.all().delete()
    call_command("load_content", reset=True, verbosity=0)
    assert Project.objects.get(slug=SLUG).summary == SUMMARY
    assert Event.objects.get().speakers.count() == 4


@pytest.mark.django_db
def test_records_loaded_before_fingerprints_keep_their_admin_edits(admin_user, centre_content):
    """An existing database: no fingerprints yet, edits known only from the admin log."""
    ContentFingerprint.objects.all().delete()
    edited = Project.objects.get(slug=SLUG)
    Project.objects.filter(pk=edited.pk).update(summary="Vor langer Zeit im Admin geändert.")
    LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(Project),
        object_id=str(edited.pk),
        object_repr=str(edited),
        action_flag=CHANGE,
    )
    untouched = Project.objects.get(slug="aushandlungsraeume-bautzen")
    Project.objects.filter(pk=untouched.pk).update(summary="Alte Fassung des Seeds.")

    content_load()

    assert Project.objects.get(pk=edited.pk).summary == "Vor langer Zeit im Admin geändert."
    assert Project.objects.get(pk=untouched.pk).summary.startswith(
        "Workshops zur Konfliktbearbeitung"
    )
    # From now on both have fingerprints or are known as edited.
    assert ContentFingerprint.objects.filter(key=f"projects.project:{SLUG}").count() == 0
    assert ContentFingerprint.objects.filter(
        key="projects.project:aushandlungsraeume-bautzen"
    ).exists()


@pytest.mark.django_db
def test_pages_created_by_the_first_migration_get_the_corrected_text(client, centre_content):
    page = SitePage.objects.get(slug="leichte-sprache")
    assert "KKK" not in page.body
    assert "Wir halten zu keiner Seite." in client.get("/leichte-sprache/").content.decode()


@pytest.mark.django_db
def test_no_invented_team_entries_are_loaded(centre_content):
    assert TeamMember.objects.count() == 0

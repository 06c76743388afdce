"""The project filter's fields, written in Python (kkk_portal/filter_html.py), carry the
markup crispy-forms' Bootstrap 5 pack gives the same fields: the same elements,
attributes, classes, texts and selected option, in both languages."""

import pytest
from django.template import engines
from django.test import RequestFactory
from django.utils import translation

from kkk_portal.filter_html import filter_field_html
from projects.models import Project
from projects.views import bind_filter
from tests import html
from tests.factories import FocusAreaFactory, MunicipalityFactory, ProjectFactory

pytestmark = pytest.mark.django_db

CRISPY = engines["django"].from_string("{% load crispy_forms_tags %}{{ field|as_crispy_field }}")


def elements(markup: str) -> list[tuple[str, dict, str]]:
    """Every element in document order: its tag, its attributes (classes as a set), and
    its own text with whitespace collapsed."""
    found = []
    for element in html.doc(markup).find_all(True):
        attrs = {
            name: frozenset(value) if isinstance(value, list) else value
            for name, value in element.attrs.items()
        }
        own_text = " ".join("".join(element.find_all(string=True, recursive=False)).split())
        found.append((element.name, attrs, own_text))
    return found


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize(
    "query", ["", "?state=SN&year=2021&status=laufend&q=Br%C3%BCcken+%22bauen%22&focus_area=x"]
)
def test_each_filter_field_has_crispys_markup(language, query):
    area = FocusAreaFactory(title="Dialog", title_en="Dialogue")
    place = MunicipalityFactory(name="Kartenstadt")
    for _ in range(2):
        project = ProjectFactory()
        project.focus_areas.set([area])
        project.municipalities.set([place])
    with translation.override(language):
        request = RequestFactory().get(f"/projekte/{query}")
        filterset, _ = bind_filter(request.GET, Project.objects.published(), request)
        form = filterset.form
        assert len(form.fields) == 8
        for name in form.fields:
            field = form[name]
            ours = str(filter_field_html(field))
            assert elements(ours) == elements(CRISPY.render({"field": field})), name
        # The one thing crispy has no markup for: suggestions for a text field.
        suggested = str(filter_field_html(form["municipality"], suggestions=["Kartenstadt"]))
    assert html.attrs(suggested, "#id_municipality", "list") == ["id_municipality_suggestions"]
    assert html.attrs(suggested, "datalist#id_municipality_suggestions option", "value") == [
        "Kartenstadt"
    ]
    if query:  # what was chosen is shown; the unknown field of work was dropped
        for name, chosen in [("state", "SN"), ("status", "laufend"), ("focus_area", "")]:
            markup = str(filter_field_html(form[name]))
            assert html.attrs(markup, "option[selected]", "value") == [chosen], name
        assert html.attrs(str(filter_field_html(form["q"])), "input", "value") == [
            'Brücken "bauen"'
        ]

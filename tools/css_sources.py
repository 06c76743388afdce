"""Print the files outside the repository whose markup our public pages can contain.

`make css` hands them to tools/build-css.mjs, which keeps every Bootstrap rule whose
class names occur in them or in our own templates and code. Only what can render is
listed, so that the stylesheet carries no accordion, modal or tab styles that some
crispy-forms layout object we never use would need:

- crispy-forms' Bootstrap 5 templates for a form, its fields, errors and help texts,
  plus the template of every layout object our code imports from crispy-forms;
- the Python code of crispy-forms that puts classes on widgets and buttons;
- django-filter's widget templates and Django's own form and widget templates.

Paths are printed sorted, one per line, so the build sees them in a stable order.
"""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

import crispy_bootstrap5
import crispy_forms
import django
import django_filters

ROOT = Path(__file__).resolve().parent.parent
OWN_CODE = ["kkk_portal", "projects", "publications", "team", "counselling"]
PACK = "bootstrap5"
CRISPY_TEMPLATES = Path(crispy_bootstrap5.__file__).parent / "templates"
# What crispy-forms renders for every form (the {% crispy %} tag and the |crispy and
# |as_crispy_field filters) and every field in it, whatever the layout.
CRISPY_CORE = [
    "whole_uni_form.html",
    "uni_form.html",
    "display_form.html",
    "errors.html",
    "field.html",
    "inputs.html",
    "multifield.html",
    "layout/attrs.html",
    "layout/baseinput.html",
    "layout/field_errors.html",
    "layout/field_errors_block.html",
    "layout/field_file.html",
    "layout/help_text.html",
    "layout/help_text_and_errors.html",
    "layout/radio_checkbox_select.html",
]
CRISPY_MODULES = ("crispy_forms.layout", "crispy_forms.bootstrap", "crispy_bootstrap5.bootstrap5")


def imported_layout_objects() -> set[tuple[str, str]]:
    """(module, name) of every crispy-forms layout object our code imports."""
    found = set()
    for app in OWN_CODE:
        for path in (ROOT / app).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module in CRISPY_MODULES:
                    found.update((node.module, alias.name) for alias in node.names)
    return found


def layout_templates() -> set[str]:
    names = set()
    for module_name, name in imported_layout_objects():
        obj = getattr(importlib.import_module(module_name), name)
        for attribute in ("template", "field_template"):
            template = getattr(obj, attribute, None)
            if isinstance(template, str):
                names.add(template % PACK if "%s" in template else template)
    return names


def main() -> None:
    files = {CRISPY_TEMPLATES / PACK / name for name in CRISPY_CORE}
    files |= {CRISPY_TEMPLATES / name for name in layout_templates()}
    crispy = Path(crispy_forms.__file__).parent
    files |= {crispy / "layout.py", crispy / "templatetags" / "crispy_forms_field.py"}
    files |= set(
        (Path(django_filters.__file__).parent / "templates/django_filters/widgets").glob("*.html")
    )
    files |= set((Path(django.__file__).parent / "forms/templates/django/forms").rglob("*.html"))
    missing = sorted(str(path) for path in files if not path.is_file())
    if missing:
        sys.exit("missing templates: " + ", ".join(missing))
    print("\n".join(sorted(str(path) for path in files)))


if __name__ == "__main__":
    main()

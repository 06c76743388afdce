"""Existing texts of the rich-text fields become HTML.

Plain paragraphs (shown with `linebreaks` until now) and the former page markup
("## " subheadings, "- " lists, bare web and e-mail addresses) are converted with a
frozen copy of the conversion (no import of live application code, so later changes
there cannot change what this migration did). Texts that already contain a tag are
left alone, so running it on converted data changes nothing. The history tables
(simple_history) are converted too, so an old version restores as HTML.
"""

import html as html_lib
import re

import nh3
from django.conf import settings
from django.db import migrations
from django.utils.html import escape, strip_tags, urlize

FIELDS = {
    ("projects", "FocusArea"): ["body", "body_en"],
    ("projects", "Project"): ["description", "description_en"],
    ("publications", "Publication"): ["abstract", "abstract_en"],
    ("publications", "NewsPost"): ["body", "body_en"],
    ("publications", "Event"): ["description", "description_en"],
    ("kkk_portal", "SitePage"): ["body", "body_en"],
}

TAGS = {"p", "br", "h2", "h3", "h4", "strong", "em", "a", "ul", "ol", "li", "blockquote"}
_ANY_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_LINK = re.compile(r'<a href="([^"]*)">')
_HEADING = re.compile(r"^##\s+(?P<text>.+)$")
_ITEM = re.compile(r"^[-*]\s+(?P<text>.+)$")


def _add_rel(match):
    href = html_lib.unescape(match[1])
    site = settings.SITE_URL.rstrip("/")
    internal = (
        href.startswith(("/", "#"))
        or href == site
        or href.startswith((f"{site}/", f"{site}#", f"{site}?"))
    )
    if internal or href.lower().startswith("mailto:"):
        return match[0]
    return f'<a href="{match[1]}" rel="noopener">'


def sanitize(html):
    cleaned = nh3.clean(
        html,
        tags=set(TAGS),
        attributes={"*": set(), "a": {"href"}},  # "*": no generic lang/title
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    ).strip()
    if not strip_tags(cleaned).strip():
        return ""
    return _LINK.sub(_add_rel, cleaned)


def markup_to_html(text):
    """Plain text / the former page markup as HTML (frozen copy, see module docstring)."""
    html, paragraph, items = [], [], []

    def inline(line):
        return urlize(line, autoescape=True)

    def flush():
        if paragraph:
            html.append("<p>" + "<br>".join(inline(p) for p in paragraph) + "</p>")
            paragraph.clear()
        if items:
            html.append("<ul>" + "".join(f"<li>{inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for block in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip()):
        for raw in block.split("\n"):
            line = raw.strip()
            if not line:
                continue
            heading = _HEADING.match(line)
            item = _ITEM.match(line)
            if heading:
                flush()
                html.append(f"<h2>{escape(heading['text'])}</h2>")
            elif item:
                if paragraph:
                    flush()
                items.append(item["text"])
            else:
                if items:
                    flush()
                paragraph.append(line)
        flush()
    return sanitize("".join(html))


def convert(value):
    if not value or _ANY_TAG.search(value):
        return value
    return markup_to_html(value)


def forwards(apps, schema_editor):
    for (app_label, model_name), names in FIELDS.items():
        for name in (model_name, f"Historical{model_name}"):
            try:
                model = apps.get_model(app_label, name)
            except LookupError:  # a model without change history
                continue
            pk = model._meta.pk.attname
            for row in model.objects.values(pk, *names).iterator():
                changes = {}
                for field in names:
                    converted = convert(row[field])
                    if converted != row[field]:
                        changes[field] = converted
                if changes:
                    model.objects.filter(**{pk: row[pk]}).update(**changes)


class Migration(migrations.Migration):
    dependencies = [
        ("kkk_portal", "0007_rich_text"),
        ("projects", "0003_publication_schedule"),
        ("publications", "0003_publication_schedule"),
    ]

    # Backwards: the HTML stays (it is still readable text); nothing to undo.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

"""Site-wide pages staff edit in the admin: legal notices and the easy-read page."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, urlize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .publishing import (
    PublishedQuerySetMixin,
    publish_at_field,
    schedule_constraint,
    unpublish_at_field,
)


class PageSlug(models.TextChoices):
    """The pages the site links to; each has a fixed address (see `urls.py`)."""

    IMPRINT = "impressum", _("Impressum")
    PRIVACY = "datenschutz", _("Datenschutzerklärung")
    ACCESSIBILITY = "barrierefreiheit", _("Erklärung zur Barrierefreiheit")
    EASY_READ = "leichte-sprache", _("Leichte Sprache")


# Pages the law requires on every website: they cannot be drafted, scheduled or expired.
ALWAYS_PUBLIC_PAGES = {PageSlug.IMPRINT, PageSlug.PRIVACY}


class SitePageQuerySet(PublishedQuerySetMixin, models.QuerySet):
    pass


class SitePage(models.Model):
    """A text page such as the imprint. The body is plain text (see `render_body`)."""

    slug = models.SlugField(_("Seite"), max_length=50, unique=True, choices=PageSlug.choices)
    title = models.CharField(_("Titel"), max_length=200)
    title_en = models.CharField(_("Titel (Englisch)"), max_length=200, blank=True)
    body = models.TextField(
        _("Text"),
        help_text=_(
            "Reiner Text. Eine Leerzeile beginnt einen neuen Absatz. "
            "Eine Zeile mit „## “ am Anfang wird eine Zwischenüberschrift, "
            "Zeilen mit „- “ am Anfang werden eine Liste. "
            "Web- und E-Mail-Adressen werden automatisch verlinkt. HTML wird nicht ausgeführt."
        ),
    )
    body_en = models.TextField(_("Text (Englisch)"), blank=True)
    version = models.CharField(
        _("Fassung"),
        max_length=50,
        help_text=_(
            "Stand der Fassung, z. B. „2026-11-01“. Bei jeder inhaltlichen Änderung anpassen."
        ),
    )
    is_published = models.BooleanField(
        _("veröffentlicht"),
        default=True,
        db_index=True,
        help_text=_(
            "Aus: Entwurf, die Adresse antwortet mit „nicht gefunden“. Impressum und "
            "Datenschutzerklärung müssen immer erreichbar sein."
        ),
    )
    publish_at = publish_at_field()
    unpublish_at = unpublish_at_field()
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    history = HistoricalRecords()
    objects = SitePageQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        verbose_name = _("Seite")
        verbose_name_plural = _("Seiten")
        constraints = [schedule_constraint("sitepage_unpublish_after_publish")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("pages:detail", kwargs={"slug": self.slug})

    def clean(self):
        # Every website must offer its imprint (§ 5 DDG) and privacy notice (Art. 13 DSGVO).
        if self.slug not in ALWAYS_PUBLIC_PAGES:
            return
        hidden = (
            not self.is_published
            or (self.publish_at is not None and self.publish_at > timezone.now())
            or self.unpublish_at is not None
        )
        if hidden:
            raise ValidationError(
                _(
                    "Impressum und Datenschutzerklärung sind gesetzlich vorgeschrieben "
                    "und bleiben immer veröffentlicht."
                )
            )

    @classmethod
    def current_version(cls, slug):
        """The version string of a page, or "" before the page exists."""
        return cls.objects.filter(slug=slug).values_list("version", flat=True).first() or ""


class ContentFingerprint(models.Model):
    """What `load_content` last wrote into one seed record (see `kkk_portal/content.py`).

    `digest` is a hash of the record's managed values right after loading. When the
    record still hashes to it, nobody has changed it since, and a corrected seed may
    update it; otherwise an editor changed it and it is left alone.
    """

    key = models.CharField(_("Seed-Schlüssel"), max_length=255, unique=True)
    object_id = models.PositiveBigIntegerField(_("Datensatz-ID"))
    digest = models.CharField(_("Prüfsumme"), max_length=64)
    loaded_at = models.DateTimeField(_("geladen am"), auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("Fingerabdruck geladener Inhalte")
        verbose_name_plural = _("Fingerabdrücke geladener Inhalte")

    def __str__(self):
        return self.key


_HEADING = re.compile(r"^##\s+(?P<text>.+)$")
_ITEM = re.compile(r"^[-*]\s+(?P<text>.+)$")


def _inline(text):
    """Escape a line and link web and e-mail addresses in it."""
    return urlize(text, autoescape=True)


def render_body(text):
    """Plain text to safe HTML: paragraphs, `## ` subheadings (h2) and `- ` lists.

    Everything is escaped first; no HTML from the text reaches the page.
    """
    html = []
    paragraph = []
    items = []

    def flush():
        if paragraph:
            html.append("<p>" + "<br>".join(_inline(p) for p in paragraph) + "</p>")
            paragraph.clear()
        if items:
            html.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
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
    return mark_safe("\n".join(html))  # noqa: S308 - built only from escaped parts

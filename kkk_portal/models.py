"""Text pages editors create in the admin, among them the legal notices and the easy-read page."""

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .publishing import (
    PublishedQuerySetMixin,
    publish_at_field,
    schedule_constraint,
    unpublish_at_field,
)
from .richtext import RichTextField
from .translation import Translated, translated


class PageRole(models.TextChoices):
    """Pages with a protected role: always in the footer, never deleted, fixed address.

    The value is also the page's slug, so the site can link them by role.
    """

    IMPRINT = "impressum", _("Impressum")
    PRIVACY = "datenschutz", _("Datenschutzerklärung")
    ACCESSIBILITY = "barrierefreiheit", _("Erklärung zur Barrierefreiheit")
    EASY_READ = "leichte-sprache", _("Leichte Sprache")


class PageMenu(models.TextChoices):
    MAIN = "haupt", _("Hauptnavigation")
    FOOTER = "fuss", _("Fußzeile")
    NONE = "keine", _("in keinem Menü")


# Pages the law requires on every website: they cannot be drafted, scheduled or expired.
ALWAYS_PUBLIC_PAGES = {PageRole.IMPRINT, PageRole.PRIVACY}

# First path segments a page may not take: served before URL routing (static and
# media files) or a language prefix.
RESERVED_PAGE_SLUGS = {"static", "media", "en", "de"}


class SitePageQuerySet(PublishedQuerySetMixin, models.QuerySet):
    pass


class SitePage(models.Model):
    """A text page editors create: at the site's root or one level below another page.

    The body is rich text (see `kkk_portal.richtext`). Pages with a `role` (the legal pages and
    the easy-read page) are seeded by `load_content` and protected.
    """

    slug = models.SlugField(
        _("Kurzname in der Adresse"),
        max_length=100,
        unique=True,
        help_text=_(
            "Teil der Adresse, z. B. „angebot“ für /angebot/. Nur Kleinbuchstaben, "
            "Ziffern und Bindestriche."
        ),
    )
    role = models.CharField(
        _("Rolle"), max_length=20, choices=PageRole.choices, blank=True, editable=False
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("übergeordnete Seite"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        limit_choices_to={"parent__isnull": True, "role": ""},
        help_text=_("Leer lassen für eine Seite der obersten Ebene. Eine Ebene genügt."),
    )
    menu = models.CharField(
        _("Menü"), max_length=10, choices=PageMenu.choices, default=PageMenu.NONE
    )
    menu_order = models.PositiveSmallIntegerField(
        _("Position im Menü"), default=0, help_text=_("Kleinere Zahlen stehen weiter vorn.")
    )
    title = models.CharField(_("Titel"), max_length=200)
    title_en = models.CharField(_("Titel (Englisch)"), max_length=200, blank=True)
    menu_title = models.CharField(
        _("Kurztitel im Menü"),
        max_length=100,
        blank=True,
        help_text=_("Leer lassen, um den Titel zu zeigen."),
    )
    menu_title_en = models.CharField(_("Kurztitel im Menü (Englisch)"), max_length=100, blank=True)
    body = RichTextField(
        _("Text"),
        help_text=_(
            "Zwischenüberschriften, fett, kursiv, Links, Listen und Zitate. "
            "Farben, Schriften und eigenes HTML werden beim Speichern entfernt."
        ),
    )
    body_en = RichTextField(_("Text (Englisch)"), blank=True)
    version = models.CharField(
        _("Fassung"),
        max_length=50,
        blank=True,
        help_text=_(
            "Stand der Fassung, z. B. „2026-11-01“; erscheint als „Stand“ auf der Seite. "
            "Bei der Datenschutzerklärung gilt sie als Version, der Anfragende zustimmen: "
            "bei jeder inhaltlichen Änderung anpassen."
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
    # PostgreSQL full-text search (search.py): kept current by a database trigger
    # (migration 0009_stored_search_vectors); empty elsewhere.
    search_vector = SearchVectorField(null=True, editable=False)

    history = HistoricalRecords(excluded_fields=["search_vector"])
    objects = SitePageQuerySet.as_manager()

    class Meta:
        ordering = ["menu_order", "title"]
        verbose_name = _("Seite")
        verbose_name_plural = _("Seiten")
        constraints = [
            schedule_constraint("sitepage_unpublish_after_publish"),
            models.UniqueConstraint(
                fields=["role"], condition=~Q(role=""), name="sitepage_one_page_per_role"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        if self.parent_id:
            return reverse("pages:child", kwargs={"parent": self.parent.slug, "slug": self.slug})
        return reverse("pages:detail", kwargs={"slug": self.slug})

    def clean(self):
        errors = {}
        if self.role:
            if self.menu != PageMenu.FOOTER:
                errors["menu"] = _("Diese Pflichtseite bleibt in der Fußzeile.")
            if self.parent_id:
                errors["parent"] = _("Diese Pflichtseite bleibt auf der obersten Ebene.")
        if self.parent_id:
            if self.parent_id == self.pk:
                errors["parent"] = _("Eine Seite kann nicht unter sich selbst stehen.")
            elif self.parent.parent_id:
                errors["parent"] = _("Unterseiten können keine eigenen Unterseiten haben.")
            elif self.pk and SitePage.objects.filter(parent_id=self.pk).exists():
                errors["parent"] = _(
                    "Diese Seite hat Unterseiten und bleibt deshalb auf der obersten Ebene."
                )
            if self.menu != PageMenu.NONE:
                errors["menu"] = _(
                    "Unterseiten stehen in keinem Menü; ihre übergeordnete Seite verlinkt sie."
                )
        if self.slug and not self.parent_id and not self._slug_is_free():
            errors["slug"] = _(
                "Diese Adresse gehört schon zu einem anderen Teil der Website. "
                "Bitte einen anderen Kurznamen wählen."
            )
        if errors:
            raise ValidationError(errors)
        self._clean_always_public()

    def _slug_is_free(self) -> bool:
        """A top-level page must not hide behind another route (e.g. /projekte/)."""
        if self.slug in RESERVED_PAGE_SLUGS:
            return False
        try:
            match = resolve(f"/{self.slug}/")
        except Resolver404:
            return True
        return match.view_name == "pages:detail"

    def _clean_always_public(self):
        # Every website must offer its imprint (§ 5 DDG) and privacy notice (Art. 13 DSGVO).
        if self.role not in ALWAYS_PUBLIC_PAGES:
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

    def menu_label(self) -> Translated:
        """The short menu title where there is one, else the title; German as a fallback."""
        short = translated(self, "menu_title")
        full = translated(self, "title")
        if short.text and not short.fallback:
            return short
        if full.text and not full.fallback:
            return full
        return short if short.text else full

    @classmethod
    def current_version(cls, role):
        """The version string of the page with a role, or "" before the page exists."""
        return cls.objects.filter(role=role).values_list("version", flat=True).first() or ""


class SlugRedirect(models.Model):
    """A former address of a content item: its old slug answers with a 301 (see slugs.py)."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("Inhaltstyp"), on_delete=models.CASCADE
    )
    old_slug = models.SlugField(_("früherer Kurzname"), max_length=200)
    object_id = models.PositiveBigIntegerField(_("Datensatz-ID"))
    created_at = models.DateTimeField(_("angelegt am"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Weiterleitung einer früheren Adresse")
        verbose_name_plural = _("Weiterleitungen früherer Adressen")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "old_slug"], name="slug_redirect_once_per_slug"
            )
        ]

    def __str__(self):
        return f"{self.content_type.model}: {self.old_slug}"


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

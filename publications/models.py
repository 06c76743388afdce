"""What the centre publishes: publications, news and events."""

import os
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kkk_portal.fields import (
    ImageCompanionsMixin,
    ImageField,
    alt_en_field,
    alt_field,
    focus_field,
)
from kkk_portal.publishing import (
    PublishedQuerySetMixin,
    publish_at_field,
    schedule_constraint,
    unpublish_at_field,
)
from kkk_portal.richtext import RichTextField
from kkk_portal.validators import document_validators, image_validators
from projects.models import IS_PUBLISHED_HELP, FocusArea, Project


@dataclass(frozen=True)
class Download:
    """What a visitor needs to know before downloading a file."""

    url: str
    format: str  # e.g. "PDF"
    size: int  # bytes


# Path segments used by other pages under /aktuelles/ and /veranstaltungen/.
NEWS_RESERVED_SLUGS = {"feed", "atom"}
EVENT_RESERVED_SLUGS = {"archiv", "anmeldung"}


class PublishedQuerySet(PublishedQuerySetMixin, models.QuerySet):
    pass


class NewsPostQuerySet(PublishedQuerySet):
    # A post's own date is its publication time: in the future, it is scheduled.
    publish_field = "published_at"


class Publication(ImageCompanionsMixin, models.Model):
    class Kind(models.TextChoices):
        BROCHURE = "broschuere", _("Broschüre")
        REPORT = "bericht", _("Bericht")
        ARTICLE = "artikel", _("Artikel")
        DOCUMENTATION = "dokumentation", _("Dokumentation")
        GUIDE = "handreichung", _("Handreichung")
        OTHER = "sonstige", _("Sonstige")

    title = models.CharField(_("Titel"), max_length=255)
    title_en = models.CharField(_("Titel (Englisch)"), max_length=255, blank=True)
    slug = models.SlugField(_("Kurzname in der Adresse"), max_length=200, unique=True)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, db_index=True)
    date = models.DateField(
        _("Erscheinungsdatum"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Leer lassen, wenn das Datum nicht bekannt ist; dann wird keines angezeigt."),
    )
    authors = models.CharField(_("Autor*innen"), max_length=500, blank=True)
    abstract = RichTextField(_("Zusammenfassung"))
    abstract_en = RichTextField(_("Zusammenfassung (Englisch)"), blank=True)
    file = models.FileField(
        _("Datei"), upload_to="publications/", blank=True, validators=document_validators
    )
    cover = ImageField(
        _("Titelbild"),
        upload_to="publications/covers/",
        blank=True,
        validators=image_validators,
        crop_ratio=(5, 7),
    )
    cover_alt = alt_field()
    cover_alt_en = alt_en_field()
    cover_focus_x = focus_field("x")
    cover_focus_y = focus_field("y")
    projects = models.ManyToManyField(
        Project, verbose_name=_("Projekte"), blank=True, related_name="publications"
    )
    focus_areas = models.ManyToManyField(
        FocusArea, verbose_name=_("Arbeitsfelder"), blank=True, related_name="publications"
    )
    is_published = models.BooleanField(
        _("veröffentlicht"), default=True, db_index=True, help_text=IS_PUBLISHED_HELP
    )
    publish_at = publish_at_field()
    unpublish_at = unpublish_at_field()
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    # PostgreSQL full-text search (kkk_portal/search.py): kept current by a database
    # trigger (migration 0006_search_vector), so bulk writes are covered; empty elsewhere.
    search_vector = SearchVectorField(null=True, editable=False)
    history = HistoricalRecords(excluded_fields=["search_vector"])
    objects = PublishedQuerySet.as_manager()

    class Meta:
        ordering = [F("date").desc(nulls_last=True), "title"]
        verbose_name = _("Publikation")
        verbose_name_plural = _("Publikationen")
        indexes = [models.Index(fields=["is_published", "-date"])]
        constraints = [schedule_constraint("publication_unpublish_after_publish")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("publications:detail", kwargs={"slug": self.slug})

    @property
    def download(self):
        """The attached file with format and size, or None if there is none (or it is lost)."""
        if not self.file:
            return None
        try:
            size = self.file.size
        except OSError:  # the record points at a file that is no longer stored
            return None
        extension = os.path.splitext(self.file.name)[1].lstrip(".").upper()
        return Download(url=self.file.url, format=extension or "?", size=size)


class NewsPost(ImageCompanionsMixin, models.Model):
    title = models.CharField(_("Titel"), max_length=255)
    title_en = models.CharField(_("Titel (Englisch)"), max_length=255, blank=True)
    slug = models.SlugField(_("Kurzname in der Adresse"), max_length=200, unique=True)
    published_at = models.DateTimeField(
        _("Veröffentlicht am"),
        default=timezone.now,
        db_index=True,
        help_text=_(
            "Das angezeigte Datum und zugleich der Zeitpunkt der Veröffentlichung: "
            "liegt er in der Zukunft, bleibt die Neuigkeit bis dahin verborgen."
        ),
    )
    teaser = models.TextField(_("Anreißer"), max_length=500)
    teaser_en = models.TextField(_("Anreißer (Englisch)"), max_length=500, blank=True)
    body = RichTextField(_("Text"))
    body_en = RichTextField(_("Text (Englisch)"), blank=True)
    image = ImageField(
        _("Bild"), upload_to="news/", blank=True, validators=image_validators, crop_ratio=(16, 9)
    )
    image_alt = alt_field()
    image_alt_en = alt_en_field()
    image_focus_x = focus_field("x")
    image_focus_y = focus_field("y")
    event = models.ForeignKey(
        "Event",
        verbose_name=_("Veranstaltung"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="news_posts",
        help_text=_("Die Veranstaltung, von der die Neuigkeit berichtet."),
    )
    projects = models.ManyToManyField(
        Project, verbose_name=_("Projekte"), blank=True, related_name="news"
    )
    focus_areas = models.ManyToManyField(
        FocusArea, verbose_name=_("Arbeitsfelder"), blank=True, related_name="news"
    )
    is_published = models.BooleanField(
        _("veröffentlicht"), default=True, db_index=True, help_text=IS_PUBLISHED_HELP
    )
    unpublish_at = unpublish_at_field()
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    # PostgreSQL full-text search (kkk_portal/search.py): kept current by a database
    # trigger (migration 0006_search_vector), so bulk writes are covered; empty elsewhere.
    search_vector = SearchVectorField(null=True, editable=False)
    history = HistoricalRecords(excluded_fields=["search_vector"])
    objects = NewsPostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("Neuigkeit")
        verbose_name_plural = _("Neuigkeiten")
        constraints = [schedule_constraint("newspost_unpublish_after_publish", "published_at")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("publications:news_detail", kwargs={"slug": self.slug})

    def clean(self):
        if self.slug in NEWS_RESERVED_SLUGS:
            raise ValidationError(
                {"slug": _("Dieser Kurzname ist für eine andere Seite reserviert.")}
            )


class RegistrationState(models.TextChoices):
    """What the event page says about registering (see `Event.registration_state`)."""

    NOT_OFFERED = "not_offered", _("keine Anmeldung über das Portal")
    NOT_YET_OPEN = "not_yet_open", _("Anmeldung noch nicht geöffnet")
    OPEN = "open", _("Anmeldung offen")
    WAITING_LIST = "waiting_list", _("ausgebucht, Warteliste offen")
    FULL = "full", _("ausgebucht")
    CLOSED = "closed", _("Anmeldung geschlossen")
    PAST = "past", _("Veranstaltung vorbei")


class EventQuerySet(PublishedQuerySet):
    def published(self, now=None):
        # Example events (development demo data) are public only while DEBUG is on.
        published = super().published(now)
        return published if settings.DEBUG else published.exclude(is_example=True)

    def upcoming(self, now=None):
        return self.filter(end__gte=now or timezone.now()).order_by("start")

    def past(self, now=None):
        return self.filter(end__lt=now or timezone.now()).order_by("-start")


class Event(models.Model):
    title = models.CharField(_("Titel"), max_length=255)
    title_en = models.CharField(_("Titel (Englisch)"), max_length=255, blank=True)
    slug = models.SlugField(_("Kurzname in der Adresse"), max_length=200, unique=True)
    start = models.DateTimeField(_("Beginn"), db_index=True)
    end = models.DateTimeField(_("Ende"), db_index=True)
    organiser = models.CharField(_("Veranstalter"), max_length=255, blank=True)
    teaser = models.TextField(_("Anreißer"), max_length=500)
    teaser_en = models.TextField(_("Anreißer (Englisch)"), max_length=500, blank=True)
    description = RichTextField(_("Beschreibung"), blank=True)
    description_en = RichTextField(_("Beschreibung (Englisch)"), blank=True)
    is_online = models.BooleanField(_("online"), default=False)
    venue = models.CharField(_("Veranstaltungsort"), max_length=255, blank=True)
    address = models.CharField(_("Adresse"), max_length=255, blank=True)
    is_free = models.BooleanField(_("kostenfrei"), default=True)
    cost = models.CharField(
        _("Kosten"), max_length=255, blank=True, help_text=_("Nur wenn nicht kostenfrei.")
    )
    registration_info = models.TextField(_("Anmeldung"), blank=True)
    registration_url = models.URLField(_("Anmeldelink"), blank=True)
    # Registration through the portal (double opt-in); the two fields above stay for
    # registrations elsewhere.
    registration_enabled = models.BooleanField(
        _("Anmeldung über das Portal"),
        default=False,
        help_text=_(
            "Besucher*innen melden sich auf der Veranstaltungsseite an und bestätigen "
            "die Anmeldung über einen Link per E-Mail."
        ),
    )
    registration_opens_at = models.DateTimeField(
        _("Anmeldung ab"), null=True, blank=True, help_text=_("Leer lassen: sofort.")
    )
    registration_closes_at = models.DateTimeField(
        _("Anmeldung bis"),
        null=True,
        blank=True,
        help_text=_("Leer lassen: bis zum Beginn der Veranstaltung."),
    )
    capacity = models.PositiveIntegerField(
        _("Plätze"), null=True, blank=True, help_text=_("Leer lassen: unbegrenzt.")
    )
    waiting_list_enabled = models.BooleanField(
        _("Warteliste"),
        default=True,
        help_text=_(
            "Wenn alle Plätze vergeben sind, kommen weitere Anmeldungen auf eine Warteliste."
        ),
    )
    ask_organisation = models.BooleanField(_("nach der Organisation fragen"), default=False)
    ask_accessibility = models.BooleanField(
        _("nach Bedarfen für Barrierefreiheit fragen"), default=False
    )
    online_access_link = models.URLField(
        _("Zugangslink (online)"),
        max_length=500,
        blank=True,
        help_text=_(
            "Vertraulich: nur in den E-Mails an bestätigte Teilnehmende, nie auf der "
            "Website, im Kalender oder in Feeds."
        ),
    )
    projects = models.ManyToManyField(
        Project, verbose_name=_("Projekte"), blank=True, related_name="events"
    )
    focus_areas = models.ManyToManyField(
        FocusArea, verbose_name=_("Arbeitsfelder"), blank=True, related_name="events"
    )
    is_published = models.BooleanField(
        _("veröffentlicht"), default=True, db_index=True, help_text=IS_PUBLISHED_HELP
    )
    publish_at = publish_at_field()
    unpublish_at = unpublish_at_field()
    is_example = models.BooleanField(
        _("Beispiel"),
        default=False,
        editable=False,
        help_text=_("Erfundene Beispielveranstaltung (Entwicklung); öffentlich nur mit DEBUG."),
    )
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    # PostgreSQL full-text search (kkk_portal/search.py): kept current by a database
    # trigger (migration 0006_search_vector), so bulk writes are covered; empty elsewhere.
    search_vector = SearchVectorField(null=True, editable=False)
    history = HistoricalRecords(excluded_fields=["online_access_link", "search_vector"])
    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-start"]
        verbose_name = _("Veranstaltung")
        verbose_name_plural = _("Veranstaltungen")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="event_end_not_before_start",
                violation_error_message=_("Das Ende darf nicht vor dem Beginn liegen."),
            ),
            schedule_constraint("event_unpublish_after_publish"),
            models.CheckConstraint(
                condition=Q(registration_closes_at__isnull=True)
                | Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__gt=F("registration_opens_at")),
                name="event_registration_closes_after_opening",
                violation_error_message=_("Die Anmeldung muss nach ihrem Beginn enden."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("publications:event_detail", kwargs={"slug": self.slug})

    @property
    def is_past(self):
        return self.end < timezone.now()

    @property
    def is_single_day(self):
        tz = timezone.get_current_timezone()
        return timezone.localtime(self.start, tz).date() == timezone.localtime(self.end, tz).date()

    def registration_state(self, *, confirmed: int, now: datetime | None = None) -> str:
        """Whether a visitor can register now, given the number of `confirmed` seats."""
        now = now or timezone.now()
        if not self.registration_enabled:
            return RegistrationState.NOT_OFFERED
        if self.start <= now:
            return RegistrationState.PAST
        if self.registration_closes_at and self.registration_closes_at <= now:
            return RegistrationState.CLOSED
        if self.registration_opens_at and self.registration_opens_at > now:
            return RegistrationState.NOT_YET_OPEN
        if self.capacity is not None and confirmed >= self.capacity:
            return (
                RegistrationState.WAITING_LIST
                if self.waiting_list_enabled
                else RegistrationState.FULL
            )
        return RegistrationState.OPEN

    def clean(self):
        errors = {}
        if self.slug in EVENT_RESERVED_SLUGS:
            errors["slug"] = _("Dieser Kurzname ist für eine andere Seite reserviert.")
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("Das Ende darf nicht vor dem Beginn liegen.")
        if not self.is_online and not self.venue:
            errors["venue"] = _(
                "Bitte einen Ort angeben oder die Veranstaltung als online markieren."
            )
        if not self.is_free and not self.cost:
            errors["cost"] = _("Bitte die Kosten angeben oder „kostenfrei“ wählen.")
        if (
            self.registration_opens_at
            and self.registration_closes_at
            and self.registration_closes_at <= self.registration_opens_at
        ):
            errors["registration_closes_at"] = _("Die Anmeldung muss nach ihrem Beginn enden.")
        if self.registration_enabled and self.registration_url:
            errors["registration_url"] = _(
                "Entweder Anmeldung über das Portal oder ein Anmeldelink, nicht beides."
            )
        if errors:
            raise ValidationError(errors)


def registration_token() -> str:
    return secrets.token_urlsafe(32)


class Registration(models.Model):
    """One person's registration for an event through the portal (double opt-in).

    Only a confirmed registration takes a seat. Personal fields are blanked by
    `services.registrations_anonymise_due` after the event; the row stays, so the
    counts (confirmed, attended) survive.
    """

    class Status(models.TextChoices):
        PENDING = "unbestaetigt", _("wartet auf Bestätigung")
        CONFIRMED = "bestaetigt", _("bestätigt")
        WAITING = "warteliste", _("Warteliste")
        CANCELLED = "abgemeldet", _("abgemeldet")

    event = models.ForeignKey(
        Event,
        verbose_name=_("Veranstaltung"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    name = models.CharField(_("Name"), max_length=200)
    email = models.EmailField(_("E-Mail-Adresse"), max_length=254)
    organisation = models.CharField(_("Organisation"), max_length=255, blank=True)
    accessibility_needs = models.TextField(
        _("Bedarfe für Barrierefreiheit"), max_length=1000, blank=True
    )
    language = models.CharField(_("Sprache"), max_length=8, default="de")
    status = models.CharField(
        _("Status"),
        max_length=20,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
    )
    # One secret per registration: the links to confirm and to cancel carry it.
    token = models.CharField(max_length=64, unique=True, default=registration_token, editable=False)
    consent_notice_version = models.CharField(_("Fassung der Datenschutzhinweise"), max_length=40)
    consent_at = models.DateTimeField(_("eingewilligt am"))
    created_at = models.DateTimeField(_("angemeldet am"), default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(_("bestätigt am"), null=True, blank=True)
    seated_at = models.DateTimeField(_("Platz seit"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("abgemeldet am"), null=True, blank=True)
    attended = models.BooleanField(_("teilgenommen"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("Erinnerung gesendet am"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymisiert am"), null=True, blank=True)

    class Meta:
        ordering = ["event", "created_at", "pk"]
        verbose_name = _("Anmeldung")
        verbose_name_plural = _("Anmeldungen")
        constraints = [
            # One registration per address and event; a cancelled one does not count,
            # so whoever cancelled may register again.
            models.UniqueConstraint(
                "event",
                Lower("email"),
                condition=~Q(status="abgemeldet") & Q(anonymised_at__isnull=True),
                name="unique_active_registration_per_event_email",
                violation_error_message=_(
                    "Mit dieser E-Mail-Adresse besteht schon eine Anmeldung."
                ),
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "confirmed_at"])]

    def __str__(self):
        return f"{self.name} – {self.event}"

    @property
    def related_key(self) -> str:
        return f"publications.registration:{self.pk}"


class Speaker(models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="speakers", verbose_name=_("Veranstaltung")
    )
    name = models.CharField(_("Name"), max_length=200)
    role = models.CharField(_("Funktion"), max_length=255, blank=True)
    role_en = models.CharField(_("Funktion (Englisch)"), max_length=255, blank=True)
    organisation = models.CharField(_("Organisation"), max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("Referent*in")
        verbose_name_plural = _("Referent*innen")
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="unique_speaker_per_event"),
        ]

    def __str__(self):
        return self.name

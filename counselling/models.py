"""Counselling requests from municipalities and the confidential cases they become.

Everything here is personal and sensitive. Who may see what is enforced in
`admin.py` (querysets and permission methods) and in the views serving files.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kkk_portal.enums import BodyKind, Bundesland
from projects.models import Municipality, Project


class Topic(models.Model):
    """A theme a request or case is about; the list is edited by staff."""

    name = models.CharField(_("Name"), max_length=200, unique=True)
    name_en = models.CharField(_("Name (Englisch)"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    is_active = models.BooleanField(_("im Formular anbieten"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("Thema")
        verbose_name_plural = _("Themen")

    def __str__(self):
        return self.name


class ConflictType(models.TextChoices):
    ACUTE = "akut", _("akut")
    LATENT = "latent", _("latent")
    UNCLEAR = "unklar", _("noch unklar")


class CounsellingRequest(models.Model):
    class Status(models.TextChoices):
        NEW = "neu", _("neu")
        IN_REVIEW = "in_pruefung", _("in Prüfung")
        ACCEPTED = "angenommen", _("angenommen")
        DECLINED = "abgelehnt", _("abgelehnt")
        SPAM = "spam", _("Spam")

    class ContactPreference(models.TextChoices):
        EMAIL = "email", _("E-Mail")
        PHONE = "telefon", _("Telefon")
        EITHER = "egal", _("egal")

    class Urgency(models.TextChoices):
        LOW = "niedrig", _("kann warten (innerhalb von Monaten)")
        MEDIUM = "mittel", _("bald (innerhalb von Wochen)")
        HIGH = "hoch", _("dringend (innerhalb von Tagen)")

    reference = models.CharField(_("Eingangsnummer"), max_length=20, unique=True)
    status = models.CharField(
        _("Status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    institution = models.CharField(_("Institution"), max_length=255)
    body_kind = models.CharField(_("Art der Körperschaft"), max_length=20, choices=BodyKind.choices)
    state = models.CharField(_("Bundesland"), max_length=2, choices=Bundesland.choices)
    contact_name = models.CharField(_("Ansprechperson"), max_length=200)
    contact_role = models.CharField(_("Funktion"), max_length=200, blank=True)
    email = models.EmailField(_("E-Mail"))
    phone = models.CharField(_("Telefon"), max_length=50, blank=True)
    contact_preference = models.CharField(
        _("Bevorzugter Kontaktweg"),
        max_length=10,
        choices=ContactPreference.choices,
        default=ContactPreference.EMAIL,
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("Themen"), blank=True)
    situation = models.TextField(_("Situation"), max_length=5000)
    conflict_type = models.CharField(
        _("Konfliktlage"), max_length=10, choices=ConflictType.choices, default=ConflictType.UNCLEAR
    )
    urgency = models.CharField(
        _("Dringlichkeit"), max_length=10, choices=Urgency.choices, default=Urgency.MEDIUM
    )
    heard_from = models.CharField(_("Aufmerksam geworden durch"), max_length=255, blank=True)
    consent_notice_version = models.CharField(
        _("Version der Datenschutzhinweise"),
        max_length=50,
        help_text=_("Die Fassung, der bei der Anfrage zugestimmt wurde."),
    )
    consent_at = models.DateTimeField(_("Einwilligung erteilt am"), null=True, blank=True)
    created_at = models.DateTimeField(_("eingegangen am"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)
    anonymised_at = models.DateTimeField(_("anonymisiert am"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Beratungsanfrage")
        verbose_name_plural = _("Beratungsanfragen")
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self):
        return f"{self.reference} – {self.institution}"


class Case(models.Model):
    class Status(models.TextChoices):
        REQUEST = "anfrage", _("Anfrage")
        FIRST_TALK = "erstgespraech", _("Erstgespräch")
        CLARIFICATION = "auftragsklaerung", _("Auftragsklärung")
        COUNSELLING = "beratung", _("Beratung")
        CLOSED = "abschluss", _("Abschluss")
        DECLINED = "abgelehnt", _("Abgelehnt")

    reference = models.CharField(_("Aktenzeichen"), max_length=20, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(_("Jahr"), editable=False)
    number = models.PositiveIntegerField(_("laufende Nummer"), editable=False)
    request = models.OneToOneField(
        CounsellingRequest,
        verbose_name=_("Anfrage"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="case",
    )
    title = models.CharField(_("Titel"), max_length=255)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("Kommune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    state = models.CharField(
        _("Bundesland"), max_length=2, choices=Bundesland.choices, blank=True, db_index=True
    )
    body_kind = models.CharField(
        _("Art der Körperschaft"), max_length=20, choices=BodyKind.choices, blank=True
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("Themen"), blank=True)
    conflict_type = models.CharField(
        _("Konfliktlage"), max_length=10, choices=ConflictType.choices, default=ConflictType.UNCLEAR
    )
    status = models.CharField(
        _("Status"), max_length=20, choices=Status.choices, default=Status.REQUEST, db_index=True
    )
    lead_counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Federführung"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_cases",
    )
    counsellors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Berater*innen"),
        blank=True,
        related_name="assigned_cases",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("Finanzierendes Projekt"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    start_date = models.DateField(_("Beginn"), null=True, blank=True)
    end_date = models.DateField(_("Ende"), null=True, blank=True)
    outcome = models.TextField(_("Ergebnis"), blank=True)
    created_at = models.DateTimeField(_("angelegt am"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-number"]
        verbose_name = _("Fall")
        verbose_name_plural = _("Fälle")
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="unique_case_number_per_year"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="case_end_not_before_start",
                violation_error_message=_("Das Ende darf nicht vor dem Beginn liegen."),
            ),
        ]

    def __str__(self):
        return f"{self.reference} – {self.title}"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("Das Ende darf nicht vor dem Beginn liegen.")})

    @staticmethod
    def format_reference(year, number):
        return f"KKB-{year}-{number:04d}"


class Activity(models.Model):
    class Kind(models.TextChoices):
        TALK = "gespraech", _("Gespräch")
        WORKSHOP = "workshop", _("Workshop")
        NETWORK_ANALYSIS = "netzwerkanalyse", _("Netzwerkanalyse")
        SITUATION_ANALYSIS = "situationsanalyse", _("Situationsanalyse")
        MODERATION = "moderation", _("Moderation")
        TRAINING = "qualifizierung", _("Qualifizierung")
        OTHER = "sonstige", _("Sonstige")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="activities", verbose_name=_("Fall")
    )
    date = models.DateField(_("Datum"), default=timezone.localdate)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    participants = models.PositiveIntegerField(_("Teilnehmende"), default=0)
    note = models.TextField(_("Notiz"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erfasst von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("Aktivität")
        verbose_name_plural = _("Aktivitäten")
        indexes = [models.Index(fields=["case", "date"])]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.date:%d.%m.%Y})"

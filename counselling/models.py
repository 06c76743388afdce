"""Counselling requests from municipalities and the confidential cases they become.

Everything here is personal and sensitive. Who may see what is enforced in
`admin.py` (querysets and permission methods) and in the views serving files.
"""

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.signals import post_delete, pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kkk_portal.enums import BodyKind, Bundesland
from kkk_portal.storage import private_storage
from kkk_portal.validators import document_validators
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
        # One status concept: a request is open until it becomes a case, is withdrawn
        # by the requester, declined or marked as spam. The case then has its own
        # workflow (Case.Status); the request does not track it a second time.
        NEW = "neu", _("offen")
        CASE = "fall", _("Fall angelegt")
        WITHDRAWN = "zurueckgezogen", _("zurückgezogen")
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
    involved = models.TextField(
        _("Beteiligte"),
        max_length=1000,
        blank=True,
        help_text=_("Wer ist an dem Konflikt beteiligt?"),
    )
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
    withdrawn_at = models.DateTimeField(_("zurückgezogen am"), null=True, blank=True)
    language = models.CharField(
        _("Sprache"),
        max_length=8,
        blank=True,
        help_text=_("Sprache der Anfrage; Mails an Anfragende gehen in ihr hinaus."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Beratungsanfrage")
        verbose_name_plural = _("Beratungsanfragen")
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self):
        # Only the reference, as for cases: __str__ is copied into the admin's log.
        return self.reference

    def get_absolute_url(self):
        # Requests have no public page; their home is the back office.
        return reverse("admin:counselling_counsellingrequest_change", args=[self.pk])


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Cases a person may open: all for Leitung, assigned ones for counsellors."""
        if not (user.is_active and user.is_staff):
            return self.none()
        if user.has_perm("counselling.view_all_cases"):
            return self
        if not user.has_perm("counselling.view_case"):
            return self.none()
        return self.filter(Q(lead_counsellor=user) | Q(counsellors=user)).distinct()


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
    follow_up_on = models.DateField(_("Wiedervorlage am"), null=True, blank=True, db_index=True)
    follow_up_note = models.CharField(_("Wiedervorlage: Notiz"), max_length=255, blank=True)
    # The day the lead counsellor was last reminded of the follow-up (once per date).
    follow_up_notified_on = models.DateField(
        _("Wiedervorlage gemeldet am"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("angelegt am"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)
    anonymised_at = models.DateTimeField(_("anonymisiert am"), null=True, blank=True)

    history = HistoricalRecords()
    objects = CaseQuerySet.as_manager()

    # Allowed status transitions: forward one step at a time, or decline any open case.
    TRANSITIONS = {
        Status.REQUEST: {Status.FIRST_TALK, Status.DECLINED},
        Status.FIRST_TALK: {Status.CLARIFICATION, Status.DECLINED},
        Status.CLARIFICATION: {Status.COUNSELLING, Status.DECLINED},
        Status.COUNSELLING: {Status.CLOSED, Status.DECLINED},
        Status.CLOSED: set(),
        Status.DECLINED: set(),
    }

    class Meta:
        ordering = ["-year", "-number"]
        verbose_name = _("Fall")
        verbose_name_plural = _("Fälle")
        permissions = [
            ("view_all_cases", _("Kann alle Fälle sehen, nicht nur die eigenen")),
            ("view_statistics", _("Kann Statistik, Export und Förderbericht sehen")),
        ]
        # Sortable columns and "occurring values" filters of the admin list (100,000 cases).
        indexes = [
            models.Index(fields=["title"], name="case_title_idx"),
            models.Index(fields=["start_date"], name="case_start_date_idx"),
            models.Index(fields=["conflict_type"], name="case_conflict_type_idx"),
        ]
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
        # Only the reference: the title may name people or places, and __str__ ends
        # up in the admin's log entries, "recent actions", autocomplete and messages.
        return self.reference

    def get_absolute_url(self):
        return reverse("admin:counselling_case_change", args=[self.pk])

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("Das Ende darf nicht vor dem Beginn liegen.")})

    @staticmethod
    def format_reference(year, number):
        return f"KKB-{year}-{number:04d}"

    def allowed_next_statuses(self):
        return sorted(self.TRANSITIONS[Case.Status(self.status)], key=list(Case.Status).index)

    def can_change_status_to(self, status):
        return status in self.TRANSITIONS[Case.Status(self.status)]

    @property
    def is_open(self):
        return bool(self.TRANSITIONS[Case.Status(self.status)])


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
    start_time = models.TimeField(_("Beginn (Uhrzeit)"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(_("Dauer in Minuten"), null=True, blank=True)
    place = models.CharField(_("Ort"), max_length=255, blank=True)
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


class CaseNumberSequence(models.Model):
    """Last case number handed out per year; its row is locked while a number is drawn."""

    year = models.PositiveSmallIntegerField(_("Jahr"), unique=True)
    last_number = models.PositiveIntegerField(_("zuletzt vergebene Nummer"), default=0)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("Aktenzeichen-Zähler")
        verbose_name_plural = _("Aktenzeichen-Zähler")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class CaseStatusChange(models.Model):
    """One step in a case's status workflow."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("Fall")
    )
    from_status = models.CharField(_("von"), max_length=20, choices=Case.Status.choices, blank=True)
    to_status = models.CharField(_("nach"), max_length=20, choices=Case.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("geändert von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("geändert am"), default=timezone.now)

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = _("Statuswechsel")
        verbose_name_plural = _("Statuswechsel")

    def __str__(self):
        return f"{self.get_from_status_display() or '–'} → {self.get_to_status_display()}"


def get_private_storage():
    """STORAGES["private"] (PRIVATE_MEDIA_ROOT or a private S3 bucket); see kkk_portal.storage."""
    return private_storage


def case_document_path(instance, filename):
    return f"cases/{instance.case_id}/{filename}"


class CaseDocument(models.Model):
    class Kind(models.TextChoices):
        AGREEMENT = "vereinbarung", _("Vereinbarung")
        MINUTES = "protokoll", _("Protokoll")
        REPORT = "bericht", _("Bericht")
        ANALYSIS = "analyse", _("Analyse")
        OTHER = "sonstiges", _("Sonstiges")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="documents", verbose_name=_("Fall")
    )
    title = models.CharField(_("Titel"), max_length=255)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(
        _("Datei"),
        upload_to=case_document_path,
        storage=get_private_storage,
        validators=document_validators,
        max_length=255,
        help_text=_("PDF, ODT, DOCX, XLSX, ODS, PPTX, ODP oder TXT, höchstens 25 MB."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hochgeladen von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("hochgeladen am"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-uploaded_at", "pk"]
        verbose_name = _("Dokument")
        verbose_name_plural = _("Dokumente")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("counselling:document", args=[self.pk])

    @property
    def filename(self):
        return os.path.basename(self.file.name)


def _delete_file_after_commit(file):
    name, storage = file.name, file.storage
    if name:
        # Only once the deletion is committed: a rollback keeps row and file together.
        transaction.on_commit(lambda: storage.delete(name))


@receiver(post_delete, sender=CaseDocument, dispatch_uid="casedocument_file_delete")
def _case_document_deleted(sender, instance, **kwargs):
    """A deleted document (in the admin, by anonymisation or cascade) leaves no file behind."""
    _delete_file_after_commit(instance.file)


@receiver(pre_save, sender=CaseDocument, dispatch_uid="casedocument_file_replace")
def _case_document_replaced(sender, instance, **kwargs):
    """A document given a new file drops the old one."""
    if not instance.pk:
        return
    old = CaseDocument.objects.filter(pk=instance.pk).values_list("file", flat=True).first()
    if old and old != instance.file.name:
        _delete_file_after_commit(CaseDocument(file=old).file)


class CaseAccessLog(models.Model):
    """Who opened which case or request, and how (admin page, document, version, export)."""

    class Via(models.TextChoices):
        ADMIN = "admin", _("Fallansicht")
        DOCUMENT = "dokument", _("Dokument")
        HISTORY = "verlauf", _("Frühere Fassung")
        REQUEST = "anfrage", _("Anfrage")
        EXPORT = "export", _("Export")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Person"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("Fall"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="access_logs",
    )
    case_reference = models.CharField(_("Aktenzeichen"), max_length=20)
    via = models.CharField(_("Zugriff über"), max_length=10, choices=Via.choices)
    detail = models.CharField(_("Detail"), max_length=255, blank=True)
    at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("Fallzugriff")
        verbose_name_plural = _("Fallzugriffe")

    def __str__(self):
        return f"{self.user} – {self.case_reference} ({self.at:%d.%m.%Y %H:%M})"


class OutboxMessage(models.Model):
    """An email waiting to be sent; written in the same transaction as what it is about."""

    class Status(models.TextChoices):
        PENDING = "wartend", _("wartet")
        SENT = "gesendet", _("gesendet")
        FAILED = "fehlgeschlagen", _("fehlgeschlagen")

    class Kind(models.TextChoices):
        CONFIRMATION = "bestaetigung", _("Eingangsbestätigung")
        NOTIFICATION = "benachrichtigung", _("Benachrichtigung der Beratungsstelle")
        REPLY = "antwort", _("Antwort an Anfragende")
        STAFF = "mitarbeitende", _("Hinweis an Mitarbeitende")
        CONTACT_CONFIRMATION = "kontakt_eingang", _("Kontaktanfrage: Eingangsbestätigung")
        CONTACT_NOTIFICATION = "kontakt_hinweis", _("Kontaktanfrage: Benachrichtigung")
        CONTACT_REPLY = "kontakt_antwort", _("Kontaktanfrage: Antwort")
        REGISTRATION = "anmeldung", _("Veranstaltungsanmeldung")
        REMINDER = "erinnerung", _("Erinnerung an eine Veranstaltung")
        ANNOUNCEMENT = "rundmail", _("Nachricht an Teilnehmende")

    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    request = models.ForeignKey(
        CounsellingRequest,
        verbose_name=_("Anfrage"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    case = models.ForeignKey(
        "Case",
        verbose_name=_("Fall"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    # What else a mail is about, as "<app_label>.<model>:<pk>" (a contact request, an
    # event registration), so retention and exports find every copy of personal data.
    related_key = models.CharField(_("Bezug"), max_length=64, blank=True, db_index=True)
    to = models.CharField(_("an"), max_length=254)
    subject = models.CharField(_("Betreff"), max_length=255)
    body = models.TextField(_("Text"))
    # One optional attachment, stored as text (e.g. an event as text/calendar).
    attachment_name = models.CharField(_("Anhang: Dateiname"), max_length=100, blank=True)
    attachment_type = models.CharField(_("Anhang: Typ"), max_length=100, blank=True)
    attachment_content = models.TextField(_("Anhang: Inhalt"), blank=True)
    status = models.CharField(
        _("Status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    tries = models.PositiveSmallIntegerField(_("Versuche"), default=0)
    last_error = models.TextField(_("letzter Fehler"), blank=True)
    sent_at = models.DateTimeField(_("gesendet am"), null=True, blank=True)
    created_at = models.DateTimeField(_("angelegt am"), default=timezone.now, db_index=True)
    # When the worker may (next) try this message. A worker claiming it moves this
    # forward by a lease (OUTBOX_CLAIM_SECONDS), so no other worker takes it meanwhile;
    # after a failure it is moved by the back-off (OUTBOX_RETRY_BASE_SECONDS · 2^(tries-1)).
    next_attempt_at = models.DateTimeField(
        _("nächster Versuch ab"), default=timezone.now, db_index=True
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Ausgehende E-Mail")
        verbose_name_plural = _("Ausgehende E-Mails")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="gesendet") | Q(sent_at__isnull=False),
                name="outbox_sent_has_sent_at",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subject}"


class Job(models.Model):
    """Background work other than mail, done by `run_worker` (e.g. image renditions).

    Mail has its own queue (`OutboxMessage`, which also keeps what was sent); this
    small table holds the rest. `key` says what to work on (for renditions the
    storage name of the image); a job for the same kind and key is queued only once.
    """

    class Kind(models.TextChoices):
        RENDITIONS = "renditions", _("Bildvarianten erzeugen")

    class Status(models.TextChoices):
        PENDING = "wartend", _("wartet")
        DONE = "erledigt", _("erledigt")
        FAILED = "fehlgeschlagen", _("fehlgeschlagen")

    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    key = models.CharField(_("Schlüssel"), max_length=255)
    status = models.CharField(
        _("Status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    tries = models.PositiveSmallIntegerField(_("Versuche"), default=0)
    last_error = models.TextField(_("letzter Fehler"), blank=True)
    next_attempt_at = models.DateTimeField(
        _("nächster Versuch ab"), default=timezone.now, db_index=True
    )
    created_at = models.DateTimeField(_("angelegt am"), default=timezone.now)
    finished_at = models.DateTimeField(_("erledigt am"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Hintergrundaufgabe")
        verbose_name_plural = _("Hintergrundaufgaben")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key"],
                condition=Q(status="wartend"),
                name="job_pending_once_per_key",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.key}"


class ImageRendition(models.Model):
    """The thumbnails the worker made of one uploaded image, so pages never make them.

    `thumbnails` lists `[name, width, height]`, narrowest first; empty when the
    image could not be read (`error` says why), so pages show no broken image.
    """

    source = models.CharField(_("Originaldatei"), max_length=255, unique=True)
    width = models.PositiveIntegerField(_("Breite"), null=True, blank=True)
    height = models.PositiveIntegerField(_("Höhe"), null=True, blank=True)
    thumbnails = models.JSONField(_("Varianten"), default=list, blank=True)
    error = models.TextField(_("Fehler"), blank=True)
    created_at = models.DateTimeField(_("erzeugt am"), default=timezone.now)

    class Meta:
        ordering = ["source"]
        verbose_name = _("Bildvariante")
        verbose_name_plural = _("Bildvarianten")

    def __str__(self):
        return self.source


class WorkerHeartbeat(models.Model):
    """Written by every loop of `run_worker`, so a dead worker is noticed (/readyz)."""

    name = models.CharField(_("Name"), max_length=100, unique=True)
    last_seen = models.DateTimeField(_("zuletzt aktiv"), default=timezone.now)

    class Meta:
        ordering = ["-last_seen"]
        verbose_name = _("Worker-Lebenszeichen")
        verbose_name_plural = _("Worker-Lebenszeichen")

    def __str__(self):
        return f"{self.name} ({self.last_seen:%d.%m.%Y %H:%M:%S})"


class ReplyTemplate(models.Model):
    """A text counsellors start a reply to a requester from (edited before sending).

    Placeholders in subject and body: {name}, {institution}, {reference}, {case_reference},
    {date} (today), {counsellor} (the sender's full name).
    """

    name = models.CharField(_("Name"), max_length=200, unique=True)
    subject = models.CharField(_("Betreff"), max_length=255)
    body = models.TextField(_("Text"))
    subject_en = models.CharField(_("Betreff (Englisch)"), max_length=255, blank=True)
    body_en = models.TextField(_("Text (Englisch)"), blank=True)
    order = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    is_active = models.BooleanField(_("zur Auswahl anbieten"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("Antwortvorlage")
        verbose_name_plural = _("Antwortvorlagen")

    def __str__(self):
        return self.name


class StaffProfile(models.Model):
    """Per-person settings of staff: which mails they get, their calendar feed, list orderings."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Person"),
        on_delete=models.CASCADE,
        related_name="staff_profile",
    )
    notify_follow_ups = models.BooleanField(_("Mail bei fälliger Wiedervorlage"), default=True)
    notify_assignments = models.BooleanField(_("Mail bei Zuweisung eines Falls"), default=True)
    notify_status_changes = models.BooleanField(
        _("Mail bei Statuswechsel eigener Fälle"), default=True
    )
    notify_documents = models.BooleanField(_("Mail bei neuen Dokumenten"), default=True)
    # Secret part of the personal iCal feed URL; empty = no feed. A new token revokes the old.
    calendar_token = models.CharField(
        _("Kalender-Schlüssel"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    # Saved default ordering per admin list, e.g. {"counselling.case": "-follow_up_on"}.
    list_orderings = models.JSONField(_("gespeicherte Sortierungen"), default=dict, blank=True)

    class Meta:
        verbose_name = _("Profil")
        verbose_name_plural = _("Profile")

    def __str__(self):
        return str(self.user)

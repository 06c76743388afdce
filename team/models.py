"""The people of the centre and how to reach it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
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
from kkk_portal.validators import image_validators
from projects.models import FocusArea


class TeamMemberQuerySet(PublishedQuerySetMixin, models.QuerySet):
    # "aktiv" is a member's publication state: former members leave the public pages.
    state_field = "is_active"

    def published(self, now=None):
        """Members a visitor may see: active, scheduled in, and invented example
        entries only in development."""
        members = super().published(now)
        return members if settings.DEBUG else members.exclude(is_example=True)


class TeamMember(ImageCompanionsMixin, models.Model):
    name = models.CharField(_("Name"), max_length=200)
    slug = models.SlugField(_("Kurzname in der Adresse"), max_length=200, unique=True)
    role = models.CharField(_("Funktion"), max_length=255)
    role_en = models.CharField(_("Funktion (Englisch)"), max_length=255, blank=True)
    bio = models.TextField(_("Kurzbiografie"), blank=True)
    bio_en = models.TextField(_("Kurzbiografie (Englisch)"), blank=True)
    photo = ImageField(
        _("Foto"), upload_to="team/", blank=True, validators=image_validators, crop_ratio=(4, 5)
    )
    photo_alt = alt_field()
    photo_alt_en = alt_en_field()
    photo_focus_x = focus_field("x")
    photo_focus_y = focus_field("y")
    email = models.EmailField(_("E-Mail"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=50, blank=True)
    focus_areas = models.ManyToManyField(
        FocusArea, verbose_name=_("Arbeitsfelder"), blank=True, related_name="team_members"
    )
    order = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    is_active = models.BooleanField(
        _("aktiv"),
        default=True,
        db_index=True,
        help_text=_("Aus: nicht (mehr) auf den öffentlichen Seiten, nur in der Verwaltung."),
    )
    publish_at = publish_at_field()
    unpublish_at = unpublish_at_field()
    is_example = models.BooleanField(
        _("Beispieleintrag"),
        default=False,
        help_text=_("Erfundener Demo-Eintrag; wird öffentlich als Beispiel gekennzeichnet."),
    )

    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    objects = TeamMemberQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("Teammitglied")
        verbose_name_plural = _("Team")
        constraints = [schedule_constraint("teammember_unpublish_after_publish")]

    def __str__(self):
        return self.name


class ContactDetails(models.Model):
    """The centre's contact details and the legal facts of its imprint: one editable record.

    Everything the seeds do not state starts empty; public pages leave out what is
    empty, and `check --deploy` reports what the imprint still lacks (see `checks.py`).
    """

    singleton = models.BooleanField(default=True, editable=False)
    name = models.CharField(
        _("Name"), max_length=255, default="Kompetenzzentrum Kommunale Konfliktberatung"
    )
    carrier = models.CharField(_("Trägerorganisation"), max_length=255)
    street = models.CharField(_("Straße und Hausnummer"), max_length=255, blank=True)
    postcode = models.CharField(_("PLZ"), max_length=5, blank=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    phone = models.CharField(_("Telefon"), max_length=50, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    office_hours = models.CharField(_("Erreichbarkeit"), max_length=255, blank=True)
    represented_by = models.CharField(
        _("Vertretungsberechtigt"),
        max_length=255,
        blank=True,
        help_text=_("Wer die Trägerorganisation gesetzlich vertritt, z. B. der Vorstand."),
    )
    register_court = models.CharField(
        _("Registergericht"),
        max_length=255,
        blank=True,
        help_text=_("Nur wenn die Trägerorganisation in einem Register eingetragen ist."),
    )
    register_number = models.CharField(
        _("Registernummer"), max_length=100, blank=True, help_text=_("z. B. VR 1234")
    )
    vat_id = models.CharField(
        _("Umsatzsteuer-Identifikationsnummer"),
        max_length=20,
        blank=True,
        help_text=_("Nur angeben, wenn es eine gibt."),
    )
    responsible_person = models.CharField(
        _("Verantwortlich nach § 18 Abs. 2 MStV"),
        max_length=255,
        blank=True,
        help_text=_("Name der Person, die für die redaktionellen Inhalte verantwortlich ist."),
    )
    responsible_address = models.CharField(
        _("Anschrift der verantwortlichen Person"),
        max_length=255,
        blank=True,
        help_text=_(
            "Leer lassen, wenn sie unter der Anschrift der Trägerorganisation erreichbar ist."
        ),
    )

    class Meta:
        verbose_name = _("Kontaktdaten")
        verbose_name_plural = _("Kontaktdaten")
        constraints = [
            models.UniqueConstraint(fields=["singleton"], name="contact_details_singleton"),
            models.CheckConstraint(condition=Q(singleton=True), name="contact_details_is_single"),
        ]

    def __str__(self):
        return str(_("Kontaktdaten des Kompetenzzentrums"))

    def clean(self):
        if self.postcode and not (self.postcode.isdigit() and len(self.postcode) == 5):
            raise ValidationError({"postcode": _("Eine Postleitzahl hat fünf Ziffern.")})
        if bool(self.register_court) != bool(self.register_number):
            raise ValidationError(
                {
                    "register_number": _(
                        "Registergericht und Registernummer gehören zusammen: "
                        "bitte beide angeben oder beide leer lassen."
                    )
                }
            )

    @property
    def postal_address(self) -> str:
        """Street, postcode and town on one line; "" while any part is missing."""
        if not (self.street and self.postcode and self.city):
            return ""
        return f"{self.street}, {self.postcode} {self.city}"

    def imprint_gaps(self) -> list[str]:
        """Labels of the facts an imprint needs (§ 5 DDG, § 18 MStV) that are still empty."""
        required = {
            "carrier": self.carrier,
            "street": self.street,
            "postcode": self.postcode,
            "city": self.city,
            "email": self.email,
            "phone": self.phone,
            "represented_by": self.represented_by,
            "responsible_person": self.responsible_person,
        }
        return [
            str(self._meta.get_field(name).verbose_name)
            for name, value in required.items()
            if not (value or "").strip()
        ]

    @classmethod
    def load(cls):
        """The one record, or an unsaved empty one before staff filled it in."""
        return cls.objects.first() or cls(carrier="", email="")


# --- Contact requests -----------------------------------------------------------------
#
# What journalists, partners or seminar participants write through the contact form.
# Personal data: only holders of the contact permissions see it (by default Leitung,
# with the second factor), `apply_retention` deletes closed ones (team/retention.py)
# and the Art. 15 export includes them (counselling/data_export.py).

CONTACT_MESSAGE_MAX = 5000


class ContactMessage(models.Model):
    class Topic(models.TextChoices):
        GENERAL = "allgemein", _("Allgemeine Frage")
        PRESS = "presse", _("Presse")
        PUBLICATIONS = "publikationen", _("Publikationen")
        EVENTS = "veranstaltungen", _("Veranstaltungen")
        OTHER = "sonstiges", _("Sonstiges")

    class Status(models.TextChoices):
        NEW = "neu", _("neu")
        ANSWERED = "beantwortet", _("beantwortet")
        CLOSED = "erledigt", _("erledigt")

    reference = models.CharField(_("Eingangsnummer"), max_length=20, unique=True)
    name = models.CharField(_("Name"), max_length=200)
    email = models.EmailField(_("E-Mail"))
    organisation = models.CharField(_("Organisation"), max_length=255, blank=True)
    topic = models.CharField(_("Thema"), max_length=20, choices=Topic.choices, db_index=True)
    message = models.TextField(_("Nachricht"), validators=[MaxLengthValidator(CONTACT_MESSAGE_MAX)])
    # The language the visitor wrote in: their mails (confirmation, replies) use it.
    language = models.CharField(
        _("Sprache"), max_length=8, choices=settings.LANGUAGES, default="de"
    )
    consent_notice_version = models.CharField(_("Fassung der Datenschutzhinweise"), max_length=50)
    consent_at = models.DateTimeField(_("Einwilligung am"))
    status = models.CharField(
        _("Status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    created_at = models.DateTimeField(_("eingegangen am"), default=timezone.now, db_index=True)
    answered_at = models.DateTimeField(_("beantwortet am"), null=True, blank=True)
    closed_at = models.DateTimeField(_("erledigt am"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Kontaktanfrage")
        verbose_name_plural = _("Kontaktanfragen")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="erledigt") | Q(closed_at__isnull=False),
                name="contactmessage_closed_has_closed_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="beantwortet") | Q(answered_at__isnull=False),
                name="contactmessage_answered_has_answered_at",
            ),
        ]

    def __str__(self) -> str:
        # Only the reference: the admin's log and messages repeat this text.
        return self.reference

    @property
    def related_key(self) -> str:
        """How outbox mails about this request point to it (`OutboxMessage.related_key`)."""
        return contact_related_key(self.pk)


def contact_related_key(pk: int) -> str:
    return f"team.contactmessage:{pk}"


class ContactReply(models.Model):
    """A reply sent to a contact request: the text exactly as it went out."""

    message = models.ForeignKey(
        ContactMessage,
        verbose_name=_("Kontaktanfrage"),
        on_delete=models.CASCADE,
        related_name="replies",
    )
    subject = models.CharField(_("Betreff"), max_length=255)
    body = models.TextField(_("Text"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gesendet von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("gesendet am"), default=timezone.now)
    outbox = models.ForeignKey(
        "counselling.OutboxMessage",
        verbose_name=_("E-Mail"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["sent_at", "pk"]
        verbose_name = _("Antwort")
        verbose_name_plural = _("Antworten")

    def __str__(self) -> str:
        return self.subject

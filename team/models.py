"""The people of the centre and how to reach it."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kkk_portal.validators import image_validators
from projects.models import FocusArea


class TeamMemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class TeamMember(models.Model):
    name = models.CharField(_("Name"), max_length=200)
    slug = models.SlugField(_("Kurzname in der Adresse"), max_length=200, unique=True)
    role = models.CharField(_("Funktion"), max_length=255)
    role_en = models.CharField(_("Funktion (Englisch)"), max_length=255, blank=True)
    bio = models.TextField(_("Kurzbiografie"), blank=True)
    bio_en = models.TextField(_("Kurzbiografie (Englisch)"), blank=True)
    photo = models.ImageField(_("Foto"), upload_to="team/", blank=True, validators=image_validators)
    email = models.EmailField(_("E-Mail"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=50, blank=True)
    focus_areas = models.ManyToManyField(
        FocusArea, verbose_name=_("Arbeitsfelder"), blank=True, related_name="team_members"
    )
    order = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    is_active = models.BooleanField(_("aktiv"), default=True, db_index=True)
    is_example = models.BooleanField(
        _("Beispieleintrag"),
        default=False,
        help_text=_("Erfundener Demo-Eintrag; wird öffentlich als Beispiel gekennzeichnet."),
    )

    objects = TeamMemberQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("Teammitglied")
        verbose_name_plural = _("Team")

    def __str__(self):
        return self.name


class ContactDetails(models.Model):
    """The centre's contact details: exactly one editable record."""

    singleton = models.BooleanField(default=True, editable=False)
    name = models.CharField(
        _("Name"), max_length=255, default="Kompetenzzentrum Kommunale Konfliktberatung"
    )
    carrier = models.CharField(_("Trägerorganisation"), max_length=255)
    street = models.CharField(_("Straße und Hausnummer"), max_length=255, blank=True)
    postcode = models.CharField(_("PLZ"), max_length=5, blank=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    phone = models.CharField(_("Telefon"), max_length=50, blank=True)
    email = models.EmailField(_("E-Mail"))
    office_hours = models.CharField(_("Erreichbarkeit"), max_length=255, blank=True)

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

    @classmethod
    def load(cls):
        """The one record, or an unsaved empty one before staff filled it in."""
        return cls.objects.first() or cls(carrier="", email="")

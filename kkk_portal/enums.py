"""Choices shared by several apps."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Bundesland(models.TextChoices):
    BADEN_WUERTTEMBERG = "BW", _("Baden-Württemberg")
    BAYERN = "BY", _("Bayern")
    BERLIN = "BE", _("Berlin")
    BRANDENBURG = "BB", _("Brandenburg")
    BREMEN = "HB", _("Bremen")
    HAMBURG = "HH", _("Hamburg")
    HESSEN = "HE", _("Hessen")
    MECKLENBURG_VORPOMMERN = "MV", _("Mecklenburg-Vorpommern")
    NIEDERSACHSEN = "NI", _("Niedersachsen")
    NORDRHEIN_WESTFALEN = "NW", _("Nordrhein-Westfalen")
    RHEINLAND_PFALZ = "RP", _("Rheinland-Pfalz")
    SAARLAND = "SL", _("Saarland")
    SACHSEN = "SN", _("Sachsen")
    SACHSEN_ANHALT = "ST", _("Sachsen-Anhalt")
    SCHLESWIG_HOLSTEIN = "SH", _("Schleswig-Holstein")
    THUERINGEN = "TH", _("Thüringen")


class MunicipalityKind(models.TextChoices):
    GEMEINDE = "gemeinde", _("Gemeinde")
    STADT = "stadt", _("Stadt")
    KREISFREIE_STADT = "kreisfreie_stadt", _("Kreisfreie Stadt")
    LANDKREIS = "landkreis", _("Landkreis")
    VERBANDSGEMEINDE = "verbandsgemeinde", _("Amt/Verbandsgemeinde")


class BodyKind(models.TextChoices):
    """Who asks for counselling."""

    GEMEINDE = "gemeinde", _("Gemeinde")
    STADT = "stadt", _("Stadt")
    LANDKREIS = "landkreis", _("Landkreis")
    AMT = "amt", _("Amt/Verwaltungsgemeinschaft")
    CIVIL_SOCIETY = "zivilgesellschaft", _("Zivilgesellschaft")
    OTHER = "sonstige", _("Sonstige")

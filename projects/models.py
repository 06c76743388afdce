"""Projects, their funders, the places and partners they worked with."""

import datetime
from collections.abc import Iterable

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kkk_portal.enums import Bundesland, MunicipalityKind
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
from kkk_portal.validators import image_validators

IS_PUBLISHED_HELP = _("Aus: Entwurf, nur in der Verwaltung sichtbar.")


class FocusAreaQuerySet(PublishedQuerySetMixin, models.QuerySet):
    pass


class FocusArea(models.Model):
    """One of the centre's fields of work."""

    title = models.CharField(_("Titel"), max_length=200)
    title_en = models.CharField(_("Titel (Englisch)"), max_length=200, blank=True)
    slug = models.SlugField(_("Kurzname in der Adresse"), max_length=200, unique=True)
    intro = models.TextField(_("Einleitung"), help_text=_("Ein bis zwei Sätze für Übersichten."))
    intro_en = models.TextField(_("Einleitung (Englisch)"), blank=True)
    body = RichTextField(_("Text"), blank=True)
    body_en = RichTextField(_("Text (Englisch)"), blank=True)
    order = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    is_published = models.BooleanField(
        _("veröffentlicht"), default=True, db_index=True, help_text=IS_PUBLISHED_HELP
    )
    publish_at = publish_at_field()
    unpublish_at = unpublish_at_field()
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)
    # PostgreSQL full-text search (kkk_portal/search.py): kept current by a database
    # trigger (kkk_portal migration 0009_stored_search_vectors); empty elsewhere.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = FocusAreaQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_vector"])

    class Meta:
        ordering = ["order", "title"]
        verbose_name = _("Arbeitsfeld")
        verbose_name_plural = _("Arbeitsfelder")
        constraints = [schedule_constraint("focusarea_unpublish_after_publish")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("projects:focus_area", kwargs={"slug": self.slug})


class Funder(ImageCompanionsMixin, models.Model):
    class Kind(models.TextChoices):
        EU = "eu", _("Europäische Union")
        FEDERAL = "bund", _("Bund")
        STATE = "land", _("Land")
        FOUNDATION = "stiftung", _("Stiftung")
        MUNICIPALITY = "kommune", _("Kommune")
        OTHER = "sonstige", _("Sonstige")

    name = models.CharField(_("Name"), max_length=255)
    name_en = models.CharField(_("Name (Englisch)"), max_length=255, blank=True)
    short_name = models.CharField(_("Kurzname"), max_length=50, blank=True)
    slug = models.SlugField(_("Kurzname in der Adresse"), max_length=200, unique=True)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, db_index=True)
    is_generic = models.BooleanField(
        _("Sammelangabe"),
        default=False,
        help_text=_(
            "Keine benannte Organisation, sondern eine Sammelangabe wie „Landesprogramme“ "
            "oder „Stiftungen“. Sie erscheint als Text, nicht als Fördermittelgeber im Filter."
        ),
    )
    logo = ImageField(_("Logo"), upload_to="funders/", blank=True, validators=image_validators)
    logo_alt = alt_field()
    logo_alt_en = alt_en_field()
    logo_focus_x = focus_field("x")
    logo_focus_y = focus_field("y")
    url = models.URLField(_("Webseite"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("Fördermittelgeber")
        verbose_name_plural = _("Fördermittelgeber")

    def __str__(self):
        return f"{self.name} ({self.short_name})" if self.short_name else self.name


class MunicipalityQuerySet(models.QuerySet):
    def with_published_work(self):
        """Places with a published project, directly or in one of their member towns."""
        published = Project.objects.published()
        return self.filter(
            Q(projects__in=published) | Q(members__projects__in=published)
        ).distinct()

    def with_published_projects(self):
        """Places with a published project, directly or in one of their member towns.

        Each carries `project_count`: its published projects, counting those of
        its member municipalities when it is a district. Two queries.
        """
        links = Project.municipalities.through.objects.filter(
            project__in=Project.objects.published()
        ).values_list("municipality_id", "municipality__district_id", "project_id")
        projects = {}
        for municipality_id, district_id, project_id in links:
            projects.setdefault(municipality_id, set()).add(project_id)
            if district_id:
                projects.setdefault(district_id, set()).add(project_id)
        places = list(self.filter(pk__in=projects).select_related("district"))
        for place in places:
            place.project_count = len(projects[place.pk])
        return places


class Municipality(models.Model):
    name = models.CharField(_("Name"), max_length=200)
    slug = models.SlugField(_("Kurzname in der Adresse"), max_length=200, unique=True)
    kind = models.CharField(
        _("Art"), max_length=20, choices=MunicipalityKind.choices, default=MunicipalityKind.STADT
    )
    state = models.CharField(_("Bundesland"), max_length=2, choices=Bundesland.choices)
    ags = models.CharField(
        _("Amtlicher Gemeindeschlüssel"),
        max_length=8,
        blank=True,
        help_text=_("Acht Ziffern (AGS), falls bekannt."),
    )
    district = models.ForeignKey(
        "self",
        verbose_name=_("Landkreis"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        limit_choices_to={"kind": MunicipalityKind.LANDKREIS},
    )
    latitude = models.DecimalField(
        _("Breitengrad"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("Längengrad"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    # PostgreSQL full-text search (kkk_portal/search.py): kept current by a database
    # trigger (migration 0005_search_vector), so bulk writes are covered; empty elsewhere.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["state", "name"]
        verbose_name = _("Kommune")
        verbose_name_plural = _("Kommunen")
        indexes = [models.Index(fields=["state", "name"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="municipality_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="municipality_longitude_range",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_state_display()})"

    def get_absolute_url(self):
        return reverse("projects:municipality", kwargs={"slug": self.slug})

    def clean(self):
        if self.ags and not (self.ags.isdigit() and len(self.ags) == 8):
            raise ValidationError({"ags": _("Der Gemeindeschlüssel besteht aus acht Ziffern.")})
        if self.district_id and self.district_id == self.pk:
            raise ValidationError(
                {"district": _("Eine Kommune kann nicht ihr eigener Kreis sein.")}
            )


class Partner(models.Model):
    name = models.CharField(_("Name"), max_length=255)
    slug = models.SlugField(_("Kurzname in der Adresse"), max_length=200, unique=True)
    url = models.URLField(_("Webseite"), blank=True)
    description = models.TextField(_("Beschreibung"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Partnerorganisation")
        verbose_name_plural = _("Partnerorganisationen")

    def __str__(self):
        return self.name


class ProjectStatus(models.TextChoices):
    PLANNED = "geplant", _("geplant")
    RUNNING = "laufend", _("laufend")
    COMPLETED = "abgeschlossen", _("abgeschlossen")


class ProjectQuerySet(PublishedQuerySetMixin, models.QuerySet):
    def planned(self, on=None):
        on = on or timezone.localdate()
        return self.filter(start_date__gt=on)

    def running(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=on), start_date__lte=on)

    def completed(self, on=None):
        on = on or timezone.localdate()
        return self.filter(end_date__lt=on)

    def with_status(self, status, on=None):
        return {
            ProjectStatus.PLANNED: self.planned,
            ProjectStatus.RUNNING: self.running,
            ProjectStatus.COMPLETED: self.completed,
        }[ProjectStatus(status)](on=on)

    def active_in_year(self, year):
        """Projects that ran for at least one day in `year`."""
        return self.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=datetime.date(year, 1, 1)),
            start_date__lte=datetime.date(year, 12, 31),
        )

    def for_cards(self) -> "ProjectQuerySet":
        """What a project card (templates/projects/_card.html) reads: no long texts or
        search vector. Its places are read only for the cards that are rendered, not
        taken from the kept copies (`prefetch_card_places`)."""
        return self.defer("description", "description_en", "search_vector")

    # The filters below are semi-joins (`pk IN (…)`), not joins: no DISTINCT over the
    # wide project rows (that cost PostgreSQL ~70 ms per list page at 10,000 projects),
    # and the matching ids are read once, not looked up per project.
    def _linked(self, through: type[models.Model], **lookups) -> Q:
        return Q(pk__in=through.objects.filter(**lookups).values("project_id"))

    def in_state(self, state):
        places = self.model.municipalities.through
        return self.filter(
            self._linked(places, municipality__state=state)
            | self._linked(ProjectState, state=state)
        )

    def in_municipality(self, municipality):
        """Projects in `municipality` or, for a district, in one of its member towns."""
        places = self.model.municipalities.through
        return self.filter(
            self._linked(places, municipality=municipality)
            | self._linked(places, municipality__district=municipality)
        )

    def in_focus_area(self, slug: str):
        return self.filter(self._linked(self.model.focus_areas.through, focusarea__slug=slug))

    def funded_by(self, slug: str):
        return self.filter(self._linked(Funding, funder__slug=slug))

    def funded_by_programme(self, name):
        """Projects with a funding line whose programme mentions `name`."""
        return self.filter(self._linked(Funding, programme__icontains=name))

    def search(self, text):
        """Free text in the title, summary or description (German or English)."""
        query = Q()
        for field in ["title", "summary", "description"]:
            query |= Q(**{f"{field}__icontains": text}) | Q(**{f"{field}_en__icontains": text})
        return self.filter(query)


class Project(ImageCompanionsMixin, models.Model):
    title = models.CharField(_("Titel"), max_length=255)
    title_en = models.CharField(_("Titel (Englisch)"), max_length=255, blank=True)
    slug = models.SlugField(_("Kurzname in der Adresse"), max_length=200, unique=True)
    summary = models.TextField(
        _("Kurzbeschreibung"), max_length=600, help_text=_("Für Listen und Vorschauen.")
    )
    summary_en = models.TextField(_("Kurzbeschreibung (Englisch)"), max_length=600, blank=True)
    description = RichTextField(_("Beschreibung"), blank=True)
    description_en = RichTextField(_("Beschreibung (Englisch)"), blank=True)
    start_date = models.DateField(_("Beginn"), db_index=True)
    end_date = models.DateField(
        _("Ende"), null=True, blank=True, db_index=True, help_text=_("Leer bei offenem Ende.")
    )
    focus_areas = models.ManyToManyField(
        FocusArea, verbose_name=_("Arbeitsfelder"), blank=True, related_name="projects"
    )
    funders = models.ManyToManyField(
        Funder,
        through="Funding",
        verbose_name=_("Fördermittelgeber"),
        blank=True,
        related_name="projects",
    )
    municipalities = models.ManyToManyField(
        Municipality, verbose_name=_("Kommunen"), blank=True, related_name="projects"
    )
    partners = models.ManyToManyField(
        Partner, verbose_name=_("Partnerorganisationen"), blank=True, related_name="projects"
    )
    commissioned_by = models.ForeignKey(
        Partner,
        verbose_name=_("Auftraggeber"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commissioned_projects",
    )
    image = ImageField(
        _("Bild"),
        upload_to="projects/",
        blank=True,
        validators=image_validators,
        crop_ratio=(3, 2),
    )
    image_alt = alt_field()
    image_alt_en = alt_en_field()
    image_focus_x = focus_field("x")
    image_focus_y = focus_field("y")
    is_published = models.BooleanField(
        _("veröffentlicht"), default=True, db_index=True, help_text=IS_PUBLISHED_HELP
    )
    publish_at = publish_at_field()
    unpublish_at = unpublish_at_field()
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    # PostgreSQL full-text search (kkk_portal/search.py): kept current by a database
    # trigger (migration 0005_search_vector), so bulk writes are covered; empty elsewhere.
    search_vector = SearchVectorField(null=True, editable=False)
    history = HistoricalRecords(
        m2m_fields=[focus_areas, municipalities, partners], excluded_fields=["search_vector"]
    )
    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("Projekt")
        verbose_name_plural = _("Projekte")
        indexes = [models.Index(fields=["is_published", "-start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="project_end_not_before_start",
                violation_error_message=_("Das Ende darf nicht vor dem Beginn liegen."),
            ),
            schedule_constraint("project_unpublish_after_publish"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("projects:detail", kwargs={"slug": self.slug})

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("Das Ende darf nicht vor dem Beginn liegen.")})

    def status_on(self, day):
        if self.start_date > day:
            return ProjectStatus.PLANNED
        if self.end_date is not None and self.end_date < day:
            return ProjectStatus.COMPLETED
        return ProjectStatus.RUNNING

    @property
    def status(self):
        """Derived from the dates and today; never stored."""
        return self.status_on(timezone.localdate())

    @property
    def years(self):
        last = (self.end_date or timezone.localdate()).year
        return list(range(self.start_date.year, max(last, self.start_date.year) + 1))


class ProjectState(models.Model):
    """A Bundesland a project worked in without a named municipality."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="extra_states", verbose_name=_("Projekt")
    )
    state = models.CharField(_("Bundesland"), max_length=2, choices=Bundesland.choices)

    class Meta:
        ordering = ["state"]
        verbose_name = _("Bundesland ohne benannte Kommune")
        verbose_name_plural = _("Bundesländer ohne benannte Kommune")
        constraints = [
            models.UniqueConstraint(fields=["project", "state"], name="unique_project_state"),
        ]

    def __str__(self):
        return self.get_state_display()


class Funding(models.Model):
    """A funding line: who funds a project, through which programme, with which notice."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="fundings", verbose_name=_("Projekt")
    )
    funder = models.ForeignKey(
        Funder, on_delete=models.PROTECT, related_name="fundings", verbose_name=_("Geldgeber")
    )
    programme = models.CharField(
        _("Förderprogramm"),
        max_length=255,
        blank=True,
        help_text=_("z. B. Bundesprogramm „Demokratie leben!“"),
    )
    programme_en = models.CharField(_("Förderprogramm (Englisch)"), max_length=255, blank=True)
    notice = models.TextField(
        _("Förderhinweis"),
        blank=True,
        help_text=_("Der Hinweis, den der Geldgeber auf der Projektseite verlangt."),
    )
    notice_en = models.TextField(_("Förderhinweis (Englisch)"), blank=True)
    order = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("Förderung")
        verbose_name_plural = _("Förderungen")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "funder", "programme"], name="unique_funding_line"
            ),
        ]

    def __str__(self):
        return f"{self.funder} – {self.programme}" if self.programme else str(self.funder)


def prefetch_card_places(projects: Iterable[Project]) -> None:
    """Read the places of those `projects` whose cards are rendered, in one query.

    A card is kept per content version ({% project_card %}): a list reads the places
    only when the first of its cards that is not kept is rendered, and then for all
    the list's projects that lack them.
    """
    missing: dict[int, Project] = {}
    for project in projects:
        if "municipalities" not in getattr(project, "_prefetched_objects_cache", {}):
            missing.setdefault(id(project), project)
    if missing:
        models.prefetch_related_objects(
            list(missing.values()),
            models.Prefetch("municipalities", queryset=Municipality.objects.only("name")),
        )

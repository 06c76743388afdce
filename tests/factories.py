"""factory-boy factories for every model the tests need."""

import datetime
import zoneinfo

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify

from counselling.models import Activity, Case, CounsellingRequest, Topic
from kkk_portal.enums import BodyKind, Bundesland, MunicipalityKind
from projects.models import FocusArea, Funder, Funding, Municipality, Partner, Project
from publications.models import Event, NewsPost, Publication, Speaker
from team.models import TeamMember

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@konfliktberatung.example.org")
    is_staff = True
    password = factory.django.Password("pw-for-tests-1")


class FocusAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocusArea

    title = factory.Sequence(lambda n: f"Arbeitsfeld {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    intro = "Kurze Einleitung."
    order = factory.Sequence(int)


class FunderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funder

    name = factory.Sequence(lambda n: f"Stiftung Nummer {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = Funder.Kind.FOUNDATION


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    name = factory.Sequence(lambda n: f"Musterstadt {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = MunicipalityKind.STADT
    state = Bundesland.SACHSEN_ANHALT
    latitude = factory.Sequence(lambda n: 51 + (n % 100) / 100)
    longitude = factory.Sequence(lambda n: 11 + (n % 100) / 100)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partnerverein {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Projekt {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    summary = "Eine kurze Beschreibung des Projekts."
    start_date = datetime.date(2020, 1, 1)
    end_date = datetime.date(2021, 12, 31)

    @factory.post_generation
    def municipalities(self, create, extracted, **kwargs):
        if create and extracted:
            self.municipalities.set(extracted)

    @factory.post_generation
    def focus_areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.focus_areas.set(extracted)

    @factory.post_generation
    def partners(self, create, extracted, **kwargs):
        if create and extracted:
            self.partners.set(extracted)


class FundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funding

    project = factory.SubFactory(ProjectFactory)
    funder = factory.SubFactory(FunderFactory)
    programme = "Bundesprogramm „Demokratie leben!“"
    notice = "Gefördert im Rahmen des Bundesprogramms „Demokratie leben!“."


class PublicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Publication
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Publikation {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    kind = Publication.Kind.REPORT
    date = datetime.date(2021, 5, 1)
    abstract = "Worum es in dieser Publikation geht."

    @factory.post_generation
    def projects(self, create, extracted, **kwargs):
        if create and extracted:
            self.projects.set(extracted)

    @factory.post_generation
    def focus_areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.focus_areas.set(extracted)


class NewsPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsPost
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Neuigkeit {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    published_at = factory.LazyFunction(timezone.now)
    teaser = "Das Wichtigste in einem Satz."
    body = "Der ganze Text."

    @factory.post_generation
    def projects(self, create, extracted, **kwargs):
        if create and extracted:
            self.projects.set(extracted)

    @factory.post_generation
    def focus_areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.focus_areas.set(extracted)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Veranstaltung {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    start = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=2))
    teaser = "Worum es geht."
    is_online = True
    is_free = True

    @factory.post_generation
    def projects(self, create, extracted, **kwargs):
        if create and extracted:
            self.projects.set(extracted)

    @factory.post_generation
    def focus_areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.focus_areas.set(extracted)


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Referentin {n}")
    role = "Referentin"
    organisation = "Musterverein e. V."


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Teammitglied {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    role = "Beratung"

    @factory.post_generation
    def focus_areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.focus_areas.set(extracted)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Thema {n}")


class CounsellingRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CounsellingRequest

    reference = factory.Sequence(lambda n: f"ANF-TEST-{n:05d}")
    institution = factory.Sequence(lambda n: f"Gemeinde Musterdorf {n}")
    body_kind = BodyKind.GEMEINDE
    state = Bundesland.SACHSEN_ANHALT
    contact_name = "Erika Mustermann"
    contact_role = "Bürgermeisterin"
    email = "erika@musterdorf.example"
    situation = "Seit Monaten gibt es Streit um den Marktplatz."
    consent_notice_version = "2026-01"
    consent_at = factory.LazyFunction(timezone.now)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    year = 2026
    number = factory.Sequence(lambda n: n + 1)
    reference = factory.LazyAttribute(lambda o: Case.format_reference(o.year, o.number))
    title = factory.Sequence(lambda n: f"Konflikt am Marktplatz {n}")
    state = Bundesland.SACHSEN_ANHALT


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    case = factory.SubFactory(CaseFactory)
    kind = Activity.Kind.TALK
    participants = 5

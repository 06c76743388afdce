"""Fill the database with large synthetic data for benchmarks.

    manage.py generate_synthetic --projects 10000 --cases 100000

Rows are made with bulk inserts in batches, so 100,000 rows take seconds, not
minutes. Every synthetic record is recognisable: slugs start with "synth-",
case titles with "[Synthetisch]", so `--clear` can remove them again without
touching real content.
"""

import datetime
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from counselling.models import Activity, Case, CounsellingRequest, Topic
from kkk_portal.enums import BodyKind, Bundesland, MunicipalityKind
from projects.models import FocusArea, Funder, Funding, Municipality, Project
from publications.models import Event, NewsPost, Publication

BATCH = 5000
PREFIX = "synth-"


class Command(BaseCommand):
    help = "Create large synthetic (German-looking) data for benchmarks. Bulk inserts."

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, default=1000)
        parser.add_argument("--municipalities", type=int, default=500)
        parser.add_argument("--publications", type=int, default=500)
        parser.add_argument("--news", type=int, default=500)
        parser.add_argument("--events", type=int, default=500)
        parser.add_argument("--requests", type=int, default=1000)
        parser.add_argument("--cases", type=int, default=1000)
        parser.add_argument("--activities-per-case", type=int, default=2)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--clear", action="store_true", help="Remove earlier synthetic rows first."
        )

    def handle(self, *args, **opts):
        try:
            from faker import Faker
        except ImportError as exc:  # Faker is a dev dependency
            raise CommandError("Faker is not installed: pip install -e '.[dev]'") from exc
        for name in ("projects", "municipalities", "cases", "requests"):
            if opts[name] < 0:
                raise CommandError(f"--{name} must not be negative.")
        self.rng = random.Random(opts["seed"])
        self.fake = Faker("de_DE")
        self.fake.seed_instance(opts["seed"])
        started = time.monotonic()
        with transaction.atomic():
            if opts["clear"]:
                self._clear()
            municipalities = self._municipalities(opts["municipalities"])
            projects = self._projects(opts["projects"], municipalities)
            self._publications(opts["publications"], projects)
            self._news(opts["news"])
            self._events(opts["events"])
            self._requests(opts["requests"])
            self._cases(opts["cases"], opts["activities_per_case"], municipalities, projects)
        # Planner statistics and the visibility map for the new rows now, as autovacuum
        # would make them a minute later (PostgreSQL 13+ vacuums after large inserts):
        # counts then read an index only. SQLite's own planner reads the indexes as they are.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # VACUUM cannot run inside a transaction (a caller's, a test's).
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(f"Synthetic data created in {time.monotonic() - started:.1f} s.")
        )

    # -- helpers ---------------------------------------------------------------

    def _pool(self, make, size):
        return [make() for _ in range(size)]

    def _clear(self):
        Activity.objects.filter(case__title__startswith="[Synthetisch]").delete()
        Case.objects.filter(title__startswith="[Synthetisch]").delete()
        CounsellingRequest.objects.filter(reference__startswith="SYN-").delete()
        for model in (Event, NewsPost, Publication, Project, Municipality):
            model.objects.filter(slug__startswith=PREFIX).delete()

    def _municipalities(self, count):
        states = [c for c, _ in Bundesland.choices]
        kinds = [MunicipalityKind.GEMEINDE, MunicipalityKind.STADT, MunicipalityKind.LANDKREIS]
        names = self._pool(self.fake.city, 800)
        objs = [
            Municipality(
                name=f"{self.rng.choice(names)} {i}",
                slug=f"{PREFIX}kommune-{i}",
                kind=self.rng.choice(kinds),
                state=self.rng.choice(states),
                latitude=round(self.rng.uniform(47.4, 54.9), 5),
                longitude=round(self.rng.uniform(6.0, 14.9), 5),
            )
            for i in range(count)
        ]
        created = Municipality.objects.bulk_create(objs, batch_size=BATCH)
        self.stdout.write(f"  {len(created)} municipalities")
        return created or list(Municipality.objects.all()[:100])

    def _projects(self, count, municipalities):
        words = self._pool(lambda: self.fake.word().capitalize(), 400)
        areas = list(FocusArea.objects.all())
        funders = list(Funder.objects.all())
        objs = []
        for i in range(count):
            start = datetime.date(2012, 1, 1) + datetime.timedelta(days=self.rng.randint(0, 5200))
            end = (
                None
                if self.rng.random() < 0.1
                else start + datetime.timedelta(days=self.rng.randint(30, 1500))
            )
            objs.append(
                Project(
                    title=f"{self.rng.choice(words)} und {self.rng.choice(words)} in der Kommune",
                    slug=f"{PREFIX}projekt-{i}",
                    summary=self.fake.sentence(nb_words=18),
                    start_date=start,
                    end_date=end,
                )
            )
        projects = Project.objects.bulk_create(objs, batch_size=BATCH)
        through = Project.municipalities.through
        links = [
            through(project_id=p.pk, municipality_id=m.pk)
            for p in projects
            for m in self.rng.sample(municipalities, k=min(2, len(municipalities)))
        ]
        through.objects.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)
        if areas:
            area_through = Project.focus_areas.through
            area_through.objects.bulk_create(
                [
                    area_through(project_id=p.pk, focusarea_id=self.rng.choice(areas).pk)
                    for p in projects
                ],
                batch_size=BATCH,
                ignore_conflicts=True,
            )
        if funders:
            Funding.objects.bulk_create(
                [
                    Funding(project=p, funder=self.rng.choice(funders), programme="Synthetisch")
                    for p in projects
                ],
                batch_size=BATCH,
                ignore_conflicts=True,
            )
        self.stdout.write(f"  {len(projects)} projects")
        return projects

    def _publications(self, count, projects):
        kinds = [c for c, _ in Publication.Kind.choices]
        objs = [
            Publication(
                title=self.fake.sentence(nb_words=6).rstrip("."),
                slug=f"{PREFIX}publikation-{i}",
                kind=self.rng.choice(kinds),
                date=datetime.date(2015, 1, 1) + datetime.timedelta(days=self.rng.randint(0, 4000)),
                authors=self.fake.name(),
                abstract=self.fake.paragraph(),
            )
            for i in range(count)
        ]
        Publication.objects.bulk_create(objs, batch_size=BATCH)
        self.stdout.write(f"  {count} publications")

    def _news(self, count):
        now = timezone.now()
        objs = [
            NewsPost(
                title=self.fake.sentence(nb_words=7).rstrip("."),
                slug=f"{PREFIX}neuigkeit-{i}",
                published_at=now - datetime.timedelta(days=self.rng.randint(0, 3000)),
                teaser=self.fake.sentence(),
                body=self.fake.paragraph(),
            )
            for i in range(count)
        ]
        NewsPost.objects.bulk_create(objs, batch_size=BATCH)
        self.stdout.write(f"  {count} news posts")

    def _events(self, count):
        now = timezone.now()
        objs = []
        for i in range(count):
            start = now + datetime.timedelta(
                days=self.rng.randint(-1500, 400), hours=self.rng.randint(0, 10)
            )
            objs.append(
                Event(
                    title=self.fake.sentence(nb_words=5).rstrip("."),
                    slug=f"{PREFIX}veranstaltung-{i}",
                    start=start,
                    end=start + datetime.timedelta(hours=2),
                    teaser=self.fake.sentence(),
                    is_online=True,
                )
            )
        Event.objects.bulk_create(objs, batch_size=BATCH)
        self.stdout.write(f"  {count} events")

    def _requests(self, count):
        states = [c for c, _ in Bundesland.choices]
        bodies = [c for c, _ in BodyKind.choices]
        statuses = [c for c, _ in CounsellingRequest.Status.choices]
        cities = self._pool(self.fake.city, 500)
        names = self._pool(self.fake.name, 500)
        now = timezone.now()
        objs = [
            CounsellingRequest(
                reference=f"SYN-{i:07d}",
                status=self.rng.choice(statuses),
                institution=f"Gemeinde {self.rng.choice(cities)}",
                body_kind=self.rng.choice(bodies),
                state=self.rng.choice(states),
                contact_name=self.rng.choice(names),
                email=f"kontakt{i}@example.org",
                situation="Synthetische Anfrage für Lasttests.",
                consent_notice_version="synthetisch",
                created_at=now - datetime.timedelta(days=self.rng.randint(0, 1500)),
            )
            for i in range(count)
        ]
        CounsellingRequest.objects.bulk_create(objs, batch_size=BATCH)
        self.stdout.write(f"  {count} requests")

    def _cases(self, count, per_case, municipalities, projects):
        statuses = [c for c, _ in Case.Status.choices]
        states = [c for c, _ in Bundesland.choices]
        bodies = [c for c, _ in BodyKind.choices]
        topics = list(Topic.objects.all())
        years = {}
        for year, last in Case.objects.values_list("year", "number").order_by("year", "-number"):
            years.setdefault(year, last)
        objs = []
        now = timezone.now()
        for _ in range(count):
            year = self.rng.randint(2016, now.year)
            number = years.get(year, 0) + 1
            years[year] = number
            start = datetime.date(year, 1, 1) + datetime.timedelta(days=self.rng.randint(0, 360))
            objs.append(
                Case(
                    reference=Case.format_reference(year, number),
                    year=year,
                    number=number,
                    title=f"[Synthetisch] Konfliktlage {number}",
                    municipality=self.rng.choice(municipalities) if municipalities else None,
                    state=self.rng.choice(states),
                    body_kind=self.rng.choice(bodies),
                    status=self.rng.choice(statuses),
                    project=self.rng.choice(projects) if projects else None,
                    start_date=start,
                )
            )
        cases = Case.objects.bulk_create(objs, batch_size=BATCH)
        if topics:
            through = Case.topics.through
            through.objects.bulk_create(
                [through(case_id=c.pk, topic_id=self.rng.choice(topics).pk) for c in cases],
                batch_size=BATCH,
                ignore_conflicts=True,
            )
        kinds = [c for c, _ in Activity.Kind.choices]
        activities = [
            Activity(
                case_id=c.pk,
                date=c.start_date + datetime.timedelta(days=7 * j),
                kind=self.rng.choice(kinds),
                participants=self.rng.randint(1, 40),
            )
            for c in cases
            for j in range(per_case)
        ]
        Activity.objects.bulk_create(activities, batch_size=BATCH)
        self.stdout.write(f"  {len(cases)} cases, {len(activities)} activities")

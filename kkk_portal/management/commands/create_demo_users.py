"""Create demo accounts for local development. Refuses to run when DEBUG is off."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

DEMO_PASSWORD = "kkk-demo-2026"  # noqa: S105 - development-only demo login, DEBUG required

# username, group name (None: superuser), description
DEMO_USERS = [
    ("admin", None, "Superuser (alles)"),
    ("leitung", "Leitung", "Leitung: alle Fälle, Statistik, Export"),
    ("beratung", "Beratung", "Beratung: Anfragen und eigene Fälle"),
    ("beratung2", "Beratung", "Beratung: eine zweite Beraterin"),
    ("redaktion", "Redaktion", "Redaktion: nur öffentliche Inhalte"),
]


class Command(BaseCommand):
    help = "Create demo logins (development only; refuses to run when DEBUG is off)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("create_demo_users is a development convenience: DEBUG is off.")
        User = get_user_model()
        lines = []
        for username, group_name, description in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = True
            user.is_superuser = group_name is None
            if not (user.first_name or user.last_name):
                # The back office shows full names, never logins: clearly invented ones.
                user.first_name, user.last_name = "Demo", username.capitalize()
            user.set_password(DEMO_PASSWORD)
            user.save()
            if group_name:
                group = Group.objects.filter(name=group_name).first()
                if group is None:
                    continue
                user.groups.set([group])
            lines.append(f"  {username:<10} / {DEMO_PASSWORD}   {description}")
        self._demo_case(User)
        self._demo_workspace(User)
        self.stdout.write(self.style.SUCCESS("Demo logins for http://127.0.0.1:8000/admin/ :"))
        self.stdout.write("\n".join(lines))
        if settings.STAFF_2FA:
            self.stdout.write(
                "STAFF_2FA is on: Beratung, Leitung and admin enrol an authenticator app "
                "(TOTP) at their first login."
            )

    def _demo_case(self, User):
        """One demo request turned into a case for `beratung`, so the access rules show."""
        from counselling import services
        from counselling.models import CounsellingRequest

        counsellor = User.objects.filter(username="beratung", groups__name="Beratung").first()
        if (
            counsellor is None
            or CounsellingRequest.objects.filter(reference="ANF-DEMO-0001").exists()
        ):
            return
        request = CounsellingRequest.objects.create(
            reference="ANF-DEMO-0001",
            institution="Gemeinde Musterdorf (Demo)",
            body_kind="gemeinde",
            state="ST",
            contact_name="Erika Mustermann",
            email="erika@musterdorf.example",
            situation="Demo: Streit um die Nutzung des Marktplatzes.",
            consent_notice_version=settings.PRIVACY_NOTICE_VERSION,
        )
        services.case_create_from_request(request=request, by=counsellor)

    def _demo_workspace(self, User):
        """Invented requests and cases so `beratung` and `leitung` see a filled start page:
        a new request, a due follow-up and an appointment each (dates relative to today)."""
        import datetime

        from django.utils import timezone

        from counselling import services
        from counselling.models import Activity, Case, CounsellingRequest

        beratung = User.objects.filter(username="beratung", groups__name="Beratung").first()
        leitung = User.objects.filter(username="leitung", groups__name="Leitung").first()
        if beratung is None or leitung is None:
            return
        today = timezone.localdate()
        now = timezone.now()
        demo = {
            "body_kind": "gemeinde",
            "state": "ST",
            "contact_name": "Erika Mustermann (Demo)",
            "email": "demo@musterdorf.example",
            "consent_notice_version": settings.PRIVACY_NOTICE_VERSION,
        }
        new_requests = [
            ("ANF-DEMO-0002", "Gemeinde Beispielheim (Demo)", 2),
            ("ANF-DEMO-0003", "Stadt Exempelstadt (Demo)", 12),
        ]
        for reference, institution, days in new_requests:
            CounsellingRequest.objects.get_or_create(
                reference=reference,
                defaults={
                    **demo,
                    "institution": institution,
                    "situation": "Demo: erfundene Anfrage, nur zum Ausprobieren.",
                    "created_at": now - datetime.timedelta(days=days),
                },
            )
        # The demo case of `beratung` (see _demo_case) and one led by `leitung`: a
        # follow-up due today and an appointment the day after tomorrow.
        cases = []
        first = Case.objects.filter(request__reference="ANF-DEMO-0001").first()
        if first is not None:
            cases.append((first, beratung, "Rathaus Musterdorf (Demo)"))
        if not CounsellingRequest.objects.filter(reference="ANF-DEMO-0004").exists():
            request = CounsellingRequest.objects.create(
                reference="ANF-DEMO-0004",
                institution="Landkreis Musterkreis (Demo)",
                situation="Demo: Konflikt um eine Unterkunft, erfunden.",
                **demo,
            )
            cases.append(
                (
                    services.case_create_from_request(request=request, by=leitung),
                    leitung,
                    "Kreisverwaltung Musterkreis (Demo)",
                )
            )
        for case, author, place in cases:
            if case.activities.exists():
                continue
            Case.objects.filter(pk=case.pk).update(
                follow_up_on=today, follow_up_note="Demo: Rückruf der Kommune"
            )
            Activity.objects.create(
                case=case,
                author=author,
                date=today + datetime.timedelta(days=2),
                start_time=datetime.time(10, 0),
                duration_minutes=90,
                place=place,
                kind=Activity.Kind.TALK,
                participants=4,
                note="Demo: Erstgespräch (erfunden)",
            )

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
            user.set_password(DEMO_PASSWORD)
            user.save()
            if group_name:
                group = Group.objects.filter(name=group_name).first()
                if group is None:
                    continue
                user.groups.set([group])
            lines.append(f"  {username:<10} / {DEMO_PASSWORD}   {description}")
        self._demo_case(User)
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

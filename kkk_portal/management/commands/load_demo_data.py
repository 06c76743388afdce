"""Invented example content for development. Refuses to run when DEBUG is off.

The seeds name no staff, so the real content has no team. To see how the team
page looks, this command adds two clearly marked example entries
(`is_example=True`); the public pages never show such entries unless DEBUG is on.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from projects.models import FocusArea
from publications.demo import example_event_ensure
from team.models import TeamMember

EXAMPLE_TEAM = [
    {
        "slug": "beispiel-beraterin",
        "name": "Beispiel: Berater*in",
        "role": "Kommunale Konfliktberatung (Beispieleintrag)",
        "role_en": "Municipal conflict counselling (example entry)",
        "bio": "Ein erfundener Eintrag, der zeigt, wie ein Teammitglied auf der Seite erscheint.",
        "bio_en": "An invented entry that shows how a team member appears on the page.",
        "order": 1,
        "focus_areas": ["beratung-von-kommunen"],
    },
    {
        "slug": "beispiel-projektkoordination",
        "name": "Beispiel: Projektkoordination",
        "role": "Projektkoordination (Beispieleintrag)",
        "role_en": "Project coordination (example entry)",
        "bio": "Ein erfundener Eintrag, der zeigt, wie ein Teammitglied auf der Seite erscheint.",
        "bio_en": "An invented entry that shows how a team member appears on the page.",
        "order": 2,
        "focus_areas": ["kooperationen-in-der-altmark", "austausch-mit-fachoeffentlichkeit"],
    },
]


class Command(BaseCommand):
    help = "Add invented, clearly marked example team entries (development only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("load_demo_data is a development convenience: DEBUG is off.")
        for item in EXAMPLE_TEAM:
            values = {k: v for k, v in item.items() if k not in {"slug", "focus_areas"}}
            member, created = TeamMember.objects.get_or_create(
                slug=item["slug"], defaults={**values, "is_example": True}
            )
            if created:
                member.focus_areas.set(FocusArea.objects.filter(slug__in=item["focus_areas"]))
        self.stdout.write(self.style.SUCCESS("Example team entries (development only) present."))
        # One upcoming example event with registration open (publications/demo.py).
        example_event_ensure()
        self.stdout.write(
            self.style.SUCCESS("Example event with registration (development only) present.")
        )

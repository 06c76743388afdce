"""Queue the day-before reminders of event registrations (cron; the worker does it too)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from publications.services import event_reminders_send


class Command(BaseCommand):
    help = (
        "Legt für bestätigte Teilnehmende von Veranstaltungen, die innerhalb von "
        "REGISTRATION_REMINDER_HOURS Stunden beginnen, die Erinnerungsmail in den Versand "
        "(je Anmeldung nur einmal). Der Worker erledigt das auch von selbst."
    )

    def handle(self, *args, **options):
        count = event_reminders_send()
        self.stdout.write(_("%(count)s Erinnerungen in den Versand gegeben.") % {"count": count})

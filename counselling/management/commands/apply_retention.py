"""Delete and anonymise personal data past its retention period (run daily from cron)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from counselling.retention import apply_retention


class Command(BaseCommand):
    help = (
        "Löscht Spam- und abgelehnte Anfragen nach RETENTION_SPAM_DECLINED_DAYS Tagen und "
        "anonymisiert Fälle, die vor mehr als RETENTION_CLOSED_CASE_YEARS Jahren "
        "abgeschlossen oder abgelehnt wurden; anonymisiert offene Anfragen ohne Fall nach "
        "COUNSELLING_REQUEST_RETENTION_MONTHS Monaten."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Nur zählen, was fällig ist; nichts ändern.",
        )

    def handle(self, *args, dry_run=False, **options):
        result = apply_retention(dry_run=dry_run)
        if not dry_run:
            # Lockout records of the staff login (django-axes), AXES_RETENTION_DAYS old.
            from kkk_portal.services import login_records_purge

            login_records_purge()
        counts = {
            "requests": result.requests_deleted,
            "cases": result.cases_anonymised,
            "stale": result.stale_requests_anonymised,
            "months": settings.COUNSELLING_REQUEST_RETENTION_MONTHS,
        }
        if dry_run:
            self.stdout.write(
                _(
                    "Probelauf, nichts geändert: %(requests)s Anfragen würden gelöscht, "
                    "%(cases)s Fälle würden anonymisiert, %(stale)s offene Anfragen älter als "
                    "%(months)s Monate würden anonymisiert."
                )
                % counts
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "%(requests)s Anfragen gelöscht, %(cases)s Fälle anonymisiert, "
                        "%(stale)s offene Anfragen älter als %(months)s Monate anonymisiert."
                    )
                    % counts
                )
            )
        # Contact requests (team/retention.py): a line of its own, only when there were any.
        if result.contact_messages_deleted:
            contact_counts = {"count": result.contact_messages_deleted}
            self.stdout.write(
                _("Probelauf: %(count)s Kontaktanfragen würden gelöscht.") % contact_counts
                if dry_run
                else _("%(count)s Kontaktanfragen gelöscht.") % contact_counts
            )
        # Event registrations (publications/services.py): personal data blanked after the event.
        if result.registrations_anonymised:
            registration_counts = {
                "count": result.registrations_anonymised,
                "days": settings.REGISTRATION_RETENTION_DAYS,
            }
            self.stdout.write(
                _(
                    "Probelauf: %(count)s Veranstaltungsanmeldungen (Veranstaltung vor mehr als "
                    "%(days)s Tagen) würden anonymisiert."
                )
                % registration_counts
                if dry_run
                else _(
                    "%(count)s Veranstaltungsanmeldungen (Veranstaltung vor mehr als %(days)s "
                    "Tagen) anonymisiert."
                )
                % registration_counts
            )

"""Delete and anonymise personal data past its retention period (run daily from cron)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from counselling.retention import apply_retention


class Command(BaseCommand):
    help = (
        "Löscht Spam- und abgelehnte Anfragen nach RETENTION_SPAM_DECLINED_DAYS Tagen und "
        "anonymisiert Fälle, die vor mehr als RETENTION_CLOSED_CASE_YEARS Jahren "
        "abgeschlossen oder abgelehnt wurden."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Nur zählen, was fällig ist; nichts ändern.",
        )

    def handle(self, *args, dry_run=False, **options):
        result = apply_retention(dry_run=dry_run)
        counts = {"requests": result.requests_deleted, "cases": result.cases_anonymised}
        if dry_run:
            self.stdout.write(
                _(
                    "Probelauf, nichts geändert: %(requests)s Anfragen würden gelöscht, "
                    "%(cases)s Fälle würden anonymisiert."
                )
                % counts
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("%(requests)s Anfragen gelöscht, %(cases)s Fälle anonymisiert.") % counts
                )
            )
        if result.stale_requests:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "%(count)s Anfragen ohne Fall sind älter als %(months)s Monate und "
                        "weder abgelehnt noch Spam: bitte prüfen, die Eingangsbestätigung "
                        "sagt ihre Löschung zu."
                    )
                    % {
                        "count": result.stale_requests,
                        "months": settings.COUNSELLING_REQUEST_RETENTION_MONTHS,
                    }
                )
            )

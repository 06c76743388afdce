"""Send queued emails. Safe to run from cron every few minutes, even overlapping."""

from django.core.management.base import BaseCommand

from counselling import services


class Command(BaseCommand):
    help = (
        "Send pending outbox emails (confirmations and notifications). Idempotent: "
        "a sent message is never sent again; after OUTBOX_MAX_TRIES failures a message "
        "is flagged as failed (see the admin, filter 'Status')."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-tries", type=int, default=None, help="Override settings.OUTBOX_MAX_TRIES."
        )

    def handle(self, *args, **options):
        sent, failed = services.outbox_send(max_tries=options["max_tries"])
        self.stdout.write(f"Outbox: {sent} sent, {failed} given up.")

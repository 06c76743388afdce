"""Send the due queued emails once (mail only; `run_worker` also makes thumbnails).

Safe to run from cron, even overlapping and beside running workers.
"""

from django.core.management.base import BaseCommand

from counselling import services


class Command(BaseCommand):
    help = (
        "Send due outbox emails (confirmations and notifications) once. Idempotent: "
        "a sent message is never sent again; a failed one waits for its back-off; after "
        "OUTBOX_MAX_TRIES failures it is flagged as failed (see the admin, filter 'Status')."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-tries", type=int, default=None, help="Override settings.OUTBOX_MAX_TRIES."
        )

    def handle(self, *args, **options):
        sent, failed = services.outbox_send(max_tries=options["max_tries"])
        self.stdout.write(f"Outbox: {sent} sent, {failed} given up.")

"""Queue the reminder mails of due follow-ups (Wiedervorlagen), for cron.

`run_worker` does the same on its own about once an hour; where no worker runs,
call this daily (or hourly) from cron and then `send_outbox`. Safe to run
repeatedly and beside workers: each follow-up date is reported once.
"""

from django.core.management.base import BaseCommand

from counselling import services


class Command(BaseCommand):
    help = (
        "Queue a mail to the lead counsellor of every open case whose follow-up date has come "
        "(reference and admin link only). Each follow-up date is reported once; send the "
        "queued mails with run_worker or send_outbox."
    )

    def handle(self, *args, **options) -> None:
        queued = services.follow_ups_notify()
        self.stdout.write(f"Follow-ups: {queued} reminder(s) queued.")

"""The background worker: delivers queued mails and makes image renditions.

Runs until SIGTERM or SIGINT; then it finishes the message or job at hand and
exits with status 0 (systemd's `stop`, Ctrl-C in `make run`).
"""

import logging
import signal
import socket
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connections

from counselling import services

logger = logging.getLogger("counselling.worker")


def _tidy_connections(*, close: bool = False) -> None:
    """Drop broken or expired database connections (or all of them) between rounds.

    Like Django's per-request `close_old_connections`. A connection inside an
    atomic block is left alone: that only happens when a test calls the command
    inside its own transaction.
    """
    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block:
            continue
        if close:
            conn.close()
        else:
            conn.close_if_unusable_or_obsolete()


class Command(BaseCommand):
    help = (
        "Deliver queued mails and run background jobs (image renditions) in a loop, "
        "writing a heartbeat each round. Stops cleanly on SIGTERM/SIGINT. Several "
        "workers may run at once (on PostgreSQL rows are claimed with SKIP LOCKED)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="One round, then exit (for cron or tests)."
        )
        parser.add_argument(
            "--name",
            default=None,
            help="Name written to the heartbeat table (default: this machine's host name).",
        )
        parser.add_argument(
            "--poll",
            type=float,
            default=None,
            help="Seconds between rounds (default: settings.WORKER_POLL_SECONDS).",
        )

    def handle(self, *args, **options):
        name = (options["name"] or socket.gethostname())[:100]
        poll = options["poll"] if options["poll"] is not None else settings.WORKER_POLL_SECONDS
        stop = threading.Event()

        def request_stop(signum, frame):
            logger.info("Worker %s: signal %s, stopping after the current item.", name, signum)
            stop.set()

        previous = {}
        if threading.current_thread() is threading.main_thread():  # signals need the main thread
            previous = {
                sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)
            }
        logger.info("Worker %s started (poll every %ss).", name, poll)
        try:
            while not stop.is_set():
                _tidy_connections()
                try:
                    result = services.worker_run_once(name=name, should_stop=stop.is_set)
                except Exception:  # database restarting, storage away: log, wait, go on
                    logger.exception("Worker %s: round failed, retrying.", name)
                    _tidy_connections(close=True)
                else:
                    if any(result.values()):
                        logger.info("Worker %s: %s", name, result)
                if options["once"]:
                    break
                stop.wait(poll)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            _tidy_connections(close=True)
        logger.info("Worker %s stopped.", name)
        self.stdout.write(f"Worker {name} stopped.")

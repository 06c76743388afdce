"""Data retention (DSGVO): what `manage.py apply_retention` deletes and anonymises.

* Spam and declined requests that never became a case are deleted
  `RETENTION_SPAM_DECLINED_DAYS` days after their last change, together with
  their history rows and the mails queued for them.
* Cases closed or declined more than `RETENTION_CLOSED_CASE_YEARS` years ago
  are anonymised with `services.case_anonymise` (requester contact data, free
  text, document files, and the same fields in the history rows). "Closed"
  counts from the later of the case's end date and its last change, so an
  edit after closing never shortens the time a case is kept.

* Requests that never became a case and are neither spam nor declined lose
  their personal data `COUNSELLING_REQUEST_RETENTION_MONTHS` months after they
  arrived (`services.request_anonymise`), as the form and the confirmation
  promise; the anonymised row stays for the statistics.

* Contact requests (team app) are deleted `CONTACT_RETENTION_DAYS` days after
  they were closed and at the latest `CONTACT_MAX_RETENTION_DAYS` days after
  they arrived, with their replies and mails (`team/retention.py`).

* Finished background jobs (image renditions) are deleted `JOB_RETENTION_DAYS`
  days after they finished; they hold no personal data, only file names.

All steps select only what is still due, so running the command twice does
nothing the second time; it is safe to run daily from cron.
"""

import dataclasses
import datetime

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone

from publications.services import registrations_anonymise_due
from team.retention import contact_retention_apply

from . import services
from .models import Case, CounsellingRequest, Job


@dataclasses.dataclass
class RetentionResult:
    requests_deleted: int
    cases_anonymised: int
    # Open requests without a case past the period the form promises.
    stale_requests_anonymised: int
    dry_run: bool
    jobs_deleted: int = 0
    # Contact requests (team app), see team/retention.py.
    contact_messages_deleted: int = 0
    # Event registrations (publications app): personal data blanked after the event.
    registrations_anonymised: int = 0


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def requests_due(*, now=None):
    """Spam and declined requests without a case, unchanged for longer than the limit."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.RETENTION_SPAM_DECLINED_DAYS)
    return CounsellingRequest.objects.filter(
        status__in=[CounsellingRequest.Status.SPAM, CounsellingRequest.Status.DECLINED],
        updated_at__lt=cutoff,
        case__isnull=True,
    )


def cases_due(*, today=None):
    """Closed or declined cases, not yet anonymised, closed before the limit."""
    today = today or timezone.localdate()
    cutoff = _years_before(today, settings.RETENTION_CLOSED_CASE_YEARS)
    changed = TruncDate("updated_at")
    return (
        Case.objects.filter(
            status__in=[Case.Status.CLOSED, Case.Status.DECLINED], anonymised_at__isnull=True
        )
        .alias(closed_on=Greatest(Coalesce("end_date", changed), changed))
        .filter(closed_on__lt=cutoff)
    )


def stale_requests(*, now=None):
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=30 * settings.COUNSELLING_REQUEST_RETENTION_MONTHS)
    return CounsellingRequest.objects.filter(
        ~Q(status__in=[CounsellingRequest.Status.SPAM, CounsellingRequest.Status.DECLINED]),
        created_at__lt=cutoff,
        case__isnull=True,
        anonymised_at__isnull=True,
    )


def jobs_due(*, now: datetime.datetime | None = None):
    """Background jobs that finished more than JOB_RETENTION_DAYS ago."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.JOB_RETENTION_DAYS)
    return Job.objects.filter(status=Job.Status.DONE, finished_at__lt=cutoff)


def apply_retention(*, dry_run=False, now=None):
    """Delete and anonymise what is due; with `dry_run`, only count it."""
    now = now or timezone.now()
    request_ids = list(requests_due(now=now).values_list("pk", flat=True))
    cases = list(cases_due(today=timezone.localdate(now)).select_related("request"))
    stale = list(stale_requests(now=now))
    jobs = jobs_due(now=now)
    jobs_count = jobs.count()
    if not dry_run:
        jobs.delete()
        services.requests_delete(ids=request_ids)
        for case in cases:
            services.case_anonymise(case=case)
        for request in stale:
            services.request_anonymise(request=request)
    contacts_deleted = contact_retention_apply(dry_run=dry_run, now=now)
    registrations_anonymised = registrations_anonymise_due(dry_run=dry_run, now=now)
    return RetentionResult(
        requests_deleted=len(request_ids),
        cases_anonymised=len(cases),
        stale_requests_anonymised=len(stale),
        dry_run=dry_run,
        jobs_deleted=jobs_count,
        contact_messages_deleted=contacts_deleted,
        registrations_anonymised=registrations_anonymised,
    )

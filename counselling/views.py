"""Public request form and the guarded document download.

The views stay thin: storing a request is `services.request_submit`, who may
see a case is `Case.objects.visible_to`.
"""

import hashlib
import logging
import mimetypes
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from kkk_portal import safe_cache

from . import services
from .forms import CounsellingRequestForm
from .models import CaseAccessLog, CaseDocument, CounsellingRequest

logger = logging.getLogger(__name__)

SESSION_KEY = "counselling_reference"
# What the visitor sent, as (label, text) pairs, for the printable summary on the
# thank-you page. Lives in the server-side session only until that page is shown.
SUMMARY_SESSION_KEY = "counselling_summary"


def client_ip(request):
    """The visitor's address for the rate limit.

    Without a proxy (TRUSTED_PROXY_COUNT = 0) that is REMOTE_ADDR, and
    X-Forwarded-For is ignored: anyone can send it. Behind N proxies that each
    append the address they saw, the client is the N-th entry from the right;
    entries further left were sent by the client and could be made up.
    """
    trusted = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if trusted > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        if len(hops) >= trusted and hops[-trusted]:
            return hops[-trusted]
    return request.META.get("REMOTE_ADDR", "")


def client_cache_key(request, *, prefix: str) -> str:
    """A cache key per visitor address for a rate limit; the address is hashed first."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{client_ip(request)}".encode()).hexdigest()
    return f"{prefix}:{digest[:32]}"


def _client_key(request):
    return client_cache_key(request, prefix="counselling:rate")


def rate_limit_reached(request):
    # Cache down: safe_cache answers "no count" (fails open, logged as a WARNING).
    return safe_cache.get(_client_key(request), 0) >= settings.COUNSELLING_RATE_LIMIT


def rate_limit_count(request):
    """Count one submission; True if it is within the limit (fails open without a cache)."""
    return safe_cache.count_within_limit(
        key=_client_key(request),
        limit=settings.COUNSELLING_RATE_LIMIT,
        window=settings.COUNSELLING_RATE_WINDOW,
    )


def retention_context():
    """The retention periods applied by `apply_retention`, as told on the form and in mails."""
    return {
        "retention_days": getattr(settings, "RETENTION_SPAM_DECLINED_DAYS", 90),
        "retention_years": getattr(settings, "RETENTION_CLOSED_CASE_YEARS", 3),
        "retention_months": settings.COUNSELLING_REQUEST_RETENTION_MONTHS,
    }


def too_large(request, exception=None):
    return render(request, "counselling/too_large.html", status=413)


class RequestFormView(View):
    template_name = "counselling/request_form.html"

    def get(self, request):
        return self.render_form(CounsellingRequestForm())

    def post(self, request):
        # A database restart while a request is sent: the whole submission (checks
        # and the one storing transaction) runs again on a new connection. If the
        # database stays away, the site's 503 page says nothing was stored.
        return services.retry_on_connection_loss(
            action=lambda: self._post(request), seconds=settings.SUBMIT_DB_RETRY_SECONDS
        )

    def _post(self, request):
        if rate_limit_reached(request):
            return render(request, "counselling/rate_limited.html", status=429)
        try:
            data = request.POST
        except (RequestDataTooBig, TooManyFieldsSent):
            return too_large(request)
        form = CounsellingRequestForm(data)
        if form.is_bot:
            # Honeypot filled: pretend success and store nothing. A bot learns nothing,
            # and no inbox fills with spam. It still counts against the rate limit.
            if not rate_limit_count(request):
                return render(request, "counselling/rate_limited.html", status=429)
            logger.info("Counselling request dropped: honeypot filled.")
            request.session[SESSION_KEY] = services.request_reference_generate()
            return redirect("counselling:request_done")
        if not form.is_valid():
            return self.render_form(form, status=200)
        if not rate_limit_count(request):
            return render(request, "counselling/rate_limited.html", status=429)
        submitted = services.request_submit(
            data=form.submission_data(), topics=form.cleaned_data["topics"]
        )
        request.session[SESSION_KEY] = submitted.reference
        request.session[SUMMARY_SESSION_KEY] = submitted_summary(form)
        return redirect("counselling:request_done")

    def render_form(self, form, status=200):
        context = {
            "form": form,
            **retention_context(),
            "privacy_notice_version": services.privacy_notice_version(),
        }
        return render(
            request=self.request, template_name=self.template_name, context=context, status=status
        )


def submitted_summary(form: CounsellingRequestForm) -> list[list[str]]:
    """The filled-in fields of a valid request form as [label, text] pairs, in form order.

    Choices appear as their labels; empty optional fields are left out. Plain strings,
    so the session can store them.
    """
    summary = []
    for name in form.Meta.fields:
        field = form.fields[name]
        value = form.cleaned_data.get(name)
        if name == "topics":
            text = ", ".join(field.label_from_instance(topic) for topic in value or [])
        elif getattr(field, "choices", None) is not None and value not in (None, ""):
            text = str(dict(field.choices).get(value, value))
        else:
            text = "" if value is None else str(value)
        if text.strip():
            summary.append([str(field.label), text])
    return summary


def request_done(request):
    """Shows the reference once: it lives in the visitor's session, not in the URL.

    Then the visitor's session ends (deleted on the server, cookie cleared): it
    existed only to carry the reference here. A logged-in staff member trying
    the form keeps their session; only the reference is taken out of it.
    """
    reference = request.session.pop(SESSION_KEY, None)
    summary = request.session.pop(SUMMARY_SESSION_KEY, None) if reference else None
    if not request.user.is_authenticated:
        request.session.flush()
    return render(
        request, "counselling/request_done.html", {"reference": reference, "summary": summary}
    )


def document_download(request, pk):
    """A case document, for exactly the people who may open its case in the admin."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('admin:login')}?next={request.path}")
    document = get_object_or_404(CaseDocument.objects.select_related("case"), pk=pk)
    # Not there, or not yours: the same 404 (rule in counselling/permissions.py).
    if not request.user.has_perm("counselling.download_document", document):
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    services.case_access_log(
        case=document.case, user=request.user, via=CaseAccessLog.Via.DOCUMENT, detail=document.title
    )
    content_type = mimetypes.guess_type(document.filename)[0] or "application/octet-stream"
    response = FileResponse(
        handle, as_attachment=True, filename=document.filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def csrf_failure(request, reason=""):
    """A German page instead of Django's English CSRF failure page."""
    return render(request, "counselling/csrf_failure.html", status=403)


@method_decorator(never_cache, name="dispatch")
class WithdrawView(View):
    """The requester withdraws their request from the link in the confirmation mail.

    GET only shows the page with a button (mail scanners follow links); the POST
    withdraws and erases the personal data, then redirects back here, where the
    page says it is done. The token travels in the query string and the form,
    never in the path, so it does not reach the request log.
    """

    template_name = "counselling/withdraw.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        token = request.GET.get("t", "")
        counselling_request = services.request_from_withdraw_token(token=token)
        if counselling_request is None:
            return render(request, "counselling/withdraw_invalid.html", status=400)
        return self.render_state(counselling_request, token=token)

    def post(self, request: HttpRequest) -> HttpResponse:
        token = request.POST.get("t", "")
        counselling_request = services.request_from_withdraw_token(token=token)
        if counselling_request is None:
            return render(request, "counselling/withdraw_invalid.html", status=400)
        try:
            services.request_withdraw(request=counselling_request)
        except services.WithdrawRefused:
            return self.render_state(counselling_request, token=token, status=409)
        return redirect(f"{reverse('counselling:withdraw')}?{urlencode({'t': token})}")

    def render_state(
        self, counselling_request: CounsellingRequest, *, token: str, status: int = 200
    ) -> HttpResponse:
        refusal = services.request_withdraw_refusal(request=counselling_request)
        if refusal == services.WithdrawRefused.CASE:
            state = "case"
        elif refusal == services.WithdrawRefused.DONE:
            state = "withdrawn" if counselling_request.withdrawn_at else "erased"
        else:
            state = "open"
        context = {
            "reference": counselling_request.reference,
            "state": state,
            "token": token,
            "withdrawn_at": counselling_request.withdrawn_at,
        }
        return render(self.request, self.template_name, context, status=status)

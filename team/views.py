import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import ListView, TemplateView

from counselling import services as counselling_services
from counselling.views import client_cache_key, too_large
from kkk_portal import safe_cache
from projects.models import FocusArea

from . import services
from .forms import ContactForm
from .models import ContactDetails, TeamMember

logger = logging.getLogger(__name__)

# The reference of a contact request just sent: shown once on the thank-you page,
# carried in the server-side session, never in the URL.
CONTACT_SESSION_KEY = "contact_reference"


class TeamMixin:
    """Owns the queryset of the public team page: active members with their fields of work."""

    def get_queryset(self):
        return TeamMember.objects.published().prefetch_related(
            Prefetch("focus_areas", queryset=FocusArea.objects.published())
        )


class TeamListView(TeamMixin, ListView):
    template_name = "team/teammember_list.html"
    context_object_name = "members"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["has_examples"] = any(member.is_example for member in context["members"])
        return context


def _contact_rate_key(request: HttpRequest) -> str:
    return client_cache_key(request, prefix="contact:rate")


def contact_rate_limit_reached(request: HttpRequest) -> bool:
    # Same budget as the counselling request form, counted separately per form.
    return safe_cache.get(_contact_rate_key(request), 0) >= settings.COUNSELLING_RATE_LIMIT


def contact_rate_limit_count(request: HttpRequest) -> bool:
    """Count one submission; True while within the limit (fails open without a cache)."""
    return safe_cache.count_within_limit(
        key=_contact_rate_key(request),
        limit=settings.COUNSELLING_RATE_LIMIT,
        window=settings.COUNSELLING_RATE_WINDOW,
    )


class ContactView(TemplateView):
    """The centre's contact details and the contact form (GET shows it, POST sends it)."""

    template_name = "team/contact.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["contact"] = ContactDetails.load()
        context.setdefault("form", ContactForm())
        context["privacy_notice_version"] = counselling_services.privacy_notice_version()
        context.update(services.contact_retention_context())
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        # As the request form: a broken database connection retries the whole submission.
        return counselling_services.retry_on_connection_loss(
            action=lambda: self._post(request), seconds=settings.SUBMIT_DB_RETRY_SECONDS
        )

    def _post(self, request: HttpRequest) -> HttpResponse:
        if contact_rate_limit_reached(request):
            return self.rate_limited()
        try:
            data = request.POST
        except (RequestDataTooBig, TooManyFieldsSent):
            return too_large(request)
        form = ContactForm(data)
        if form.is_bot:
            # Honeypot filled: pretend success, store nothing, count it.
            if not contact_rate_limit_count(request):
                return self.rate_limited()
            logger.info("Contact message dropped: honeypot filled.")
            request.session[CONTACT_SESSION_KEY] = services.contact_reference_generate()
            return redirect("team:contact_done")
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        if not contact_rate_limit_count(request):
            return self.rate_limited()
        message = services.contact_submit(data=form.submission_data())
        request.session[CONTACT_SESSION_KEY] = message.reference
        return redirect("team:contact_done")

    def rate_limited(self) -> HttpResponse:
        return render(self.request, "team/contact_rate_limited.html", status=429)


def contact_done(request: HttpRequest) -> HttpResponse:
    """Thank-you page: shows the reference once, then the visitor's session ends.

    A logged-in staff member trying the form keeps their session.
    """
    reference = request.session.pop(CONTACT_SESSION_KEY, None)
    if not request.user.is_authenticated:
        request.session.flush()
    return render(request, "team/contact_done.html", {"reference": reference})

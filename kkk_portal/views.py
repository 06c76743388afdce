import functools

from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET
from django.views.generic import DetailView

from projects.models import FocusArea, Project
from publications.models import Event, NewsPost, Publication
from team.models import ContactDetails

from . import search as site_search
from .forms import SearchForm
from .models import PageRole, SitePage
from .translation import translated


def home(request):
    today = timezone.localdate()
    # Running projects first (open or later end), then the most recently completed.
    projects = (
        Project.objects.published()
        .filter(start_date__lte=today)
        .for_cards()
        .order_by(F("end_date").desc(nulls_first=True), "-start_date")[:6]
    )

    # Lazy: the page body is kept per content version (templates/home.html), so a
    # stored copy saves these queries too.
    @functools.cache
    def upcoming() -> list[Event]:
        return list(Event.objects.published().upcoming()[:3])

    def recent() -> list[Event]:
        # Nothing coming up: show the most recent past events instead of an empty block.
        return [] if upcoming() else list(Event.objects.published().past()[:3])

    context = {
        "focus_areas": FocusArea.objects.published(),
        "projects": projects,
        "today": today,
        "upcoming_events": SimpleLazyObject(upcoming),
        "recent_events": SimpleLazyObject(recent),
        "latest_news": NewsPost.objects.published()[:3],
        "latest_publications": Publication.objects.published()[:3],
    }
    return render(request, "home.html", context)


class SitePageView(DetailView):
    """A text page: the legal pages, the easy-read page and the pages editors create."""

    model = SitePage
    template_name = "pages/sitepage_detail.html"
    context_object_name = "page"
    canonical_redirect = True  # off in the staff preview (kkk_portal/preview.py)

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        published = SitePage.objects.published()
        page = get_object_or_404(published.select_related("parent"), slug=kwargs["slug"])
        if page.parent_id and not published.filter(pk=page.parent_id).exists():
            raise Http404  # a page below a hidden page is hidden too
        if self.canonical_redirect and page.get_absolute_url() != request.path:
            # The right page at the wrong level, e.g. /unterseite/ for /eltern/unterseite/.
            return redirect(page.get_absolute_url(), permanent=True)
        self.object = page
        return self.render_to_response(self.get_context_data(object=page))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = self.object
        body = translated(page, "body")
        context["page_title"] = translated(page, "title").text
        context["body_lang"] = body.lang
        context["show_german_notice"] = body.fallback
        context["body"] = body.text
        if page.parent_id:
            context["parent_title"] = translated(page.parent, "title").text

        # The body is kept per content version ({% per_content_version %}): what only
        # it shows is read when it is rendered.
        def prepare_fragment() -> dict[str, object]:
            values: dict[str, object] = {
                "children": list(
                    SitePage.objects.published().filter(parent=page).order_by("menu_order", "title")
                )
            }
            if page.role == PageRole.ACCESSIBILITY:
                values["feedback_email"] = ContactDetails.load().email
            if page.role == PageRole.IMPRINT:
                # Rendered above the free text by templates/includes/legal_details.html.
                values["contact"] = ContactDetails.load()
            return values

        context["prepare_fragment"] = prepare_fragment
        return context


@require_GET
def search(request):
    form = SearchForm(request.GET or None)
    groups = []
    query = ""
    section = ""
    if form.is_bound and form.is_valid():
        query = site_search.clean_query(form.cleaned_data["q"]) or ""
        section = form.cleaned_data["bereich"]
        if query:
            groups = site_search.search(
                query,
                sections=[section] if section else site_search.SECTION_KEYS,
                limit=100 if section else 10,
            )
    context = {
        "form": form,
        "query": query,
        "section": section,
        "groups": groups,
        "total": sum(g.total for g in groups),
        "backend": "postgres" if site_search.uses_postgres() else "simple",
    }
    return render(request, "search/results.html", context)


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /en/admin/",
        "Disallow: /suche/",
        "Disallow: /en/suche/",
        "Disallow: /i18n/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """/favicon.ico, which browsers ask for whatever the page's <link> says.

    Resolved per request: the hashed name exists only after collectstatic.
    """
    return HttpResponsePermanentRedirect(static("img/favicon.ico"))

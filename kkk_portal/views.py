from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET
from django.views.generic import DetailView

from projects.models import FocusArea, Project
from publications.models import Event, NewsPost, Publication
from team.models import ContactDetails

from . import search as site_search
from .forms import SearchForm
from .models import PageSlug, SitePage


def home(request):
    today = timezone.localdate()
    # Running projects first (open or later end), then the most recently completed.
    projects = (
        Project.objects.published()
        .filter(start_date__lte=today)
        .prefetch_related("municipalities")
        .order_by(F("end_date").desc(nulls_first=True), "-start_date")[:6]
    )
    context = {
        "focus_areas": FocusArea.objects.all(),
        "projects": projects,
        "today": today,
        "upcoming_events": Event.objects.published().upcoming()[:3],
        "latest_news": NewsPost.objects.published().filter(published_at__lte=timezone.now())[:3],
        "latest_publications": Publication.objects.published()[:3],
    }
    return render(request, "home.html", context)


class SitePageView(DetailView):
    """Imprint, privacy notice, accessibility statement, easy-read page."""

    model = SitePage
    template_name = "pages/sitepage_detail.html"
    context_object_name = "page"

    def get_object(self, queryset=None):
        return get_object_or_404(SitePage, slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = self.object
        english = get_language() == "en" and bool(page.body_en)
        english_title = get_language() == "en" and page.title_en
        context["page_title"] = page.title_en if english_title else page.title
        context["body_lang"] = "en" if english else "de"
        context["show_german_notice"] = get_language() == "en" and not english
        context["body"] = page.body_en if english else page.body
        if page.slug == PageSlug.ACCESSIBILITY:
            context["feedback_email"] = ContactDetails.load().email
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

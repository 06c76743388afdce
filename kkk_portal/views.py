from django.shortcuts import render
from django.utils import timezone

from projects.models import FocusArea, Project
from publications.models import Event, NewsPost


def home(request):
    today = timezone.localdate()
    projects = (
        Project.objects.published().prefetch_related("municipalities").order_by("-start_date")[:6]
    )
    context = {
        "focus_areas": FocusArea.objects.all(),
        "projects": projects,
        "today": today,
        "upcoming_events": Event.objects.published().upcoming()[:3],
        "latest_news": NewsPost.objects.published()[:3],
    }
    return render(request, "home.html", context)

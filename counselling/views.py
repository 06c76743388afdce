from django.shortcuts import render


def csrf_failure(request, reason=""):
    """A German page instead of Django's English CSRF failure page."""
    return render(request, "counselling/csrf_failure.html", status=403)

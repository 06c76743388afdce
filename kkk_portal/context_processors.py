from django.conf import settings


def site(request):
    """Values every template may need."""
    return {"SITE_URL": settings.SITE_URL}

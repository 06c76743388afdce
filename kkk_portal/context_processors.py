from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import PageMenu, PageRole, SitePage


def _menus() -> dict:
    """The editors' pages in the main navigation and the footer: one query, when used."""
    menus: dict[str, list[SitePage]] = {PageMenu.MAIN: [], PageMenu.FOOTER: []}
    pages = (
        SitePage.objects.published()
        .filter(parent__isnull=True, menu__in=list(menus))
        .only("slug", "parent", "title", "title_en", "menu_title", "menu_title_en", "menu", "role")
        .order_by("menu_order", "title")
    )
    for page in pages:
        menus[page.menu].append(page)
    footer = menus[PageMenu.FOOTER]
    return {
        "main": menus[PageMenu.MAIN],
        "footer": footer,
        # The easy-read page, linked from the home page while it is public.
        "easy_read": next((p for p in footer if p.role == PageRole.EASY_READ), None),
    }


def site(request: HttpRequest) -> dict:
    """Values every template may need."""
    return {"SITE_URL": settings.SITE_URL, "site_menus": SimpleLazyObject(_menus)}

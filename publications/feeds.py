"""RSS and Atom feeds of the news."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from kkk_portal.templatetags.kkk import localized

from .models import NewsPost

FEED_SIZE = 20


class NewsFeed(Feed):
    title = _("Aktuelles vom Kompetenzzentrum Kommunale Konfliktberatung")
    description = _("Neuigkeiten des Kompetenzzentrums Kommunale Konfliktberatung.")

    def link(self):
        return reverse("publications:news_events")

    def items(self):
        return NewsPost.objects.published().order_by("-published_at")[:FEED_SIZE]

    def item_title(self, item):
        return localized(item, "title")

    def item_description(self, item):
        return localized(item, "teaser")

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        # Atom requires <updated> on every entry; posts keep no edit time.
        return item.published_at


class NewsAtomFeed(NewsFeed):
    feed_type = Atom1Feed
    subtitle = NewsFeed.description

"""RSS and Atom feeds of the news."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from kkk_portal.translation import translated_text

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
        return translated_text(item, "title")

    def item_description(self, item):
        return translated_text(item, "teaser")

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        # Atom's <updated>: the last change of the post, never before its publication.
        return max(item.updated_at, item.published_at)


class NewsAtomFeed(NewsFeed):
    feed_type = Atom1Feed
    subtitle = NewsFeed.description

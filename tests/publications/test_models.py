"""Model rules of publications, news and events."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from tests.factories import EventFactory, NewsPostFactory, PublicationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("slug", ["feed", "atom"])
def test_news_slug_cannot_shadow_the_feeds(slug):
    post = NewsPostFactory.build(slug=slug)
    with pytest.raises(ValidationError) as error:
        post.full_clean()
    assert error.value.message_dict["slug"] == [
        "Dieser Kurzname ist für eine andere Seite reserviert."
    ]


def test_event_slug_cannot_shadow_the_archive():
    event = EventFactory.build(slug="archiv")
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert error.value.message_dict["slug"] == [
        "Dieser Kurzname ist für eine andere Seite reserviert."
    ]


def test_download_names_format_and_size():
    publication = PublicationFactory()
    publication.file.save("leitfaden.docx", ContentFile(b"x" * 2048))
    download = publication.download
    assert (download.format, download.size) == ("DOCX", 2048)
    assert download.url == f"/media/{publication.file.name}"


def test_no_file_means_no_download():
    assert PublicationFactory().download is None


def test_event_past_and_single_day(settings):
    from tests.factories import BERLIN

    event = EventFactory.build(
        start=datetime.datetime(2022, 11, 16, 23, 0, tzinfo=BERLIN),
        end=datetime.datetime(2022, 11, 17, 1, 0, tzinfo=BERLIN),
    )
    assert event.is_past
    assert not event.is_single_day

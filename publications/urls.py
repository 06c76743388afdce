from django.urls import path

from . import feeds, views

app_name = "publications"

urlpatterns = [
    path("publikationen/", views.PublicationListView.as_view(), name="index"),
    path("publikationen/<slug:slug>/", views.PublicationDetailView.as_view(), name="detail"),
    path("aktuelles/", views.NewsEventsView.as_view(), name="news_events"),
    # Feeds before the detail pattern: a post slug cannot shadow them.
    path("aktuelles/feed/", feeds.NewsFeed(), name="news_feed"),
    path("aktuelles/atom/", feeds.NewsAtomFeed(), name="news_atom"),
    path("aktuelles/<slug:slug>/", views.NewsDetailView.as_view(), name="news_detail"),
    path("veranstaltungen/kalender.ics", views.ical_feed, name="ical_feed"),
    path("veranstaltungen/archiv/", views.EventArchiveView.as_view(), name="event_archive"),
    path(
        "veranstaltungen/anmeldung/<str:token>/bestaetigen/",
        views.RegistrationConfirmView.as_view(),
        name="registration_confirm",
    ),
    path(
        "veranstaltungen/anmeldung/<str:token>/abmelden/",
        views.RegistrationCancelView.as_view(),
        name="registration_cancel",
    ),
    path("veranstaltungen/<slug:slug>/", views.EventDetailView.as_view(), name="event_detail"),
    path("veranstaltungen/<slug:slug>/kalender.ics", views.event_ics, name="event_ics"),
    path(
        "veranstaltungen/<slug:slug>/anmelden/",
        views.EventRegisterView.as_view(),
        name="event_register",
    ),
    path(
        "veranstaltungen/<slug:slug>/anmelden/danke/",
        views.registration_done,
        name="registration_done",
    ),
]

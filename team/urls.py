from django.urls import path

from . import views

app_name = "team"

urlpatterns = [
    path("team/", views.TeamListView.as_view(), name="index"),
    path("kontakt/", views.ContactView.as_view(), name="contact"),
    path("kontakt/danke/", views.contact_done, name="contact_done"),
]

"""Staff account URLs, mounted under /admin/ before the admin's own catch-all."""

from django.contrib.auth import views as auth_views
from django.urls import path

from counselling import calendar_feed

from . import account_views

app_name = "accounts"

urlpatterns = [
    path("zwei-faktor/", account_views.otp_verify, name="otp_verify"),
    path("zwei-faktor/einrichten/", account_views.otp_setup, name="otp_setup"),
    path("sitzung/", account_views.keep_alive, name="keep_alive"),
    path("benachrichtigungen/", account_views.notification_settings, name="notifications"),
    path("kalender/", calendar_feed.calendar_settings, name="calendar"),
]

# Django's password reset views with the admin's templates. The names are the ones
# Django's views, forms and admin login template reverse, so they stay un-namespaced.
password_reset_urlpatterns = [
    path(
        "password_reset/",
        account_views.PasswordResetView.as_view(),
        name="admin_password_reset",
    ),
    path(
        "password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

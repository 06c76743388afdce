from django.urls import path

from . import views

app_name = "counselling"

urlpatterns = [
    path("beratung-anfragen/", views.RequestFormView.as_view(), name="request"),
    path("beratung-anfragen/danke/", views.request_done, name="request_done"),
    path("beratung-anfragen/zurueckziehen/", views.WithdrawView.as_view(), name="withdraw"),
    path("beratung/dokumente/<int:pk>/", views.document_download, name="document"),
]

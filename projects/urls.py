from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("projekte/", views.ProjectListView.as_view(), name="index"),
    path("projekte/<slug:slug>/", views.ProjectDetailView.as_view(), name="detail"),
    path("arbeitsfelder/", views.FocusAreaListView.as_view(), name="focus_area_list"),
    path("arbeitsfelder/<slug:slug>/", views.FocusAreaDetailView.as_view(), name="focus_area"),
    path("kommunen/", views.MunicipalityListView.as_view(), name="municipality_list"),
    path("kommunen/<slug:slug>/", views.MunicipalityDetailView.as_view(), name="municipality"),
]

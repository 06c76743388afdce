"""Leadership pages inside the admin (dashboard, exports, funder report).

Each view goes through `admin.site.admin_view`: anonymous visitors are sent to
the admin login, and the views themselves admit only Leitung (403 otherwise).
"""

from django.contrib import admin
from django.urls import path

from . import leadership_views as views

app_name = "leadership"

urlpatterns = [
    path("", admin.site.admin_view(views.DashboardView.as_view()), name="dashboard"),
    path("export/faelle.csv", admin.site.admin_view(views.case_export), name="case_export"),
    path(
        "foerderbericht/",
        admin.site.admin_view(views.FunderReportView.as_view()),
        name="funder_report",
    ),
    path(
        "foerderbericht.csv",
        admin.site.admin_view(views.FunderReportCsvView.as_view()),
        name="funder_report_csv",
    ),
]

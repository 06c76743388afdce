"""Leadership pages inside the admin (dashboard, exports, funder report)."""

app_name = "leadership"

urlpatterns = []

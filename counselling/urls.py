app_name = "counselling"

urlpatterns = []

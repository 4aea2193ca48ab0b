from django.urls import path

from staff.views import staff

app_name = "staff"

urlpatterns = [
    path("today/", staff.today, name="today"),
]

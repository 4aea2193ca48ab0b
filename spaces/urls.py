from django.urls import path

from spaces import views

app_name = "spaces"
urlpatterns = [
    path("", views.building_list, name="building_list"),
    path("<int:pk>/", views.building_detail, name="building_detail"),
    path("rooms/<int:pk>/", views.room_detail, name="room_detail"),
]

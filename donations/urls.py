from django.contrib.auth.decorators import login_required
from django.urls import path

from donations.feeds import DonorsFeed
from donations.views import member, staff

app_name = "donations"
urlpatterns = [
    path("", member.wall, name="wall"),
    path("donate/", member.donate, name="donate"),
    path("<int:pk>/", member.detail, name="detail"),
    path("mine.csv", member.my_export, name="my_export"),
    path("feed/", login_required(DonorsFeed()), name="feed"),
    path("staff/", staff.staff, name="staff"),
    path("staff/<int:pk>/confirm/", staff.confirm, name="confirm"),
    path("staff/<int:pk>/reject/", staff.reject, name="reject"),
    path("staff/offline/", staff.offline, name="offline"),
    path("staff/goal/", staff.goal, name="goal"),
    path("staff/export/<int:year>/<int:month>/", staff.export, name="export"),
]

from django.urls import path

from bookings.views import member, recurring, staff

app_name = "bookings"
urlpatterns = [
    # Members
    path("", member.find, name="find"),
    path("day/", member.day_home, name="day_home"),
    path("day/<int:building_id>/", member.day, name="day"),
    path("week/room/<int:pk>/", member.room_week, name="room_week"),
    path("week/desk/<int:pk>/", member.desk_week, name="desk_week"),
    path("new/", member.new, name="new"),
    path("mine/", member.mine, name="mine"),
    path("mine/same-as-last-week/", member.repeat_last_week, name="repeat_last_week"),
    path("<int:pk>/", member.detail, name="detail"),
    path("<int:pk>/cancel/", member.cancel, name="cancel"),
    path("<int:pk>/release/", member.release, name="release"),
    path("<int:pk>/booking.ics", member.ics, name="ics"),
    path("calendar/", member.feed_settings, name="feed_settings"),
    path("calendar/<str:token>.ics", member.feed, name="feed"),
    # Recurring bookings
    path("series/new/", recurring.series_new, name="series_new"),
    path("series/<int:pk>/", recurring.series_detail, name="series"),
    path("series/<int:pk>/cancel/", recurring.series_cancel, name="series_cancel"),
    path("series/<int:pk>/extend/", recurring.series_extend, name="series_extend"),
    # Staff
    path("staff/", staff.staff_list, name="staff_list"),
    path("staff/new/", staff.staff_new, name="staff_new"),
    path("staff/<int:pk>/move/", staff.staff_move, name="staff_move"),
    path("staff/<int:pk>/cancel/", staff.staff_cancel, name="staff_cancel"),
]

from django.urls import path

from visits.views import codes, member, staff

app_name = "visits"
urlpatterns = [
    # Members
    path("check-in/", member.check_in, name="check_in"),
    path("check-out/", member.check_out, name="check_out"),
    path("history/", member.history, name="history"),
    path("history/visits.csv", member.export, name="export"),
    path("now/", member.who_is_in, name="who_is_in"),
    # Staff
    path("desk/", staff.front_desk, name="front_desk"),
    path("desk/check-in/", staff.desk_check_in, name="desk_check_in"),
    path("desk/check-out/", staff.desk_check_out, name="desk_check_out"),
    path("desk/qr/<int:building_id>/", codes.qr_sheet, name="qr_sheet"),
    path("statistics/", staff.statistics, name="statistics"),
    path("statistics/<slug:kind>.csv", staff.statistics_export, name="statistics_export"),
]

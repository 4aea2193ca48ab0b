from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from coworking.navigation import NavItem


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Visits")
    nav_items = [
        NavItem(_("Visits"), "visits:history"),
        NavItem(_("Front desk"), "visits:front_desk", staff_only=True),
        NavItem(_("Statistics"), "visits:statistics", staff_only=True),
    ]
    home_widgets = ["visits/home_widget.html"]
    # On a booking's page: "Check in" while its check-in window is open.
    booking_actions = ["visits/booking_check_in.html"]

    def ready(self) -> None:
        from bookings.signals import no_shows_due
        from visits.services import attend_bookings_of_present_members

        def attend_present_members(sender, bookings, now, **kwargs) -> None:
            attend_bookings_of_present_members(now, bookings)

        no_shows_due.connect(attend_present_members, weak=False, dispatch_uid="visits.attend_present_members")

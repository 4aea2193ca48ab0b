from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from coworking.navigation import NavItem


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Bookings")
    nav_items = [
        NavItem(_("Book"), "bookings:find"),
        NavItem(_("My bookings"), "bookings:mine"),
        NavItem(_("All bookings"), "bookings:staff_list", staff_only=True),
    ]
    home_widgets = ["bookings/home_widget.html"]
    # Buttons on the building and room pages of spaces (with `building`, and `room`).
    place_actions = ["bookings/place_actions.html"]

    def ready(self) -> None:
        from bookings.services import cancel_bookings_in
        from spaces.signals import spaces_deactivated

        def cancel_bookings(sender, spaces, by, **kwargs) -> None:
            cancel_bookings_in(spaces, by=by)

        spaces_deactivated.connect(cancel_bookings, weak=False, dispatch_uid="bookings.cancel_in_deactivated")

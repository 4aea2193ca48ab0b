from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from coworking.navigation import NavItem


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = _("Donations")
    nav_items = [
        NavItem(_("Donate"), "donations:donate"),
        NavItem(_("Donations"), "donations:staff", staff_only=True),
    ]
    home_widgets = ["donations/home_widget.html"]
    profile_widgets = ["donations/profile_widget.html"]

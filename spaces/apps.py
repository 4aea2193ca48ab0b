from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from coworking.navigation import NavItem


class SpacesConfig(AppConfig):
    name = "spaces"
    verbose_name = _("Spaces")
    nav_items = [NavItem(_("Spaces"), "spaces:building_list")]

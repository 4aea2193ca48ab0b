from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from coworking.navigation import NavItem


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Members")
    nav_items = [NavItem(_("Karma"), "accounts:leaderboard")]

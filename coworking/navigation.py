"""What each app adds to the shared layout: header links and home page widgets.

An app declares them on its AppConfig, so the base template never needs editing when
an app grows a page:

    class DonationsConfig(AppConfig):
        nav_items = [NavItem(_("Donate"), "donations:donate")]
        home_widgets = ["donations/home_widget.html"]
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    staff_only: bool = False


@dataclass(frozen=True)
class NavLink:
    label: str | Promise
    url: str
    staff_only: bool
    current: bool


def nav_links(request: HttpRequest) -> list[NavLink]:
    """The header links the member may follow, the current section marked."""
    links = []
    for config in apps.get_app_configs():
        for item in getattr(config, "nav_items", ()):
            if item.staff_only and not request.user.is_staff:
                continue
            url = reverse(item.url_name)
            links.append(NavLink(item.label, url, item.staff_only, request.path.startswith(url)))
    return links


def home_widgets() -> list[str]:
    return [name for config in apps.get_app_configs() for name in getattr(config, "home_widgets", ())]

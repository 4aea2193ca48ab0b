"""What each app adds to the shared layout: header links and home page widgets.

An app declares them on its AppConfig, so the base template never needs editing when
an app grows a page:

    class DonationsConfig(AppConfig):
        nav_items = [NavItem(_("Donate"), "donations:donate")]
        home_widgets = ["donations/home_widget.html"]
        profile_widgets = ["donations/profile_widget.html"]

Widgets are templates included in the page with its context (`user`, `request`); they
load their own app's template tags for the data they show.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.http import HttpRequest
from django.urls import resolve, reverse
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
    """The header links the member may follow; the current section is the link whose
    address is the longest prefix of the page's (/bookings/mine/ over /bookings/)."""
    items = [
        (item, reverse(item.url_name))
        for config in apps.get_app_configs()
        for item in getattr(config, "nav_items", ())
        if request.user.is_staff or not item.staff_only
    ]
    items = [(item, url) for item, url in items if not item.staff_only or _may_open(request, url)]
    current = max((url for _item, url in items if request.path.startswith(url)), key=len, default=None)
    return [NavLink(item.label, url, item.staff_only, url == current) for item, url in items]


def _may_open(request: HttpRequest, url: str) -> bool:
    """Whether the user's role grants what the staff page asks (coworking.decorators)."""
    permissions = getattr(resolve(url).func, "staff_permissions", ())
    return request.user.has_perms(permissions)


def widgets(kind: str) -> list[str]:
    """The templates apps add to a page: kind is "home_widgets", "profile_widgets" or
    "place_actions" (buttons on a building's or room's page)."""
    return [name for config in apps.get_app_configs() for name in getattr(config, kind, ())]

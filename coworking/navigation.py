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

import functools
from dataclasses import dataclass

from django.apps import apps
from django.http import HttpRequest
from django.urls import URLResolver, get_resolver, get_script_prefix, get_urlconf, resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import get_language


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
    user = request.user
    items = [
        (item, url)
        for item, url, permissions in _addresses(
            get_resolver(get_urlconf()), get_script_prefix(), get_language()
        )
        # A staff page only for staff whose role grants what it asks (coworking.decorators).
        if not item.staff_only or (user.is_staff and user.has_perms(permissions))
    ]
    current = max((url for _item, url in items if request.path.startswith(url)), key=len, default=None)
    return [NavLink(item.label, url, item.staff_only, url == current) for item, url in items]


@functools.lru_cache(maxsize=32)
def _addresses(resolver: URLResolver, script_prefix: str, language: str) -> tuple:
    """Every app's header items with their address and, for staff pages, the permissions
    the page asks: the same for every request, so reversed and resolved once per URL
    configuration, script prefix and language (the arguments are the cache's key)."""
    addresses = []
    for config in apps.get_app_configs():
        for item in getattr(config, "nav_items", ()):
            url = reverse(item.url_name)
            permissions = getattr(resolve(url).func, "staff_permissions", ()) if item.staff_only else ()
            addresses.append((item, url, tuple(permissions)))
    return tuple(addresses)


def widgets(kind: str) -> list[str]:
    """The templates apps add to a page: kind is "home_widgets", "profile_widgets" or
    "place_actions" (buttons on a building's or room's page)."""
    return [name for config in apps.get_app_configs() for name in getattr(config, kind, ())]

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from coworking.navigation import nav_links


def site(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    return {
        "SPACE_NAME": settings.SPACE_NAME,
        "NAV_LINKS": nav_links(request) if authenticated else [],
    }

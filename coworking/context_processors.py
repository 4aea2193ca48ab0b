from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from coworking.navigation import nav_links


def site(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    links = nav_links(request) if user is not None and user.is_authenticated else []
    return {
        "SPACE_NAME": settings.SPACE_NAME,
        "NAV_LINKS": [link for link in links if not link.staff_only],
        "STAFF_LINKS": [link for link in links if link.staff_only],
    }

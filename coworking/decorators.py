"""The one gate in front of every staff page outside the admin."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


class StaffOnly(PermissionDenied):
    """A member followed a link to a staff page: the 403 page tells them it is for staff."""


def staff_required(view: Callable) -> Callable:
    """Visitors go to the site's login and come back; members who are not staff get the
    403 page (not the admin's login, which would ask them to sign in as someone else)."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_staff:
            raise StaffOnly
        return view(request, *args, **kwargs)

    return wrapper

"""The one gate in front of every staff page outside the admin."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


class StaffOnly(PermissionDenied):
    """A member followed a link to a staff page: the 403 page tells them it is for staff."""


def staff_required(*permissions: str) -> Callable[[Callable], Callable]:
    """A staff page for staff whose role grants every one of `permissions` (staff.roles).

    Visitors go to the site's login and come back; members, and staff whose role lacks a
    permission, get the 403 page (not the admin's login, which would ask them to sign in
    as someone else). Being staff is not enough by itself: the role decides.
    """
    if not permissions or not all(isinstance(permission, str) for permission in permissions):
        raise TypeError("staff_required takes the permissions a page needs, e.g. 'visits.add_visit'.")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not (request.user.is_staff and request.user.has_perms(permissions)):
                raise StaffOnly
            return view(request, *args, **kwargs)

        wrapper.staff_permissions = permissions  # the header shows the page only to those
        return wrapper

    return decorator

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


def signed_in_user(request: HttpRequest):
    """The signed-in user, or None for a visitor and whenever the user cannot be known: the
    database is down (a readiness probe with a session cookie must still answer 503, and an
    error page must still render) or the request never passed the authentication middleware.
    The lazy user is asked once; a failed lookup is asked again next time."""
    user = getattr(request, "user", None)
    try:
        return user if user is not None and user.is_authenticated else None
    except DatabaseError:
        return None


class PrivateCacheMiddleware:
    """A signed-in member's pages are theirs alone: no shared cache (a proxy, a CDN) may
    keep one. A view that chose its own Cache-Control keeps it.

    Sits after UserLanguageMiddleware, which has already asked who the user is: asking
    here never adds a query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and signed_in_user(request):
            patch_cache_control(response, private=True)
        return response


class RefuseNulMiddleware:
    """A NUL byte in the path or the query string is never a real value, and PostgreSQL
    refuses it in every text column: the admin's list filters passed one straight into a
    query (a 500). Answer 400 before any view sees it. Forms refuse NUL on their own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.GET.lists()
        if "\x00" in request.path or any("\x00" in name + "".join(values) for name, values in query):
            raise BadRequest("A NUL byte in the address.")
        return self.get_response(request)

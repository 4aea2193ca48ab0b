from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class PrivateCacheMiddleware:
    """A signed-in member's pages are theirs alone: no shared cache (a proxy, a CDN) may
    keep one. A view that chose its own Cache-Control keeps it.

    Sits after UserLanguageMiddleware, which has already asked who the user is: asking
    here never adds a query, nor fails again when the database is down.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True)
        return response

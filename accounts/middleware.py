from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from coworking.middleware import signed_in_user


class UserLanguageMiddleware:
    """A member's saved language wins over the browser's and the cookie's.

    Runs after LocaleMiddleware (which handled anonymous visitors) and after
    AuthenticationMiddleware, so request.user is known.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = signed_in_user(request)
        language = user.language if user else ""
        if language and language != request.LANGUAGE_CODE:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)

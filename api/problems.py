"""Errors as application/problem+json (RFC 9457), with a stable machine `code`.

The codes of the services' own errors (BookingError, VisitError, DonationError) pass
through unchanged, with the same translated message the pages show; the language is
the member's, else Accept-Language (LocaleMiddleware).
"""

from __future__ import annotations

import json
import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from bookings.services import BookingError, SlotTaken
from donations.services import DonationError
from visits.services import VisitError

logger = logging.getLogger(__name__)
CONTENT_TYPE = "application/problem+json"

# Codes that are a conflict with the state of things rather than bad input.
CONFLICTS = {"taken", "not_active", "started", "cutoff", "cancel_instead", "not_releasable", "final"}


class Problem(Exception):
    """An API error with a status, a stable code and a message for people."""

    def __init__(self, status: int, code: str, detail: str, **extra) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.extra = extra


def invalid_form(form, rename: dict[str, str] | None = None) -> Problem:
    """A page's form refused the input: 422 `invalid`, each error under the API's name
    for its field (`rename` maps the form's names; "" for the form as a whole)."""
    rename = {"__all__": "", **(rename or {})}
    errors = [
        {"field": rename.get(name, name), "message": " ".join(messages)}
        for name, messages in form.errors.items()
    ]
    return Problem(422, "invalid", _("Some fields are not valid."), errors=errors)


def problem_response(status: int, code: str, detail: str, **extra) -> HttpResponse:
    body = {"type": f"urn:coworking:problem:{code}", "title": detail, "status": status, "code": code}
    body["detail"] = detail
    body.update(extra)
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE)


def _status_of(code: str) -> int:
    if code == "forbidden":
        return 403
    return 409 if code in CONFLICTS else 422


def _field(loc: list) -> str:
    # ("body", "payload", "start") -> "start"; ("query", "building") -> "building"
    names = [str(part) for part in loc[1:] if part != "payload"]
    return ".".join(names) or str(loc[0])


def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": _field(list(error.get("loc", ["body"]))), "message": error.get("msg", "")}
        for error in exc.errors
    ]
    return problem_response(422, "invalid", _("Some fields are not valid."), errors=errors)


def _booking(request: HttpRequest, exc: BookingError) -> HttpResponse:
    extra = {}
    if isinstance(exc, SlotTaken):
        extra["alternatives"] = [
            {
                "desk": alt.resource.pk if alt.resource._meta.model_name == "desk" else None,
                "room": alt.resource.pk if alt.resource._meta.model_name == "room" else None,
                "start": alt.start.isoformat(),
                "end": alt.end.isoformat(),
            }
            for alt in exc.alternatives
        ]
    return problem_response(_status_of(exc.code), exc.code, exc.message, **extra)


def _visit(request: HttpRequest, exc: VisitError) -> HttpResponse:
    return problem_response(_status_of(exc.code), exc.code, exc.message)


def _donation(request: HttpRequest, exc: DonationError) -> HttpResponse:
    code = exc.code or "invalid"
    return problem_response(_status_of(code), code, " ".join(exc.messages))


def _django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return problem_response(422, exc.code or "invalid", " ".join(exc.messages))


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        response = problem_response(401, "not_authenticated", _("Log in or send a valid token."))
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    if isinstance(exc, Throttled):
        return problem_response(429, "throttled", _("Too many requests. Try again later."))
    if exc.status_code == 403:  # ninja's own CSRF refusal
        return problem_response(403, "csrf_failed", _("The CSRF token is missing or wrong."))
    if exc.status_code == 400:  # a body that is not JSON
        return problem_response(400, "bad_request", _("The request body is not valid JSON."))
    return problem_response(exc.status_code, "error", str(exc))


def _problem(request: HttpRequest, exc: Problem) -> HttpResponse:
    return problem_response(exc.status, exc.code, exc.detail, **exc.extra)


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(404, "not_found", _("Not found."))


def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem_response(403, "forbidden", _("You are not allowed to do this."))


def install(api: NinjaAPI) -> None:
    for exc_class, handler in [
        (ValidationError, _validation),
        (HttpError, _http_error),
        (Http404, _not_found),
        (PermissionDenied, _forbidden),
        (Problem, _problem),
        (BookingError, _booking),
        (VisitError, _visit),
        (DonationError, _donation),
        (DjangoValidationError, _django_validation),
    ]:
        api.add_exception_handler(exc_class, handler)


def not_found_view(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other address under the API answers in the API's format."""
    return problem_response(404, "not_found", _("Not found."))

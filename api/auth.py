"""Who is calling: a personal access token or a JWT (Authorization: Bearer), or the
browser session with its CSRF token. Each gives a Principal with a scope:

- read: safe methods only (a personal token of that scope);
- read_write: what the member can do on the site;
- staff: the staff endpoints too (staff members' JWTs and sessions, staff tokens), and
  only while the member is still staff.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.throttling import SimpleRateThrottle

from accounts.models import User
from api.models import ApiToken, Scope
from api.problems import Problem
from api.tokens import PAT_PREFIX, TokenRejected, access_user, personal_token

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass(frozen=True)
class Principal:
    user: User
    kind: str  # "token", "jwt" or "session"
    scope: str
    token: ApiToken | None = None

    @property
    def can_write(self) -> bool:
        return self.scope != Scope.READ

    @property
    def is_staff(self) -> bool:
        return self.scope == Scope.STAFF and self.user.is_staff


def _full_scope(user: User) -> str:
    return Scope.STAFF if user.is_staff else Scope.READ_WRITE


def _admit(request: HttpRequest, principal: Principal) -> Principal:
    request.user = principal.user
    if principal.kind != "session" and principal.user.language and "HTTP_ACCEPT_LANGUAGE" not in request.META:
        # A program that states no language gets the member's, as the pages do.
        translation.activate(principal.user.language)
        request.LANGUAGE_CODE = principal.user.language
    if request.method not in SAFE_METHODS and not principal.can_write:
        raise Problem(403, "insufficient_scope", _("This token may only read."))
    return principal


TOKEN_REFUSALS = {
    "token_invalid": lambda: _("This token is not valid."),
    "token_expired": lambda: _("This token has expired."),
    "token_revoked": lambda: _("This token has been revoked."),
    "token_reused": lambda: _("This refresh token was already used; the app must log in again."),
}


def rejected(error: TokenRejected) -> Problem:
    return Problem(401, error.code, TOKEN_REFUSALS[error.code]())


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Principal:
        if token.startswith(PAT_PREFIX):
            pat = personal_token(token)
            if pat is None:
                raise Problem(401, "token_invalid", _("This token is not valid, has expired or was revoked."))
            scope = pat.scope if pat.scope != Scope.STAFF or pat.user.is_staff else Scope.READ_WRITE
            return _admit(request, Principal(pat.user, "token", scope, pat))
        try:
            user = access_user(token)
        except TokenRejected as error:
            raise rejected(error) from error
        return _admit(request, Principal(user, "jwt", _full_scope(user)))


class SessionAuth(NinjaSessionAuth):
    """The site's own login; ninja checks the CSRF token on unsafe methods."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Principal | None:
        if not request.user.is_authenticated:
            return None
        return _admit(request, Principal(request.user, "session", _full_scope(request.user)))


def require_staff(request: HttpRequest, *permissions: str) -> Principal:
    """The staff pages' gate (coworking.decorators.staff_required): staff whose role grants
    every one of `permissions`, with a credential of staff scope."""
    principal: Principal = request.auth
    if not (principal.is_staff and principal.user.has_perms(permissions)):
        raise Problem(403, "staff_only", _("This is for staff only."))
    return principal


class PrincipalThrottle(SimpleRateThrottle):
    """Per token (a personal token) or per member (JWT and session), counted in the
    shared cache, so every server process sees the same count."""

    def __init__(self) -> None:
        super().__init__(rate=settings.API_THROTTLE_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        # Read at each request, so a changed setting holds without building the API again.
        self.rate = settings.API_THROTTLE_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        principal = getattr(request, "auth", None)
        if not isinstance(principal, Principal):
            return None
        ident = f"token{principal.token.pk}" if principal.token else f"user{principal.user.pk}"
        return f"api-throttle:{ident}"

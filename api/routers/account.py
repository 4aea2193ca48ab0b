"""Logging an app in (JWT obtain, refresh, revoke) and the caller's own profile."""

from allauth.account.adapter import get_adapter
from django.apps import apps
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from api.auth import Principal, rejected
from api.pagination import Cursor
from api.problems import Problem
from api.schemas import PROBLEMS, KarmaEntryOut, MeOut, RefreshIn, TokenObtainIn, TokenPairOut
from api.tokens import TokenRejected, obtain_pair, refresh_pair, revoke_session

router = Router(tags=["account"])


def _has_second_factor(user) -> bool:
    if not apps.is_installed("allauth.mfa"):
        return False
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user).exists()


@router.post(
    "/auth/token", auth=None, response={200: TokenPairOut, **PROBLEMS}, summary="Log an app in (JWT)"
)
def obtain_token(request: HttpRequest, payload: TokenObtainIn):
    """Email and password, checked like the site's login form: the same authentication
    backends and the same failed-login rate limits; deactivated members are refused."""
    try:
        user = get_adapter(request).authenticate(request, email=payload.email, password=payload.password)
    except ValidationError as error:  # allauth's rate limit
        raise Problem(429, "too_many_login_attempts", " ".join(error.messages)) from error
    if user is None or not user.is_active:
        raise Problem(
            401, "invalid_credentials", _("The email address and/or password you specified are not correct.")
        )
    if _has_second_factor(user):
        raise Problem(
            403,
            "mfa_required",
            _("This account uses two-factor login: create a personal access token instead."),
        )
    return obtain_pair(user)


@router.post(
    "/auth/token/refresh",
    auth=None,
    response={200: TokenPairOut, **PROBLEMS},
    summary="Rotate a refresh token",
)
def refresh_token(request: HttpRequest, payload: RefreshIn):
    """A new access and refresh token; the refresh token sent is used up. Sending a used
    one again revokes the whole login (it was stolen, or the app is confused)."""
    try:
        return refresh_pair(payload.refresh)
    except TokenRejected as error:
        raise rejected(error) from error


@router.post("/auth/token/revoke", auth=None, response={204: None, **PROBLEMS}, summary="Log an app out")
def revoke_token(request: HttpRequest, payload: RefreshIn):
    """Ends the login: its refresh token and all its access tokens stop working at once."""
    try:
        revoke_session(payload.refresh)
    except TokenRejected as error:
        if error.code != "token_expired":
            raise rejected(error) from error
    return Status(204, None)


@router.get("/me", response={200: MeOut, **PROBLEMS})
def me(request: HttpRequest):
    principal: Principal = request.auth
    user = principal.user
    return MeOut(
        id=user.pk,
        email=user.email,
        full_name=user.full_name,
        language=user.language or request.LANGUAGE_CODE,
        karma=user.karma,
        is_staff=user.is_staff,
        date_joined=user.date_joined,
        scope=principal.scope,
    )


@router.get("/me/karma", response={200: list[KarmaEntryOut], **PROBLEMS}, summary="My karma ledger")
@paginate(Cursor, ordering=("-created_at", "-pk"))
def karma(request: HttpRequest):
    return request.user.karma_entries.all()

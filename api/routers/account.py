"""Logging an app in (JWT obtain, refresh, revoke) and the caller's own profile."""

from allauth.account.adapter import get_adapter
from django.apps import apps
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from accounts.forms import ProfileForm
from api.auth import Principal, rejected
from api.pagination import Cursor
from api.problems import Problem, invalid_form
from api.schemas import (
    PROBLEMS,
    CalendarFeedOut,
    KarmaEntryOut,
    MeOut,
    ProfileIn,
    RefreshIn,
    TokenObtainIn,
    TokenPairOut,
)
from api.tokens import TokenRejected, obtain_pair, refresh_pair, revoke_session
from bookings.models import CalendarFeed

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


@router.patch("/me", response={200: MeOut, **PROBLEMS}, summary="Change my profile")
def update_me(request: HttpRequest, payload: ProfileIn):
    """Name, language, visibility to other members: the profile page's form and rules."""
    user = request.user
    data = {
        "full_name": user.full_name,
        "language": user.language or request.LANGUAGE_CODE,
        "visible_to_members": user.visible_to_members,
        # Not in the API's schema (yet): kept as the profile page set it.
        "home_building": user.home_building_id,
        **payload.model_dump(exclude_unset=True),
    }
    form = ProfileForm(data, instance=user)
    if not form.is_valid():
        raise invalid_form(form)
    form.save()
    return me(request)


def _feed_urls(request: HttpRequest, feed: CalendarFeed) -> CalendarFeedOut:
    url = request.build_absolute_uri(reverse("bookings:feed", args=[feed.token]))
    return CalendarFeedOut(url=url, webcal_url="webcal://" + url.split("://", 1)[1])


@router.get("/me/calendar", response={200: CalendarFeedOut, **PROBLEMS}, summary="My calendar feed")
def calendar_feed(request: HttpRequest):
    """The private iCalendar address of my bookings; 404 until one is made (POST)."""
    return _feed_urls(request, get_object_or_404(CalendarFeed, user=request.user))


@router.post("/me/calendar", response={200: CalendarFeedOut, **PROBLEMS}, summary="Make a new calendar feed")
def new_calendar_feed(request: HttpRequest):
    """Makes the address, or a new one: the old address stops working."""
    feed, created = CalendarFeed.objects.get_or_create(user=request.user)
    if not created:
        feed.regenerate()
    return _feed_urls(request, feed)


@router.get("/me/karma", response={200: list[KarmaEntryOut], **PROBLEMS}, summary="My karma ledger")
@paginate(Cursor, ordering=("-created_at", "-pk"))
def karma(request: HttpRequest):
    return request.user.karma_entries.all()

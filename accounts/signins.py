"""Recent sign-ins and new-device emails.

A device is a browser, known by a random token it keeps in a long-lived cookie (OWASP's
"device cookie"; GitLab's unknown-sign-in email works the same way). Neither the IP
address nor the user agent can stand in for it here: every member in the building shares
the coworking's public address, and the user agent changes with each browser update while
being the same for every phone of a model. The cookie names no member: a browser shared by
two members is one token, known to each of them once they have signed in with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import re
import secrets

from allauth.account.adapter import get_adapter
from allauth.account.authentication import get_authentication_records
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ua_parser import parse as parse_user_agent

from accounts.models import KnownDevice, SignIn, SignInMethod, User, normalize_email

# How many sign-ins, and separately how many failed tries, each member's history keeps.
SIGN_IN_HISTORY = 10
DEVICE_COOKIE = "device"
# A device unused this long is forgotten, as the browser forgets the cookie.
DEVICE_COOKIE_AGE = dt.timedelta(days=365)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
LDAP_BACKEND = "accounts.directory.LDAPBackend"


def record_sign_in(
    sender, request: HttpRequest, user: User, response: HttpResponse | None = None, **kwargs
) -> None:
    """allauth's user_logged_in: log the sign-in, remember the browser, and email the member
    when it is a browser they have not signed in from before (never on their first sign-in).
    """
    token = request.COOKIES.get(DEVICE_COOKIE, "")
    if not _TOKEN.fullmatch(token):
        token = secrets.token_urlsafe(32)
    method, provider, second_factor = _method(request, user, kwargs.get("sociallogin"))
    now = timezone.now()
    with transaction.atomic():
        signed_in_before = SignIn.objects.filter(user=user, succeeded=True).exists()
        device, created = KnownDevice.objects.get_or_create(
            user=user, token_hash=_digest(token), defaults={"first_seen": now, "last_seen": now}
        )
        if not created:
            KnownDevice.objects.filter(pk=device.pk).update(last_seen=now)
        sign_in = SignIn.objects.create(
            user=user,
            at=now,
            method=method,
            provider=provider,
            second_factor=second_factor,
            new_device=created and signed_in_before,
            **_client(request),
        )
        _prune(user, succeeded=True)
        KnownDevice.objects.filter(user=user, last_seen__lt=now - DEVICE_COOKIE_AGE).delete()
    if response is not None:
        response.set_cookie(
            DEVICE_COOKIE,
            token,
            max_age=int(DEVICE_COOKIE_AGE.total_seconds()),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    if sign_in.new_device:
        context = {
            "sign_in": sign_in,
            "sessions_url": request.build_absolute_uri(reverse("usersessions_list")),
        }
        get_adapter(request).send_notification_mail("account/email/signin_new_device", user, context)


def record_failed_sign_in(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    """Django's user_login_failed: a wrong password typed for a member's address."""
    address = credentials.get("email") or credentials.get("username") or ""
    if request is None or not isinstance(address, str) or not address:
        return
    user = User.objects.filter(email=normalize_email(address)).first()
    if user is None:
        return
    # Members the directory created have no local password: only the directory's was tried.
    from_directory = LDAP_BACKEND in settings.AUTHENTICATION_BACKENDS and not user.has_usable_password()
    method = SignInMethod.DIRECTORY if from_directory else SignInMethod.PASSWORD
    with transaction.atomic():
        SignIn.objects.create(user=user, succeeded=False, method=method, **_client(request))
        _prune(user, succeeded=False)


def recent_sign_ins(user: User) -> list[SignIn]:
    """The member's newest sign-ins and failed tries, newest first (one query)."""
    return list(SignIn.objects.filter(user=user)[:SIGN_IN_HISTORY])


def device_label(user_agent: str) -> str:
    """A label like "Chrome 140 · Linux"; the raw user agent when it names no browser."""
    # Real user agents are a few hundred characters; a longer one would only cost regex time.
    user_agent = user_agent[:512]
    parsed = parse_user_agent(user_agent)
    parts = []
    if parsed.user_agent and parsed.user_agent.family != "Other":
        browser = parsed.user_agent
        parts.append(f"{browser.family} {browser.major}" if browser.major else browser.family)
    if parsed.os and parsed.os.family != "Other":
        parts.append(parsed.os.family)
    return " · ".join(parts) or user_agent[:200]


def _method(request: HttpRequest, user: User, sociallogin) -> tuple[str, str, bool]:
    """How the member proved who they are: (method, provider's name, second factor used).

    allauth records each step of this sign-in in the session (password, provider, code or
    passkey); Django records which backend accepted the password.
    """
    records = get_authentication_records(request, user)
    mfa = [
        record for record in records if record.get("method") == "mfa" and not record.get("reauthenticated")
    ]
    if any(record.get("passwordless") for record in mfa):
        return SignInMethod.PASSKEY, "", False
    second_factor = bool(mfa)
    if sociallogin is not None:
        return SignInMethod.SSO, sociallogin.account.get_provider().name[:100], second_factor
    if request.session.get(BACKEND_SESSION_KEY) == LDAP_BACKEND:
        return SignInMethod.DIRECTORY, "", second_factor
    return SignInMethod.PASSWORD, "", second_factor


def _client(request: HttpRequest) -> dict:
    try:
        ip = get_adapter(request).get_client_ip(request)
        ipaddress.ip_address(ip)
    except (PermissionDenied, ValueError):
        ip = None
    return {"ip": ip, "device": device_label(request.META.get("HTTP_USER_AGENT", ""))}


def _prune(user: User, *, succeeded: bool) -> None:
    rows = SignIn.objects.filter(user=user, succeeded=succeeded)
    rows.exclude(pk__in=rows.order_by("-at", "-pk").values("pk")[:SIGN_IN_HISTORY]).delete()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()

"""Issuing and checking the API's credentials: personal access tokens and JWTs.

Personal access tokens are `cwk_` and 43 random characters; the database holds their
SHA-256 digest only. JWTs are HS256-signed with SECRET_KEY: a short-lived access token
and a longer refresh token that is rotated at each use. Both carry a fingerprint of the
member's password hash, so a password change ends every app login at once, and the id of
their JwtSession, so logging out ends them too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass

import jwt
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import User
from api.models import ApiToken, JwtSession, RefreshToken, Scope

PAT_PREFIX = "cwk_"
ALGORITHM = "HS256"
ISSUER = "coworking"


class TokenRejected(Exception):
    """A JWT that is malformed, expired, revoked or reused; `code` says which."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_personal_token(
    user: User, *, name: str, scope: str, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token and its raw value, which is never stored and shown to the member once."""
    if scope == Scope.STAFF and not user.is_staff:
        raise ValueError("Only staff can create staff tokens.")
    raw = PAT_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        prefix=raw[: len(PAT_PREFIX) + 6],
        digest=digest(raw),
        expires_at=expires_at,
    )
    return token, raw


def personal_token(raw: str, now: dt.datetime | None = None) -> ApiToken | None:
    """The usable token with this value, its last use recorded (at most once a minute)."""
    now = now or timezone.now()
    token = ApiToken.objects.usable(now).select_related("user").filter(digest=digest(raw)).first()
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def revoke_personal_token(token: ApiToken, now: dt.datetime | None = None) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now or timezone.now())


def _password_fingerprint(user: User) -> str:
    return salted_hmac("api.jwt.password", user.password, algorithm="sha256").hexdigest()[:32]


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    access_expires_at: dt.datetime
    refresh_expires_at: dt.datetime


def _encode(claims: dict) -> str:
    return jwt.encode({**claims, "iss": ISSUER}, settings.SECRET_KEY, algorithm=ALGORITHM)


def _issue(session: JwtSession, user: User, now: dt.datetime) -> TokenPair:
    access_expires = now + dt.timedelta(minutes=settings.API_ACCESS_TOKEN_MINUTES)
    refresh_expires = now + dt.timedelta(days=settings.API_REFRESH_TOKEN_DAYS)
    refresh = RefreshToken.objects.create(session=session, expires_at=refresh_expires)
    common = {"sub": str(user.pk), "sid": str(session.pk), "pwd": _password_fingerprint(user), "iat": now}
    return TokenPair(
        access=_encode({**common, "typ": "access", "exp": access_expires}),
        refresh=_encode({**common, "typ": "refresh", "jti": str(refresh.jti), "exp": refresh_expires}),
        access_expires_at=access_expires,
        refresh_expires_at=refresh_expires,
    )


def obtain_pair(user: User, now: dt.datetime | None = None) -> TokenPair:
    now = now or timezone.now()
    with transaction.atomic():
        session = JwtSession.objects.create(user=user, created_at=now)
        return _issue(session, user, now)


def _decode(raw: str, kind: str, now: dt.datetime) -> dict:
    try:
        claims = jwt.decode(
            raw,
            settings.SECRET_KEY,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            # Expiry is checked against `now` below, the clock the rest of the app uses.
            options={
                "require": ["exp", "sub", "sid", "typ", "pwd"],
                "verify_exp": False,
                "verify_iat": False,
            },
        )
    except jwt.PyJWTError as error:
        raise TokenRejected("token_invalid") from error
    if claims["typ"] != kind or not isinstance(claims["exp"], int | float):
        raise TokenRejected("token_invalid")
    if claims["exp"] <= now.timestamp():
        raise TokenRejected("token_expired")
    try:
        claims["sid"] = uuid.UUID(str(claims["sid"]))
        if kind == "refresh":
            claims["jti"] = uuid.UUID(str(claims.get("jti")))
    except ValueError as error:
        raise TokenRejected("token_invalid") from error
    return claims


def _check_session(session: JwtSession | None, claims: dict) -> User:
    if session is None or session.revoked_at is not None or str(session.user_id) != str(claims["sub"]):
        raise TokenRejected("token_revoked")
    user = session.user
    if not user.is_active:
        raise TokenRejected("token_revoked")
    if not constant_time_compare(claims["pwd"], _password_fingerprint(user)):
        raise TokenRejected("token_revoked")  # the password changed since
    return user


def access_user(raw: str, now: dt.datetime | None = None) -> User:
    """The member an access token stands for, or TokenRejected."""
    now = now or timezone.now()
    claims = _decode(raw, "access", now)
    session = JwtSession.objects.select_related("user").filter(pk=claims["sid"]).first()
    return _check_session(session, claims)


def refresh_pair(raw: str, now: dt.datetime | None = None) -> TokenPair:
    """Swap a refresh token for a new pair. A refresh token used twice means it was
    stolen: the whole session is revoked, for the thief and the app alike."""
    now = now or timezone.now()
    claims = _decode(raw, "refresh", now)
    with transaction.atomic():
        session = (
            JwtSession.objects.select_for_update().select_related("user").filter(pk=claims["sid"]).first()
        )
        user = _check_session(session, claims)
        token = RefreshToken.objects.select_for_update().filter(jti=claims["jti"], session=session).first()
        if token is None or token.expires_at <= now:
            raise TokenRejected("token_invalid")
        reused = token.used_at is not None
        if reused:
            JwtSession.objects.filter(pk=session.pk).update(revoked_at=now)
        else:
            token.used_at = now
            token.save(update_fields=["used_at"])
            pair = _issue(session, user, now)
    if reused:  # raised after the commit, so the revocation sticks
        raise TokenRejected("token_reused")
    return pair


def revoke_session(raw_refresh: str, now: dt.datetime | None = None) -> None:
    """Log an app out: its refresh token and every access token of its session stop working."""
    now = now or timezone.now()
    claims = _decode(raw_refresh, "refresh", now)
    JwtSession.objects.filter(pk=claims["sid"], user_id=claims["sub"], revoked_at__isnull=True).update(
        revoked_at=now
    )

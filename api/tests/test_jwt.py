"""JWT for apps: obtain through the site's login rules, refresh with rotation, reuse
detection, expiry, revocation on logout and on a password change."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.apps import apps
from django.core.cache import cache
from django.utils import timezone

from api.tests.conftest import ApiClient
from api.tokens import obtain_pair

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]


@pytest.fixture(autouse=True)
def _no_rate_limit_history():
    cache.clear()


def _obtain(email, password):
    return ApiClient().post(
        "/api/v1/auth/token", {"email": email, "password": password}, HTTP_ACCEPT_LANGUAGE="en"
    )


def test_obtain_gives_a_working_pair(member, password):
    response = _obtain(member.email, password)

    assert response.status_code == 200
    pair = response.json()
    assert pair["token_type"] == "Bearer"
    me = ApiClient(pair["access"]).get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["email"] == member.email


def test_wrong_password_is_401(member):
    response = _obtain(member.email, "wrong")

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_email_is_matched_like_the_login_form(member, password):
    assert _obtain(member.email.upper(), password).status_code == 200


def test_deactivated_member_is_refused(member, password):
    member.is_active = False
    member.save(update_fields=["is_active"])

    assert _obtain(member.email, password).status_code == 401


def test_failed_logins_hit_the_sites_rate_limit(member, password, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/5m/key"}

    codes = [_obtain(member.email, "wrong").json()["code"] for _ in range(4)]

    assert codes == ["invalid_credentials"] * 3 + ["too_many_login_attempts"]
    assert _obtain(member.email, password).status_code == 429  # even the right password now


def test_access_token_expires(member):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        pair = obtain_pair(member)
    with time_machine.travel(start + dt.timedelta(minutes=15, seconds=1), tick=False):
        response = ApiClient(pair.access).get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_login(member, password):
    first = _obtain(member.email, password).json()

    second = ApiClient().post("/api/v1/auth/token/refresh", {"refresh": first["refresh"]})
    assert second.status_code == 200
    second = second.json()
    assert second["refresh"] != first["refresh"]
    assert ApiClient(second["access"]).get("/api/v1/me").status_code == 200

    reused = ApiClient().post("/api/v1/auth/token/refresh", {"refresh": first["refresh"]})
    assert reused.status_code == 401
    assert reused.json()["code"] == "token_reused"
    # The thief's replay ended the whole login, the app's newer tokens included.
    assert ApiClient(second["access"]).get("/api/v1/me").status_code == 401
    assert ApiClient().post("/api/v1/auth/token/refresh", {"refresh": second["refresh"]}).status_code == 401


def test_logout_revokes_access_and_refresh(member, password):
    pair = _obtain(member.email, password).json()

    response = ApiClient().post("/api/v1/auth/token/revoke", {"refresh": pair["refresh"]})

    assert response.status_code == 204
    assert ApiClient(pair["access"]).get("/api/v1/me").json()["code"] == "token_revoked"
    assert ApiClient().post("/api/v1/auth/token/refresh", {"refresh": pair["refresh"]}).status_code == 401


def test_password_change_revokes_every_app_login(member, password):
    pair = _obtain(member.email, password).json()

    member.set_password("another-long-passphrase")
    member.save()

    assert ApiClient(pair["access"]).get("/api/v1/me").json()["code"] == "token_revoked"
    assert ApiClient().post("/api/v1/auth/token/refresh", {"refresh": pair["refresh"]}).status_code == 401


def test_member_with_a_second_factor_must_use_a_personal_token(member, password):
    if not apps.is_installed("allauth.mfa"):
        pytest.skip("two-factor login is not installed")
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=member, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x"})

    response = _obtain(member.email, password)

    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


def test_access_token_is_not_a_refresh_token(member, password):
    pair = _obtain(member.email, password).json()

    response = ApiClient().post("/api/v1/auth/token/refresh", {"refresh": pair["access"]})

    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


@pytest.mark.parametrize("garbage", ["x", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."])
def test_garbage_bearer_is_401_not_500(db, garbage):
    response = ApiClient(garbage).get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"

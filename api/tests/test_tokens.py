"""Personal access tokens: created on the member's page, shown once, hashed, scoped,
expiring, revocable, with their last use recorded."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken, Scope
from api.tests.conftest import ApiClient
from api.tokens import create_personal_token

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]


def test_profile_links_to_the_token_page(client, member):
    client.force_login(member)

    response = client.get(reverse("accounts:profile"))

    assert f'href="{reverse("api:tokens")}"' in response.content.decode()


def test_member_creates_a_token_shown_once_and_stored_hashed(client, member):
    client.force_login(member)

    response = client.post(reverse("api:tokens"), {"name": "Door", "scope": "read", "expires_on": ""})

    assert response.status_code == 200
    raw = response.context["created"]["raw"]
    assert raw.startswith("cwk_") and len(raw) == 47
    assert raw in response.content.decode()
    token = ApiToken.objects.get(user=member)
    assert (token.name, token.scope, token.expires_at, token.prefix) == ("Door", "read", None, raw[:10])
    # The raw token is nowhere in the database.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apitoken")
        assert raw not in repr(cursor.fetchall())
    # Shown once: the page never shows it again.
    assert raw not in client.get(reverse("api:tokens")).content.decode()


def test_member_cannot_choose_the_staff_scope(client, member):
    client.force_login(member)

    response = client.post(reverse("api:tokens"), {"name": "X", "scope": "staff"})

    assert response.status_code == 200
    assert "scope" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_token_expiry_must_be_after_today(client, member):
    client.force_login(member)

    response = client.post(
        reverse("api:tokens"), {"name": "X", "scope": "read", "expires_on": timezone.localdate().isoformat()}
    )

    assert response.context["form"].errors == {"expires_on": ["Choose a day after today."]}


def test_read_token_reads_but_may_not_write(member):
    _token, raw = create_personal_token(member, name="ro", scope=Scope.READ)
    api = ApiClient(raw)

    assert api.get("/api/v1/me").json()["scope"] == "read"
    response = api.post("/api/v1/visits/check-out", {}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"


def test_revoked_token_is_refused(client, member):
    token, raw = create_personal_token(member, name="gone", scope=Scope.READ)
    client.force_login(member)

    client.post(reverse("api:revoke", args=[token.pk]))

    token.refresh_from_db()
    assert token.revoked_at is not None
    response = ApiClient(raw).get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


def test_member_cannot_revoke_another_members_token(client, member, staff):
    token, _raw = create_personal_token(staff, name="theirs", scope=Scope.READ)
    client.force_login(member)

    response = client.post(reverse("api:revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_expired_token_is_refused(member):
    now = timezone.now()
    _token, raw = create_personal_token(
        member, name="old", scope=Scope.READ, expires_at=now + dt.timedelta(days=1)
    )

    with time_machine.travel(now + dt.timedelta(days=1, seconds=1)):
        response = ApiClient(raw).get("/api/v1/me")

    assert response.status_code == 401


def test_last_use_is_recorded(member):
    token, raw = create_personal_token(member, name="used", scope=Scope.READ)
    assert token.last_used_at is None

    ApiClient(raw).get("/api/v1/me")

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_staff_token_of_a_former_staff_member_is_only_read_write(staff):
    _token, raw = create_personal_token(staff, name="ops", scope=Scope.STAFF)
    staff.is_staff = False
    staff.save(update_fields=["is_staff"])

    assert ApiClient(raw).get("/api/v1/me").json()["scope"] == "read_write"


def test_deactivated_members_token_is_refused(member):
    _token, raw = create_personal_token(member, name="x", scope=Scope.READ)
    member.is_active = False
    member.save(update_fields=["is_active"])

    assert ApiClient(raw).get("/api/v1/me").status_code == 401

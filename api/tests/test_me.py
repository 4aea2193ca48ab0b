"""The caller's profile and calendar feed: the profile page's rules through the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from api.models import Scope
from api.tests.conftest import ApiClient
from api.tokens import create_personal_token
from bookings.models import CalendarFeed

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]


def _patch(client: ApiClient, data: dict):
    return client.patch("/api/v1/me", data, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


def test_member_changes_name_and_language(token_client, member):
    response = _patch(token_client, {"full_name": "  Anna Petrova ", "language": "ru"})

    assert response.status_code == 200
    member.refresh_from_db()
    assert (member.full_name, member.language, response.json()["full_name"]) == (
        "Anna Petrova",
        "ru",
        "Anna Petrova",
    )


def test_changing_the_name_keeps_the_home_building(token_client, member):
    from bookings.tests.factories import BuildingFactory

    home = BuildingFactory()
    member.home_building = home
    member.save()

    assert _patch(token_client, {"full_name": "Anna Petrova"}).status_code == 200

    member.refresh_from_db()
    assert (member.full_name, member.home_building) == ("Anna Petrova", home)


def test_profile_rules_apply(token_client, member):
    response = _patch(token_client, {"full_name": "   ", "language": "de"})

    assert response.status_code == 422
    assert sorted(error["field"] for error in response.json()["errors"]) == ["full_name", "language"]
    member.refresh_from_db()
    assert member.full_name != ""


def test_read_only_token_cannot_change_the_profile(member):
    response = _patch(
        ApiClient(create_personal_token(member, name="ro", scope=Scope.READ)[1]), {"language": "ru"}
    )

    assert response.status_code == 403


def test_calendar_feed_is_made_then_renewed(token_client, member):
    assert token_client.get("/api/v1/me/calendar").status_code == 404

    made = token_client.post("/api/v1/me/calendar", {}).json()
    feed = CalendarFeed.objects.get(user=member)
    assert made["url"] == "http://testserver" + reverse("bookings:feed", args=[feed.token])
    assert made["webcal_url"].startswith("webcal://testserver/")
    assert token_client.get("/api/v1/me/calendar").json() == made

    renewed = token_client.post("/api/v1/me/calendar", {}).json()
    assert renewed["url"] != made["url"]
    assert token_client.get(made["url"].removeprefix("http://testserver")).status_code == 404

"""Buildings, availability (with ETag), visits and donations through the API."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from api.tests.conftest import NOON, TOMORROW
from bookings.tests.factories import BookingFactory, DeskFactory, RoomFactory, local
from donations.models import Donation
from donations.tests.factories import MonthlyGoalFactory, confirmed_donation
from visits.models import Visit
from visits.tests.factories import VisitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.language("en"), pytest.mark.usefixtures("noon")]


def test_buildings_with_opening_hours(token_client, desk):
    building = desk.room.building

    body = token_client.get("/api/v1/buildings").json()

    assert [b["id"] for b in body["results"]] == [building.pk]
    assert body["results"][0]["time_zone"] == "Europe/Moscow"
    assert body["results"][0]["opening_hours"][0] == {
        "weekday": 0,
        "opens_at": "08:00",
        "closes_at": "20:00",
    }
    assert len(body["results"][0]["opening_hours"]) == 7


@pytest.mark.parametrize("count", [1, 3])
def test_desks_list_queries_do_not_grow(token_client, desk, count, django_assert_num_queries):
    DeskFactory.create_batch(count - 1, room=desk.room)
    token_client.get("/api/v1/me")

    # token (1), throttle (6), desks (1), their amenities (1)
    with django_assert_num_queries(9):
        body = token_client.get("/api/v1/desks").json()

    assert len(body["results"]) == count


def test_availability_is_the_sites_search_with_an_etag(token_client, desk):
    building = desk.room.building
    room = RoomFactory(building=building, name="Big", capacity=8)
    start, end = local(building, TOMORROW, 10), local(building, TOMORROW, 12)
    query = {"building": building.pk, "start": start.isoformat(), "end": end.isoformat()}

    first = token_client.get("/api/v1/availability", query)

    assert first.status_code == 200
    assert [d["id"] for d in first.json()["desks"]] == [desk.pk]
    assert [r["id"] for r in first.json()["rooms"]] == [room.pk]
    etag = first["ETag"]
    assert token_client.get("/api/v1/availability", query, HTTP_IF_NONE_MATCH=etag).status_code == 304

    BookingFactory(desk=desk, start=start, end=end)
    changed = token_client.get("/api/v1/availability", query, HTTP_IF_NONE_MATCH=etag)

    assert changed.status_code == 200
    assert changed.json()["desks"] == []
    assert changed["ETag"] != etag


def test_availability_refuses_a_reversed_range(token_client, desk):
    building = desk.room.building
    query = {
        "building": building.pk,
        "start": local(building, TOMORROW, 12).isoformat(),
        "end": local(building, TOMORROW, 10).isoformat(),
    }

    response = token_client.get("/api/v1/availability", query, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 422
    assert response.json()["code"] == "order"


def test_check_in_and_out(token_client, member, desk):
    building = desk.room.building

    first = token_client.post("/api/v1/visits/check-in", {"building": building.pk})
    again = token_client.post("/api/v1/visits/check-in", {"building": building.pk})

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["visit"]["id"] == first.json()["visit"]["id"]
    out = token_client.post("/api/v1/visits/check-out", {})
    assert out.status_code == 200
    assert Visit.objects.get().checked_out_at == NOON
    assert token_client.post("/api/v1/visits/check-out", {}, HTTP_ACCEPT_LANGUAGE="en").json()["code"] == (
        "not_checked_in"
    )


def test_my_visits_are_mine_only(token_client, member, desk):
    building = desk.room.building
    mine = VisitFactory(user=member, building=building, closed=True)
    VisitFactory(user=UserFactory(), building=building, closed=True)

    body = token_client.get("/api/v1/visits").json()

    assert [v["id"] for v in body["results"]] == [mine.pk]


def test_presence_shows_names_as_the_page_does(token_client, member, desk):
    building = desk.room.building
    VisitFactory(user=member, building=building)
    VisitFactory(user=UserFactory(full_name="Shown", visible_to_members=True), building=building)
    VisitFactory(user=UserFactory(full_name="Hidden"), building=building)

    response = token_client.get("/api/v1/presence")

    assert response.json() == {
        "buildings": [{"building_id": building.pk, "count": 3, "names": [member.full_name, "Shown"]}]
    }
    assert token_client.get("/api/v1/presence", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_pledge_and_my_donations(token_client, member):
    response = token_client.post("/api/v1/donations", {"amount": "500.00", "message": "For coffee"})

    assert response.status_code == 201
    donation = Donation.objects.get()
    assert (donation.donor, donation.amount, donation.status) == (member, Decimal("500.00"), "pledged")
    assert [d["id"] for d in token_client.get("/api/v1/donations").json()["results"]] == [donation.pk]


def test_pledge_outside_the_limits_is_refused_with_the_sites_message(token_client):
    response = token_client.post("/api/v1/donations", {"amount": "1.00"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 422
    assert response.json()["code"] == "min"
    assert not Donation.objects.exists()


def test_wall_keeps_anonymity(token_client):
    confirmed_donation(donor=UserFactory(full_name="Named Donor"))
    confirmed_donation(donor=UserFactory(full_name="Secret Donor"), is_anonymous=True)

    names = [entry["name"] for entry in token_client.get("/api/v1/donations/wall").json()["results"]]

    assert sorted(names) == ["Anonymous", "Named Donor"]


def test_goal(token_client):
    MonthlyGoalFactory(amount=Decimal("1000.00"), description="Coffee machine")
    confirmed_donation(amount=Decimal("250.00"))

    assert token_client.get("/api/v1/donations/goal").json() == {
        "month": "2026-03-01",
        "goal": "1000.00",
        "description": "Coffee machine",
        "raised": "250.00",
        "percent": 25,
    }


def test_another_members_donation_is_404(token_client):
    other = confirmed_donation(donor=UserFactory())

    assert token_client.get(f"/api/v1/donations/{other.pk}").status_code == 404

"""Every list answers in a fixed number of queries, whatever its length (1 or 3 items)."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.services import award_karma
from api.models import Scope
from api.tests.conftest import NOON, TOMORROW, ApiClient
from api.tokens import create_personal_token
from bookings.tests.factories import BookingFactory, DeskFactory, RoomFactory, local
from donations.tests.factories import DonationFactory, confirmed_donation
from visits.tests.factories import VisitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.language("en"), pytest.mark.usefixtures("noon")]
# Every request: the token with its member (1), the throttle's count in the shared
# database cache (a read, then a write: count, savepoint, lookup, update, release: 6).
AUTH = 7


def _bookings(member, desk, n):
    for day in range(n):
        BookingFactory(
            user=member, desk=desk, start=local(desk.room.building, TOMORROW + dt.timedelta(days=day), 10)
        )


def _buildings(member, desk, n):
    for _ in range(n - 1):
        DeskFactory()


def _rooms(member, desk, n):
    RoomFactory.create_batch(n - 1, building=desk.room.building)


def _visits(member, desk, n):
    VisitFactory.create_batch(n, user=member, building=desk.room.building, closed=True)


def _donations(member, desk, n):
    DonationFactory.create_batch(n, donor=member)


def _wall(member, desk, n):
    for _ in range(n):
        confirmed_donation()


def _karma(member, desk, n):
    for points in range(n):
        award_karma(member, points + 1, "adjustment")


LISTS = [
    # path, what makes n items, queries beyond AUTH
    ("/api/v1/bookings", _bookings, 1),
    ("/api/v1/buildings", _buildings, 3),  # buildings, their opening hours, their photos
    ("/api/v1/rooms", _rooms, 3),  # rooms, their amenities, their photos
    ("/api/v1/visits", _visits, 1),
    ("/api/v1/donations", _donations, 1),
    ("/api/v1/donations/wall", _wall, 1),
    ("/api/v1/me/karma", _karma, 1),
]


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize(("path", "make", "queries"), LISTS, ids=[row[0] for row in LISTS])
def test_list_queries_are_fixed(
    token_client, member, desk, path, make, queries, count, django_assert_num_queries
):
    make(member, desk, count)
    token_client.get("/api/v1/me")  # the token's last use is recorded once a minute

    with django_assert_num_queries(AUTH + queries):
        response = token_client.get(path)

    assert response.status_code == 200
    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_staff_pending_list_queries_are_fixed(staff_token_client, count, django_assert_num_queries):
    DonationFactory.create_batch(count)
    staff_token_client.get("/api/v1/me")

    with django_assert_num_queries(AUTH + 1):
        response = staff_token_client.get("/api/v1/staff/donations/pending")

    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_arrivals_queries_are_fixed(front_desk, desk, count, django_assert_num_queries):
    building = desk.room.building
    for minutes in range(count):
        BookingFactory(desk=DeskFactory(room=desk.room), start=NOON + dt.timedelta(minutes=30 + minutes))
    client = ApiClient(create_personal_token(front_desk, name="desk", scope=Scope.STAFF)[1])
    client.get("/api/v1/me")

    # The role's permissions (2: the user's own, the groups'), the building, the page.
    with django_assert_num_queries(AUTH + 4):
        response = client.get(f"/api/v1/staff/buildings/{building.pk}/arrivals")

    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_series_preview_queries_are_fixed(token_client, desk, count, django_assert_num_queries):
    """However many occurrences: the place, the rules (default and the building's), the
    opening hours, the member's upcoming bookings and desks, the place's bookings over
    the whole span."""
    first = TOMORROW + dt.timedelta(days=1)
    query = {"desk": desk.pk, "first": first.isoformat(), "start_time": "10:00", "end_time": "11:00"}
    path = "/api/v1/bookings/series/preview"
    token_client.get(path, {**query, "frequency": "daily", "count": 1})  # the default rules made

    with django_assert_num_queries(AUTH + 7):
        response = token_client.get(path, {**query, "frequency": "daily", "count": count})

    assert len(response.json()["occurrences"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_open_visits_queries_are_fixed(staff_token_client, desk, count, django_assert_num_queries):
    VisitFactory.create_batch(count, building=desk.room.building)
    staff_token_client.get("/api/v1/me")

    with django_assert_num_queries(AUTH + 1):
        response = staff_token_client.get("/api/v1/staff/visits/open")

    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_presence_queries_are_fixed(token_client, desk, count, django_assert_num_queries):
    VisitFactory.create_batch(count, building=desk.room.building, user__visible_to_members=True)
    token_client.get("/api/v1/me")

    with django_assert_num_queries(AUTH + 2):  # the buildings with their counts, the names shown
        response = token_client.get("/api/v1/presence")

    [row] = response.json()["buildings"]
    assert (row["count"], len(row["names"])) == (count, count)


@pytest.mark.parametrize("count", [1, 3])
def test_availability_queries_are_fixed(token_client, desk, count, django_assert_num_queries):
    building = desk.room.building
    DeskFactory.create_batch(count - 1, room=desk.room)
    RoomFactory.create_batch(count, building=building)
    start = local(building, TOMORROW, 10)
    query = {
        "building": building.pk,
        "start": start.isoformat(),
        "end": (start + dt.timedelta(hours=2)).isoformat(),
    }
    token_client.get("/api/v1/me")

    # The building; the free desks with their own and their room's amenities; the free
    # rooms with their amenities.
    with django_assert_num_queries(AUTH + 6):
        response = token_client.get("/api/v1/availability", query)

    assert (len(response.json()["desks"]), len(response.json()["rooms"])) == (count, count)

"""Every list answers in a fixed number of queries, whatever its length (1 or 3 items)."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.services import award_karma
from api.tests.conftest import TOMORROW
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

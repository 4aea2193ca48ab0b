"""My bookings through the API: the same services, rules, codes and messages as the pages."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.tests.factories import UserFactory
from api.tests.conftest import TOMORROW
from bookings.models import Booking, BookingRules
from bookings.tests.factories import BookingFactory, DeskFactory, RoomFactory, local

pytestmark = [pytest.mark.django_db, pytest.mark.language("en"), pytest.mark.usefixtures("noon")]


def _book(api, place, start, end, **extra):
    kind = "desk" if hasattr(place, "room") else "room"
    return api.post(
        "/api/v1/bookings",
        {kind: place.pk, "start": start.isoformat(), "end": end.isoformat()},
        HTTP_ACCEPT_LANGUAGE="en",
        **extra,
    )


def test_member_books_a_desk(token_client, member, desk):
    building = desk.room.building
    start, end = local(building, TOMORROW, 10), local(building, TOMORROW, 12)

    response = _book(token_client, desk, start, end)

    assert response.status_code == 201
    booking = Booking.objects.get()
    assert (booking.user, booking.desk, booking.start, booking.end) == (member, desk, start, end)
    body = response.json()
    assert body["id"] == booking.pk
    assert body["desk_id"] == desk.pk
    assert body["room_id"] is None
    assert body["status"] == "confirmed"
    assert dt.datetime.fromisoformat(body["start"]) == start


def test_taken_slot_is_409_with_alternatives(token_client, desk):
    building = desk.room.building
    other = DeskFactory(room=desk.room, label="A-2")
    start, end = local(building, TOMORROW, 10), local(building, TOMORROW, 12)
    BookingFactory(desk=desk, start=start, end=end)

    response = _book(token_client, desk, start, end)

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "taken"
    assert body["detail"] == "This slot was just taken."
    assert body["alternatives"] == [
        {"desk": other.pk, "room": None, "start": start.isoformat(), "end": end.isoformat()}
    ]


def test_rule_refusal_is_422_with_the_pages_message(token_client, desk):
    building = desk.room.building

    response = _book(token_client, desk, local(building, TOMORROW, 21), local(building, TOMORROW, 22))

    assert response.status_code == 422
    assert response.json()["code"] == "closed"
    assert response.json()["detail"] == "The building is closed at some of this time."
    assert not Booking.objects.exists()


def test_message_is_in_the_language_asked_for(token_client, desk):
    building = desk.room.building

    response = token_client.post(
        "/api/v1/bookings",
        {
            "desk": desk.pk,
            "start": local(building, TOMORROW, 21).isoformat(),
            "end": local(building, TOMORROW, 22).isoformat(),
        },
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    assert response.json()["detail"] == "Здание закрыто в это время, целиком или частично."


def test_quota_is_enforced(token_client, member, desk):
    rules = BookingRules.load()
    rules.max_upcoming_bookings = 1
    rules.save()
    building = desk.room.building
    BookingFactory(user=member, desk=DeskFactory(room=desk.room), start=local(building, TOMORROW, 8))

    response = _book(token_client, desk, local(building, TOMORROW, 14), local(building, TOMORROW, 15))

    assert response.status_code == 422
    assert response.json()["code"] == "quota"


def test_place_must_be_one_desk_or_one_room(token_client, desk):
    start = local(desk.room.building, TOMORROW, 10)
    response = token_client.post(
        "/api/v1/bookings",
        {"start": start.isoformat(), "end": (start + dt.timedelta(hours=1)).isoformat()},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 422
    assert response.json()["code"] == "place_required"


def test_member_cancels_own_booking(token_client, member, desk):
    booking = BookingFactory(user=member, desk=desk, start=local(desk.room.building, TOMORROW, 10))

    response = token_client.post(f"/api/v1/bookings/{booking.pk}/cancel", {})

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_another_members_booking_is_404_everywhere(token_client, desk):
    booking = BookingFactory(user=UserFactory(), desk=desk, start=local(desk.room.building, TOMORROW, 10))

    assert token_client.get(f"/api/v1/bookings/{booking.pk}").status_code == 404
    assert token_client.post(f"/api/v1/bookings/{booking.pk}/cancel", {}).status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_reschedule_moves_the_booking(token_client, member, desk):
    building = desk.room.building
    booking = BookingFactory(
        user=member, desk=desk, start=local(building, TOMORROW, 10), end=local(building, TOMORROW, 11)
    )

    response = token_client.post(
        f"/api/v1/bookings/{booking.pk}/reschedule",
        {
            "start": local(building, TOMORROW, 14).isoformat(),
            "end": local(building, TOMORROW, 16).isoformat(),
        },
    )

    assert response.status_code == 200
    booking.refresh_from_db()
    assert (booking.start, booking.end) == (local(building, TOMORROW, 14), local(building, TOMORROW, 16))


def test_list_filters_and_pages_with_a_cursor(token_client, member, desk):
    building = desk.room.building
    other_building_room = RoomFactory()
    bookings = [
        BookingFactory(user=member, desk=desk, start=local(building, TOMORROW + dt.timedelta(days=n), 10))
        for n in range(3)
    ]
    BookingFactory(user=member, room=other_building_room, start=local(building, TOMORROW, 15))
    BookingFactory(user=UserFactory(), desk=DeskFactory(room=desk.room), start=local(building, TOMORROW, 10))

    first = token_client.get("/api/v1/bookings", {"building": building.pk, "page_size": 2}).json()
    second = token_client.get(first["next"]).json()

    assert [b["id"] for b in first["results"]] == [bookings[2].pk, bookings[1].pk]
    assert [b["id"] for b in second["results"]] == [bookings[0].pk]
    assert second["next"] is None
    in_range = token_client.get(
        "/api/v1/bookings",
        {
            "start_from": local(building, TOMORROW + dt.timedelta(days=1), 0).isoformat(),
            "start_before": local(building, TOMORROW + dt.timedelta(days=2), 0).isoformat(),
        },
    ).json()
    assert [b["id"] for b in in_range["results"]] == [bookings[1].pk]
    cancelled = token_client.get("/api/v1/bookings", {"status": "cancelled"}).json()
    assert cancelled["results"] == []


@pytest.mark.parametrize("count", [1, 3])
def test_list_queries_do_not_grow(token_client, member, desk, count, django_assert_num_queries):
    for n in range(count):
        BookingFactory(
            user=member, desk=desk, start=local(desk.room.building, TOMORROW + dt.timedelta(days=n), 10)
        )
    token_client.get("/api/v1/me")  # the token's last use is recorded once a minute

    # The token with its member (1); the throttle's count in the shared database cache
    # (a read, then a write: count, savepoint, lookup, update, release); the page (1).
    with django_assert_num_queries(8):
        response = token_client.get("/api/v1/bookings")

    assert len(response.json()["results"]) == count

"""The access matrix: every object endpoint as the owner, another member, staff, nobody,
an expired JWT, a revoked token and a read-only token trying to write; and the staff
endpoints, which members never reach."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from accounts.tests.factories import UserFactory
from api.models import Scope
from api.tests.conftest import NOON, TOMORROW, ApiClient
from api.tokens import create_personal_token, obtain_pair, revoke_personal_token
from bookings.models import Booking, BookingSeries
from bookings.services import book_series
from bookings.tests.factories import BookingFactory, local
from donations.models import Donation
from donations.tests.factories import DonationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.language("en"), pytest.mark.usefixtures("noon")]


def _client(kind: str, owner, staff) -> ApiClient:
    if kind == "owner":
        return ApiClient(create_personal_token(owner, name="t", scope=Scope.READ_WRITE)[1])
    if kind == "other member":
        return ApiClient(create_personal_token(UserFactory(), name="t", scope=Scope.READ_WRITE)[1])
    if kind == "staff":
        return ApiClient(create_personal_token(staff, name="t", scope=Scope.STAFF)[1])
    if kind == "anonymous":
        return ApiClient()
    if kind == "expired jwt":
        with time_machine.travel(NOON - dt.timedelta(hours=1), tick=False):
            return ApiClient(obtain_pair(owner).access)
    if kind == "revoked token":
        token, raw = create_personal_token(owner, name="t", scope=Scope.READ_WRITE)
        revoke_personal_token(token)
        return ApiClient(raw)
    if kind == "read-only token":
        return ApiClient(create_personal_token(owner, name="t", scope=Scope.READ)[1])
    raise AssertionError(kind)


# Staff reach members' objects only through the staff endpoints, so the member endpoints
# answer them 404 for another member's booking, as the member pages do.
BOOKING_READ = {
    "owner": 200,
    "other member": 404,
    "staff": 404,
    "anonymous": 401,
    "expired jwt": 401,
    "revoked token": 401,
    "read-only token": 200,
}
BOOKING_CANCEL = {**BOOKING_READ, "read-only token": 403}


@pytest.mark.parametrize("kind", BOOKING_READ)
def test_read_a_booking(kind, member, staff, desk):
    booking = BookingFactory(user=member, desk=desk, start=local(desk.room.building, TOMORROW, 10))

    response = _client(kind, member, staff).get(f"/api/v1/bookings/{booking.pk}")

    assert response.status_code == BOOKING_READ[kind]


@pytest.mark.parametrize("kind", BOOKING_CANCEL)
def test_cancel_a_booking(kind, member, staff, desk):
    booking = BookingFactory(user=member, desk=desk, start=local(desk.room.building, TOMORROW, 10))

    response = _client(kind, member, staff).post(f"/api/v1/bookings/{booking.pk}/cancel", {})

    assert response.status_code == BOOKING_CANCEL[kind]
    booking.refresh_from_db()
    assert booking.is_active == (BOOKING_CANCEL[kind] != 200)


@pytest.mark.parametrize("kind", BOOKING_CANCEL)
def test_release_a_booking(kind, member, staff, desk):
    """ "I won't come", past the cancellation cut-off (an hour before the start)."""
    booking = BookingFactory(user=member, desk=desk, start=local(desk.room.building, NOON.date(), 12, 30))

    response = _client(kind, member, staff).post(f"/api/v1/bookings/{booking.pk}/release", {})

    assert response.status_code == BOOKING_CANCEL[kind]
    booking.refresh_from_db()
    assert booking.is_active == (BOOKING_CANCEL[kind] != 200)


@pytest.mark.parametrize("kind", BOOKING_CANCEL)
def test_reschedule_a_booking(kind, member, staff, desk):
    building = desk.room.building
    booking = BookingFactory(user=member, desk=desk, start=local(building, TOMORROW, 10))
    later = {
        "start": local(building, TOMORROW, 14).isoformat(),
        "end": local(building, TOMORROW, 15).isoformat(),
    }

    response = _client(kind, member, staff).post(f"/api/v1/bookings/{booking.pk}/reschedule", later)

    assert response.status_code == BOOKING_CANCEL[kind]
    booking.refresh_from_db()
    moved = BOOKING_CANCEL[kind] == 200
    assert booking.start == (local(building, TOMORROW, 14 if moved else 10))


def _series_of(member, desk) -> BookingSeries:
    """Tomorrow and the day after, 10:00-11:00."""
    made, _occurrences = book_series(
        user=member,
        resource=desk,
        frequency="daily",
        weekdays=[],
        first=TOMORROW,
        until=None,
        count=2,
        start_time=dt.time(10),
        end_time=dt.time(11),
    )
    assert made.bookings.count() == 2
    return made


@pytest.mark.parametrize("kind", BOOKING_READ)
def test_read_a_series(kind, member, staff, desk):
    made = _series_of(member, desk)

    response = _client(kind, member, staff).get(f"/api/v1/bookings/series/{made.pk}")

    assert response.status_code == BOOKING_READ[kind]


@pytest.mark.parametrize("kind", BOOKING_CANCEL)
def test_extend_a_series(kind, member, staff, desk):
    made = _series_of(member, desk)
    until = (TOMORROW + dt.timedelta(days=2)).isoformat()

    response = _client(kind, member, staff).post(
        f"/api/v1/bookings/series/{made.pk}/extend", {"until": until}
    )

    assert response.status_code == BOOKING_CANCEL[kind]
    assert made.bookings.count() == (3 if BOOKING_CANCEL[kind] == 200 else 2)


@pytest.mark.parametrize("kind", BOOKING_CANCEL)
def test_cancel_the_rest_of_a_series(kind, member, staff, desk):
    made = _series_of(member, desk)
    first = made.bookings.order_by("start").first()

    response = _client(kind, member, staff).post(f"/api/v1/bookings/{first.pk}/cancel-following", {})

    assert response.status_code == BOOKING_CANCEL[kind]
    assert made.bookings.filter(status=Booking.Status.CONFIRMED).count() == (
        0 if BOOKING_CANCEL[kind] == 200 else 2
    )


@pytest.mark.parametrize("kind", BOOKING_READ)
def test_read_a_donation(kind, member, staff):
    donation = DonationFactory(donor=member)

    response = _client(kind, member, staff).get(f"/api/v1/donations/{donation.pk}")

    assert response.status_code == BOOKING_READ[kind]


STAFF_ONLY = {
    "owner": 403,
    "other member": 403,
    "staff": 200,
    "anonymous": 401,
    "expired jwt": 401,
    "revoked token": 401,
    "read-only token": 403,
}


@pytest.mark.parametrize("kind", STAFF_ONLY)
def test_staff_cancels_with_a_reason(kind, member, staff, desk):
    booking = BookingFactory(user=UserFactory(), desk=desk, start=local(desk.room.building, TOMORROW, 10))

    response = _client(kind, member, staff).post(
        f"/api/v1/bookings/{booking.pk}/cancel".replace("/api/v1/", "/api/v1/staff/"), {"reason": "Leak"}
    )

    assert response.status_code == STAFF_ONLY[kind]
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason) == (
        (Booking.Status.CANCELLED, "Leak") if STAFF_ONLY[kind] == 200 else (Booking.Status.CONFIRMED, "")
    )


@pytest.mark.parametrize("kind", STAFF_ONLY)
@pytest.mark.parametrize("path", ["/api/v1/staff/buildings/{building}/arrivals", "/api/v1/staff/statistics"])
def test_staff_figures(kind, path, member, staff, desk):
    response = _client(kind, member, staff).get(path.format(building=desk.room.building.pk))

    assert response.status_code == STAFF_ONLY[kind]


def test_members_token_of_staff_scope_is_refused_on_staff_endpoints(member, staff):
    """A staff member's read-write token (or JWT of a member) is not enough: staff scope is."""
    client = ApiClient(create_personal_token(staff, name="rw", scope=Scope.READ_WRITE)[1])

    response = client.get("/api/v1/staff/donations/pending")

    assert response.status_code == 403
    assert response.json()["code"] == "staff_only"


def test_staff_cancellation_needs_a_reason(staff_token_client, desk):
    booking = BookingFactory(user=UserFactory(), desk=desk, start=local(desk.room.building, TOMORROW, 10))

    response = staff_token_client.post(f"/api/v1/staff/bookings/{booking.pk}/cancel", {"reason": " "})

    assert response.status_code == 422
    assert response.json()["code"] == "reason_required"


def test_staff_books_for_a_member_and_confirms_a_pledge(staff_token_client, member, desk):
    building = desk.room.building
    booked = staff_token_client.post(
        "/api/v1/staff/bookings",
        {
            "member": member.pk,
            "desk": desk.pk,
            "start": local(building, TOMORROW, 10).isoformat(),
            "end": local(building, TOMORROW, 11).isoformat(),
        },
    )
    assert booked.status_code == 201
    assert Booking.objects.get().user == member

    pledge = DonationFactory(donor=member)
    assert [d["id"] for d in staff_token_client.get("/api/v1/staff/donations/pending").json()["results"]] == [
        pledge.pk
    ]
    confirmed = staff_token_client.post(f"/api/v1/staff/donations/{pledge.pk}/confirm", {})
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    assert Donation.objects.get().receipt_number == confirmed.json()["receipt_number"]


def test_staff_cannot_confirm_their_own_pledge(staff_token_client, staff):
    pledge = DonationFactory(donor=staff)

    response = staff_token_client.post(f"/api/v1/staff/donations/{pledge.pk}/confirm", {})

    assert response.status_code == 422
    assert response.json()["code"] == "own"


def test_front_desk_checks_a_member_in_and_out(staff_token_client, member, desk):
    building = desk.room.building

    checked_in = staff_token_client.post(
        "/api/v1/staff/visits/check-in", {"member": member.pk, "building": building.pk}
    )
    listed = staff_token_client.get("/api/v1/staff/visits/open").json()["results"]
    checked_out = staff_token_client.post("/api/v1/staff/visits/check-out", {"member": member.pk})

    assert checked_in.status_code == 201
    assert [v["id"] for v in listed] == [checked_in.json()["visit"]["id"]]
    assert checked_out.status_code == 200
    assert checked_out.json()["visit"]["checked_out_at"] is not None
    assert timezone.now() == NOON

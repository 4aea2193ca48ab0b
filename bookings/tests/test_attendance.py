"""Booking check-in and the release of no-shows (bookings.attendance), on real PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from accounts.models import KarmaEntry, User
from bookings import attendance, services
from bookings.models import Booking, Notification
from bookings.tests.factories import BookingFactory, DeskFactory, RoomFactory, local

DAY = dt.date(2026, 3, 10)


@pytest.fixture
def booking(member) -> Booking:
    desk = DeskFactory()
    building = desk.room.building
    start = local(building, DAY, 10)
    return BookingFactory(
        user=member,
        desk=desk,
        start=start,
        end=local(building, DAY, 12),
        created_at=start - dt.timedelta(days=1),
    )


def _at(booking: Booking, minutes: int) -> dt.datetime:
    return booking.start + dt.timedelta(minutes=minutes)


def test_check_in_window_follows_the_settings(booking, settings):
    settings.CHECKIN_OPENS_MINUTES_BEFORE, settings.CHECKIN_CLOSES_MINUTES_AFTER = 10, 20
    assert attendance.checkin_window(booking) == (_at(booking, -10), _at(booking, 20))


@pytest.mark.parametrize(
    ("minutes", "attended"), [(-16, False), (-15, True), (29, True), (30, True), (31, False)]
)
def test_check_in_marks_the_booking_only_within_its_window(booking, member, minutes, attended, settings):
    settings.CHECKIN_OPENS_MINUTES_BEFORE, settings.CHECKIN_CLOSES_MINUTES_AFTER = 15, 30
    result = attendance.check_in_booking(member, booking.building, now=_at(booking, minutes))
    booking.refresh_from_db()
    assert (result == booking, booking.checked_in_at) == (
        (True, _at(booking, minutes)) if attended else (False, None)
    )


def test_held_booking_is_the_one_on_now(booking, member):
    assert attendance.held_booking(member, now=_at(booking, -20)) is None
    assert attendance.held_booking(member, now=_at(booking, -15)) == booking
    assert attendance.held_booking(member, now=_at(booking, 119)) == booking
    assert attendance.held_booking(member, now=_at(booking, 120)) is None


def test_no_show_is_released_emailed_and_penalised_and_the_slot_frees(
    booking, member, settings, django_capture_on_commit_callbacks
):
    settings.KARMA_NO_SHOW_PENALTY = 5
    assert attendance.release_no_shows(now=_at(booking, 29)) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert attendance.release_no_shows(now=_at(booking, 30)) == [booking]

    booking.refresh_from_db()
    assert (booking.status, booking.sequence) == (Booking.Status.RELEASED, 1)
    assert services.is_free(booking.desk, booking.start, booking.end)
    # Another member can book the freed slot; the exclusion constraint agrees.
    BookingFactory(desk=booking.desk, start=booking.start, end=booking.end)
    [message] = mail.outbox
    assert message.to == [member.email]
    assert message.subject.endswith(f"{booking.desk.label}, {booking.desk.room.name}, 10 марта, 10:00")
    assert Notification.objects.get(booking=booking, kind=Notification.Kind.RELEASED).sent_at is not None
    assert list(KarmaEntry.objects.values_list("points", "reason", "source_id")) == [
        (-5, "no_show", booking.pk)
    ]
    assert User.objects.get(pk=member.pk).karma == -5


def test_release_no_shows_twice_releases_and_penalises_once(booking, member):
    later = _at(booking, 60)
    assert attendance.release_no_shows(now=later) == [booking]
    assert attendance.release_no_shows(now=later) == []
    assert attendance.release_no_show(booking, now=later) is False
    assert KarmaEntry.objects.count() == 1
    assert Notification.objects.filter(kind=Notification.Kind.RELEASED).count() == 1


def test_released_booking_can_no_longer_be_checked_into(booking, member):
    attendance.release_no_shows(now=_at(booking, 30))
    assert attendance.check_in_booking(member, booking.building, now=_at(booking, 30)) is None
    booking.refresh_from_db()
    assert (booking.status, booking.checked_in_at) == (Booking.Status.RELEASED, None)


def test_attended_cancelled_and_future_bookings_are_not_no_shows(booking, member):
    attendance.check_in_booking(member, booking.building, now=_at(booking, 5))
    cancelled = BookingFactory(
        user=member,
        desk=booking.desk,
        start=booking.end,
        end=booking.end + dt.timedelta(hours=1),
        status=Booking.Status.CANCELLED,
    )
    future = BookingFactory(
        user=member, desk=booking.desk, start=_at(booking, 24 * 60), created_at=booking.created_at
    )
    assert attendance.release_no_shows(now=_at(booking, 6 * 60)) == []
    assert dict(Booking.objects.values_list("pk", "status")) == {
        booking.pk: "confirmed",
        cancelled.pk: "cancelled",
        future.pk: "confirmed",
    }


# Places members cannot check in to: staff closed the building, the room or the desk.
CLOSED_PLACES = {
    "building": lambda: {"desk": DeskFactory(room__building__is_active=False)},
    "open space": lambda: {"desk": DeskFactory(room__is_active=False)},
    "desk": lambda: {"desk": DeskFactory(is_active=False)},
    "room": lambda: {"room": RoomFactory(is_active=False)},
    "building of a room": lambda: {"room": RoomFactory(building__is_active=False)},
}


def _karma_after_releasing_only(booking: Booking, now: dt.datetime) -> list[tuple[int, str]]:
    """Release the no-shows, which must be `booking` alone; the karma entries (source, reason)."""
    assert attendance.release_no_shows(now=now) == [booking]
    return list(KarmaEntry.objects.values_list("source_id", "reason"))


@pytest.mark.parametrize("place", CLOSED_PLACES.values(), ids=CLOSED_PLACES.keys())
def test_bookings_in_closed_places_are_not_no_shows(booking, member, settings, place):
    settings.KARMA_NO_SHOW_PENALTY = 5
    closed = BookingFactory(
        user=member, start=booking.start, end=booking.end, created_at=booking.created_at, **place()
    )
    assert _karma_after_releasing_only(booking, _at(booking, 60)) == [(booking.pk, "no_show")]
    closed.refresh_from_db()
    assert closed.status == Booking.Status.CONFIRMED
    assert User.objects.get(pk=member.pk).karma == -5


@pytest.mark.parametrize("minutes", [0, 90])
def test_bookings_recorded_at_or_after_their_start_are_not_no_shows(booking, member, settings, minutes):
    settings.KARMA_NO_SHOW_PENALTY = 5
    recorded = BookingFactory(
        user=member,
        desk=DeskFactory(room__building=booking.building),
        start=booking.start,
        end=booking.end,
        created_at=_at(booking, minutes),
        rules_overridden=True,
    )
    assert _karma_after_releasing_only(booking, _at(booking, 120)) == [(booking.pk, "no_show")]
    recorded.refresh_from_db()
    assert recorded.status == Booking.Status.CONFIRMED
    assert User.objects.get(pk=member.pk).karma == -5

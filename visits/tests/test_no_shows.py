"""Releasing no-shows is right whoever calls it: a member who was in the building is
attended, not released."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from accounts.models import KarmaEntry
from bookings import attendance
from bookings.models import Booking
from bookings.tests.factories import DeskFactory, local
from visits.tests.factories import BookingFactory, VisitFactory

DAY = dt.date(2027, 3, 2)


@pytest.fixture
def member_in_the_building(member, building):
    """In the building from 09:00 to 18:00 that day, with a 14:00 and a 19:00 booking."""
    VisitFactory(
        user=member,
        building=building,
        checked_in_at=local(building, DAY, 9),
        checked_out_at=local(building, DAY, 18),
    )
    desk = DeskFactory(room__building=building)
    afternoon = BookingFactory(user=member, desk=desk, start=local(building, DAY, 14))
    evening = BookingFactory(user=member, desk=desk, start=local(building, DAY, 19))
    return afternoon, evening


def test_release_no_shows_alone_attends_the_booking_of_a_member_who_was_in(member_in_the_building, building):
    afternoon, evening = member_in_the_building
    with time_machine.travel(local(building, DAY, 21), tick=False):
        released = attendance.release_no_shows()
    afternoon.refresh_from_db()
    assert released == [evening]
    assert (afternoon.status, afternoon.checked_in_at) == (
        Booking.Status.CONFIRMED,
        local(building, DAY, 13, 45),
    )
    assert list(KarmaEntry.objects.values_list("source_id", "points")) == [(evening.pk, -5)]


def test_release_no_show_of_one_booking_alone_attends_it_too(member_in_the_building, building):
    afternoon, _evening = member_in_the_building
    assert attendance.release_no_show(afternoon, now=local(building, DAY, 15)) is False
    afternoon.refresh_from_db()
    assert (afternoon.status, afternoon.checked_in_at) == (
        Booking.Status.CONFIRMED,
        local(building, DAY, 13, 45),
    )
    assert KarmaEntry.objects.exists() is False

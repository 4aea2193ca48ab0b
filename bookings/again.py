"""Booking what one booked before: "Book again" on a past booking, "Same as last week"
on My bookings. Times repeat as the building's clocks read them (the same 10:00 across
a change of daylight saving time); the rules are the booking service's, as for any
booking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accounts.models import User
from bookings import services
from bookings.models import Booking
from spaces.models import local_instant

WEEK = dt.timedelta(days=7)


def shifted(booking: Booking, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The booking's local start time on `day`, for as long as it lasted."""
    zone = booking.building.zone
    start = local_instant(day, booking.start.astimezone(zone).time(), zone)
    return start, start + (booking.end - booking.start)


def next_time(booking: Booking, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The same hours on the first day from today whose start is still ahead."""
    today = now.astimezone(booking.building.zone).date()
    start, end = shifted(booking, today)
    if start <= now:
        start, end = shifted(booking, today + dt.timedelta(days=1))
    return start, end


def last_week(user: User, now: dt.datetime):
    """The member's bookings that started in the last seven days and were kept."""
    return (
        Booking.objects.active()
        .filter(user=user, start__gte=now - WEEK, start__lt=now)
        .select_related("building", "desk__room__building", "room__building")
        .order_by("start", "pk")
    )


@dataclass(frozen=True)
class Repeated:
    booked: list[Booking]
    refused: list[tuple[Booking, str]]  # last week's booking and why its copy failed


def repeat_last_week(user: User, now: dt.datetime) -> Repeated:
    """Book each of last week's bookings a week later, one by one through the booking
    service (each under its own rules and locks); a refusal does not stop the others."""
    booked, refused = [], []
    for booking in last_week(user, now):
        start, end = shifted(booking, booking.start.astimezone(booking.building.zone).date() + WEEK)
        held = Booking.objects.active().filter(
            user=user, start=start, end=end, desk=booking.desk_id, room=booking.room_id
        )
        if held.exists():  # repeated already (a second tap)
            continue
        try:
            booked.append(services.create_booking(user=user, resource=booking.resource, start=start, end=end))
        except services.BookingError as error:
            refused.append((booking, error.message))
    return Repeated(booked, refused)

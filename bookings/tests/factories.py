"""Factories for bookings tests (and the spaces they need).

BuildingFactory opens the building every day 08:00–20:00 unless told otherwise
(`BuildingFactory(open_daily=False)` for a building with no opening hours, or
`open_daily=(dt.time(9), dt.time(18))` for other hours). BookingFactory writes the row
directly, bypassing the rules in bookings.services: use services.create_booking when
a test is about the rules.
"""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from bookings.models import Booking
from spaces.models import Amenity, Building, Desk, OpeningHours, Room, local_instant

OPENS_AT = dt.time(8)
CLOSES_AT = dt.time(20)


def open_every_day(building: Building, opens_at: dt.time = OPENS_AT, closes_at: dt.time = CLOSES_AT) -> None:
    """Give a building the same opening hours on all seven weekdays."""
    OpeningHours.objects.bulk_create(
        OpeningHours(building=building, weekday=weekday, opens_at=opens_at, closes_at=closes_at)
        for weekday in range(7)
    )


def local(building: Building, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """The instant of a local wall-clock time of the building, in UTC, where adding a
    timedelta is real elapsed time (on a local time it is wall-clock time across DST)."""
    return local_instant(day, dt.time(hour, minute), building.zone).astimezone(dt.UTC)


def speaking_english(user):
    """The member with English as their language, for tests that read the English texts."""
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def tomorrow(building: Building) -> dt.date:
    return building.local_today() + dt.timedelta(days=1)


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Building {n}")
    address = factory.Sequence(lambda n: f"{n} Lenina St")
    time_zone = "Europe/Moscow"

    @factory.post_generation
    def open_daily(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        opens_at, closes_at = extracted if isinstance(extracted, tuple) else (OPENS_AT, CLOSES_AT)
        open_every_day(self, opens_at, closes_at)


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    building = factory.SubFactory(BuildingFactory, open_daily=False)
    weekday = 0
    opens_at = OPENS_AT
    closes_at = CLOSES_AT


class AmenityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Amenity
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Amenity {n}")


class RoomFactory(factory.django.DjangoModelFactory):
    """A meeting room (booked whole); pass kind=Room.Kind.OPEN_SPACE for desks' rooms."""

    class Meta:
        model = Room

    building = factory.SubFactory(BuildingFactory)
    name = factory.Sequence(lambda n: f"Room {n}")
    floor = 1
    kind = Room.Kind.MEETING_ROOM
    capacity = 6


class OpenSpaceFactory(RoomFactory):
    name = factory.Sequence(lambda n: f"Open space {n}")
    kind = Room.Kind.OPEN_SPACE
    capacity = 20


class DeskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Desk

    room = factory.SubFactory(OpenSpaceFactory)
    label = factory.Sequence(lambda n: f"D-{n:03d}")


def _building(booking) -> Building:
    return booking.desk.room.building if booking.desk else booking.room.building


class BookingFactory(factory.django.DjangoModelFactory):
    """A confirmed desk booking tomorrow 10:00–11:00 in the building's time; pass room=...
    for a room booking (no desk is made then)."""

    class Meta:
        model = Booking

    user = factory.SubFactory(UserFactory)
    room = None
    desk = factory.Maybe("room", yes_declaration=None, no_declaration=factory.SubFactory(DeskFactory))
    building = factory.LazyAttribute(_building)
    start = factory.LazyAttribute(lambda o: local(o.building, tomorrow(o.building), 10))
    end = factory.LazyAttribute(lambda o: o.start + dt.timedelta(hours=1))
    created_by = factory.SelfAttribute("user")
    # Made the day before it starts (or now, if later), as members make them: a booking
    # recorded at or after its start is never a no-show.
    created_at = factory.LazyAttribute(lambda o: min(timezone.now(), o.start - dt.timedelta(days=1)))

"""The day grid's kept tables (bookings.grid.day_grid): never out of date.

Each test first has the table kept (a member holding nothing views the day), changes
something the way the product does, and views again.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from bookings.grid import utc_param
from bookings.models import Booking
from bookings.services import cancel_booking
from bookings.tests.factories import (
    BuildingFactory,
    DeskFactory,
    OpenSpaceFactory,
    RoomFactory,
    local,
    tomorrow,
)
from spaces.models import OpeningHours
from spaces.services import delete_or_deactivate

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]


@pytest.fixture(autouse=True)
def _morning(time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 10, 6, tzinfo=dt.UTC), tick=False)  # 09:00 in Moscow


@pytest.fixture
def desk():
    building = BuildingFactory(name="Tower")
    return DeskFactory(label="A-1", room=OpenSpaceFactory(building=building, name="Hall"))


def _viewer(**fields) -> Client:
    client = Client()
    client.force_login(UserFactory(**{"language": "en", **fields}))
    return client


def _table(client: Client, building, day: dt.date) -> str:
    response = client.get(reverse("bookings:day", args=[building.pk]), {"date": day.isoformat()})
    assert response.status_code == 200
    return response.context["grid"].table


def _free(table: str, place: str, start: dt.datetime) -> bool:
    """Whether the table offers the 30-minute slot from `start` on `place` ("desk-1")."""
    end = start + dt.timedelta(minutes=30)
    return f'value="{place},{utc_param(start)},{utc_param(end)}"' in table


def test_a_slot_booked_or_cancelled_shows_at_once(client, member, desk):
    building = desk.room.building
    day = tomorrow(building)
    onlooker = _viewer()
    place, ten = f"desk-{desk.pk}", local(building, day, 10)
    assert _free(_table(onlooker, building, day), place, ten)

    client.force_login(member)
    booked = client.post(
        reverse("bookings:new"),
        {"place": place, "date": day.isoformat(), "start_time": "10:00", "end_time": "11:00"},
    )
    assert booked.status_code == 302

    table = _table(onlooker, building, day)
    assert not _free(table, place, ten)
    assert "Taken until 11:00" in table
    assert _free(table, place, local(building, day, 11))

    cancel_booking(Booking.objects.get(user=member), by=member)
    assert _free(_table(onlooker, building, day), place, ten)


def test_the_holder_sees_their_own_booking_and_the_others_the_shared_table(client, member, desk):
    building = desk.room.building
    day = tomorrow(building)
    onlooker = _viewer()
    _table(onlooker, building, day)
    client.force_login(member)
    client.post(
        reverse("bookings:new"),
        {"place": f"desk-{desk.pk}", "date": day.isoformat(), "start_time": "10:00", "end_time": "11:00"},
    )
    booking = Booking.objects.get(user=member)
    own = reverse("bookings:detail", args=[booking.pk])

    assert own in _table(client, building, day)
    assert own in _table(client, building, day)  # kept for them: the same again
    assert own not in _table(onlooker, building, day)
    assert own not in _table(_viewer(), building, day)


def test_staff_see_names_that_never_reach_the_members_table(staff_client, member, desk):
    building = desk.room.building
    day = tomorrow(building)
    member.full_name = "Vera Holder"
    member.save()
    ten, eleven = local(building, day, 10), local(building, day, 11)
    Booking.objects.create(user=member, building=building, desk=desk, start=ten, end=eleven)

    assert "Vera Holder" in _table(staff_client, building, day)
    assert "Vera Holder" not in _table(_viewer(), building, day)


def test_places_and_opening_hours_changed_by_staff_show_at_once(desk):
    building = desk.room.building
    day = tomorrow(building)
    onlooker = _viewer()
    room = RoomFactory(building=building, name="Board room")
    assert "Board room" in _table(onlooker, building, day)

    room.name = "Blue room"
    room.save()
    assert "Blue room" in _table(onlooker, building, day)

    delete_or_deactivate([desk], by=UserFactory(is_staff=True, is_superuser=True))
    assert f"desk-{desk.pk}," not in _table(onlooker, building, day)

    seven = local(building, day, 7)
    assert not _free(_table(onlooker, building, day), f"room-{room.pk}", seven)
    hours = OpeningHours.objects.get(building=building, weekday=day.weekday())
    hours.opens_at = dt.time(7)
    hours.save()
    assert _free(_table(onlooker, building, day), f"room-{room.pk}", seven)


def test_slots_grey_out_as_time_passes(desk, time_machine):
    building = desk.room.building
    today = building.local_today()
    onlooker = _viewer()
    place, nine = f"desk-{desk.pk}", local(building, today, 9)
    assert _free(_table(onlooker, building, today), place, nine)

    time_machine.move_to(nine + dt.timedelta(minutes=31), tick=False)
    table = _table(onlooker, building, today)
    assert not _free(table, place, nine)
    assert not _free(table, place, nine + dt.timedelta(minutes=30))  # under way: no longer bookable
    assert _free(table, place, local(building, today, 10))


def test_each_language_has_its_table(desk):
    building = desk.room.building
    day = tomorrow(building)
    Booking.objects.create(
        user=UserFactory(),
        building=building,
        desk=desk,
        start=local(building, day, 10),
        end=local(building, day, 11),
    )

    assert "Taken until 11:00" in _table(_viewer(language="en"), building, day)
    assert "Занято до 11:00" in _table(_viewer(language="ru"), building, day)

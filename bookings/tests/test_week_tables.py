"""The week view's kept tables (bookings.week.week_of, through bookings.kept): never out
of date.

Each test first has the table kept (a member holding nothing views the week), changes
something the way the product does, and views again.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from bookings.grid import utc_param
from bookings.models import Booking, BookingRules, BuildingRules
from bookings.services import cancel_booking
from bookings.tests.factories import BuildingFactory, DeskFactory, OpenSpaceFactory, RoomFactory, local
from spaces.models import OpeningHours

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]
# Tuesday 10 March 2026, 09:00 in Moscow: the week runs from Monday 9 to Sunday 15 March.
NOW = dt.datetime(2026, 3, 10, 6, tzinfo=dt.UTC)
WEDNESDAY = dt.date(2026, 3, 11)


@pytest.fixture(autouse=True)
def _morning(time_machine):
    time_machine.move_to(NOW, tick=False)
    # The defaults row exists in any running installation; made by the first view, it
    # would renew every building's version and hide a table kept too long.
    BookingRules.load()


@pytest.fixture
def room():
    return RoomFactory(building=BuildingFactory(name="Tower"), name="Board room")


def _viewer(**fields) -> Client:
    client = Client()
    client.force_login(UserFactory(**{"language": "en", **fields}))
    return client


def _table(client: Client, place, day: dt.date = WEDNESDAY) -> str:
    name = "bookings:desk_week" if hasattr(place, "label") else "bookings:room_week"
    response = client.get(reverse(name, args=[place.pk]), {"date": day.isoformat()})
    assert response.status_code == 200
    return response.context["week"].table


def _free(table: str, start: dt.datetime) -> bool:
    """Whether the table offers the 30-minute slot from `start` to book."""
    end = start + dt.timedelta(minutes=30)
    return f"start={utc_param(start)}&amp;end={utc_param(end)}" in table


def _book(client: Client, member, place: str, day: dt.date, start: str, end: str) -> None:
    client.force_login(member)
    response = client.post(
        reverse("bookings:new"),
        {"place": place, "date": day.isoformat(), "start_time": start, "end_time": end},
    )
    assert response.status_code == 302


def test_a_slot_booked_or_cancelled_shows_at_once(client, member, room):
    building = room.building
    onlooker = _viewer()
    ten = local(building, WEDNESDAY, 10)
    assert _free(_table(onlooker, room), ten)
    assert 'class="c-taken"' not in _table(onlooker, room)

    _book(client, member, f"room-{room.pk}", WEDNESDAY, "10:00", "11:00")

    table = _table(onlooker, room)
    assert not _free(table, ten)
    assert not _free(table, ten + dt.timedelta(minutes=30))
    assert '<td class="c-taken" rowspan="2" title="Taken"></td>' in table
    assert _free(table, local(building, WEDNESDAY, 11))

    cancel_booking(Booking.objects.get(user=member), by=member)
    assert _free(_table(onlooker, room), ten)
    assert 'class="c-taken"' not in _table(onlooker, room)


def test_a_desk_booked_shows_at_once_in_its_week(client, member):
    desk = DeskFactory(label="A-1", room=OpenSpaceFactory(building=BuildingFactory(), name="Hall"))
    onlooker = _viewer()
    ten = local(desk.room.building, WEDNESDAY, 10)
    assert _free(_table(onlooker, desk), ten)

    _book(client, member, f"desk-{desk.pk}", WEDNESDAY, "10:00", "11:00")

    assert not _free(_table(onlooker, desk), ten)


def test_the_holder_sees_their_own_booking_and_the_others_the_shared_table(client, member, room):
    onlooker = _viewer()
    _table(onlooker, room)
    _book(client, member, f"room-{room.pk}", WEDNESDAY, "10:00", "11:00")
    mine = '<td class="c-mine" rowspan="2" title="Your booking"><span>You</span></td>'

    assert mine in _table(client, room)
    assert mine in _table(client, room)  # kept for them: the same again
    assert client.get(reverse("bookings:room_week", args=[room.pk])).context["week"].booked_by_viewer == 1
    for other in (onlooker, _viewer()):
        table = _table(other, room)
        assert mine not in table
        assert '<td class="c-taken" rowspan="2" title="Taken"></td>' in table


def test_staff_see_names_that_never_reach_the_members_table(staff_client, member, room):
    member.full_name = "Vera Holder"
    member.save()
    building = room.building
    Booking.objects.create(
        user=member,
        building=building,
        room=room,
        start=local(building, WEDNESDAY, 10),
        end=local(building, WEDNESDAY, 11),
    )

    assert "Vera Holder" in _table(staff_client, room)
    assert "Vera Holder" not in _table(_viewer(), room)
    assert "Vera Holder" in _table(staff_client, room)  # staff are never served the member's


def test_opening_hours_changed_by_staff_show_at_once(room):
    onlooker = _viewer()
    seven = local(room.building, WEDNESDAY, 7)
    assert not _free(_table(onlooker, room), seven)

    hours = OpeningHours.objects.get(building=room.building, weekday=WEDNESDAY.weekday())
    hours.opens_at = dt.time(7)
    hours.save()

    assert _free(_table(onlooker, room), seven)


def test_new_rules_show_at_once(room):
    onlooker = _viewer()
    half_past_ten = local(room.building, WEDNESDAY, 10, 30)
    table = _table(onlooker, room)
    assert _free(table, half_past_ten)
    assert 'scope="row" class="place-head">10:30<' in table

    BuildingRules.objects.create(building=room.building, slot_minutes=60)

    table = _table(onlooker, room)
    assert not _free(table, half_past_ten)
    assert f"start={utc_param(half_past_ten)}" not in table
    assert 'scope="row" class="place-head">10:30<' not in table


def test_slots_grey_out_as_time_passes(room, time_machine):
    building = room.building
    today = NOW.date()
    onlooker = _viewer()
    nine = local(building, today, 9)
    assert _free(_table(onlooker, room, today), nine)

    time_machine.move_to(nine + dt.timedelta(minutes=31), tick=False)
    table = _table(onlooker, room, today)
    assert not _free(table, nine)
    assert not _free(table, nine + dt.timedelta(minutes=30))  # under way: no longer bookable
    assert _free(table, local(building, today, 10))


def test_each_language_has_its_table(room):
    building = room.building
    Booking.objects.create(
        user=UserFactory(),
        building=building,
        room=room,
        start=local(building, WEDNESDAY, 10),
        end=local(building, WEDNESDAY, 11),
    )

    assert 'title="Taken"' in _table(_viewer(language="en"), room)
    assert 'title="Занято"' in _table(_viewer(language="ru"), room)

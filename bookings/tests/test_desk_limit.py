"""At most N desks at the same time per member, across buildings; rooms do not count."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from bookings import services
from bookings.models import Booking, BookingRules, BuildingRules
from bookings.tests.factories import (
    BookingFactory,
    BuildingFactory,
    DeskFactory,
    OpenSpaceFactory,
    RoomFactory,
    local,
)
from spaces.models import Room

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]
NOW = dt.datetime(2027, 3, 1, 6, 0, tzinfo=dt.UTC)  # Monday 09:00 in Moscow
DAY = dt.date(2027, 3, 2)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def two_buildings():
    return BuildingFactory(name="Pokrovka"), BuildingFactory(name="Arbat")


def _desk(building, label: str):
    hall = Room.objects.filter(building=building, name="Hall").first()
    return DeskFactory(room=hall or OpenSpaceFactory(building=building, name="Hall"), label=label)


def _book(user, place, start_hour: int, end_hour: int, **kwargs) -> Booking:
    building = services.building_of(place)
    return services.create_booking(
        user=user,
        resource=place,
        start=local(building, DAY, start_hour),
        end=local(building, DAY, end_hour),
        notify=False,
        **kwargs,
    )


def test_a_second_desk_at_the_same_time_in_another_building_is_refused(member, two_buildings):
    pokrovka, arbat = two_buildings
    held = _book(member, _desk(pokrovka, "A-1"), 10, 12)
    with pytest.raises(services.TooManyDesks) as refused, translation.override("en"):
        _book(member, _desk(arbat, "B-1"), 11, 13)
    assert (refused.value.code, refused.value.held) == ("too_many_desks", [held])
    assert refused.value.message == (
        "You can hold 1 desk at a time, and at this time you already have: Desk A-1, Hall (Pokrovka)."
    )
    assert list(Booking.objects.values_list("desk__label", flat=True)) == ["A-1"]


def test_a_meeting_room_alongside_ones_desk_is_allowed(member, two_buildings):
    pokrovka, _arbat = two_buildings
    _book(member, _desk(pokrovka, "A-1"), 10, 12)
    room = _book(member, RoomFactory(building=pokrovka, name="Blue"), 10, 11)
    assert room.room.name == "Blue"
    # A room held does not count against a desk either.
    assert _book(member, _desk(pokrovka, "A-2"), 13, 14).desk.label == "A-2"


def test_back_to_back_and_cancelled_desks_do_not_count(member, two_buildings):
    pokrovka, arbat = two_buildings
    _book(member, _desk(pokrovka, "A-1"), 10, 12)
    cancelled = _book(member, _desk(pokrovka, "A-2"), 12, 13)
    services.cancel_booking(cancelled, by=member, notify=False)
    assert _book(member, _desk(arbat, "B-1"), 12, 14).desk.label == "B-1"


def test_other_members_desks_do_not_count(member, two_buildings):
    pokrovka, _arbat = two_buildings
    BookingFactory(desk=_desk(pokrovka, "A-1"), start=local(pokrovka, DAY, 10), end=local(pokrovka, DAY, 12))
    assert _book(member, _desk(pokrovka, "A-2"), 10, 12).desk.label == "A-2"


def test_the_limit_of_the_building_being_booked_applies(member, two_buildings):
    pokrovka, arbat = two_buildings
    BuildingRules.objects.create(building=arbat, max_concurrent_desks=2)
    _book(member, _desk(pokrovka, "A-1"), 10, 12)
    assert _book(member, _desk(arbat, "B-1"), 10, 12).desk.label == "B-1"
    with pytest.raises(services.TooManyDesks):
        _book(member, _desk(arbat, "B-2"), 10, 12)
    with pytest.raises(services.TooManyDesks):
        _book(member, _desk(pokrovka, "A-2"), 11, 12)


def test_desks_count_when_they_overlap_each_other_not_just_the_new_booking(member, two_buildings):
    pokrovka, _arbat = two_buildings
    BookingRules.objects.update_or_create(pk=1, defaults={"max_concurrent_desks": 2})
    _book(member, _desk(pokrovka, "A-1"), 9, 11)
    _book(member, _desk(pokrovka, "A-2"), 11, 13)
    # Never more than two at once: A-1 then A-2, each beside the new one.
    assert _book(member, _desk(pokrovka, "A-3"), 10, 12).desk.label == "A-3"
    with pytest.raises(services.TooManyDesks):
        _book(member, _desk(pokrovka, "A-4"), 10, 11)


def test_staff_may_override_the_desk_limit(member, staff, two_buildings):
    pokrovka, arbat = two_buildings
    _book(member, _desk(pokrovka, "A-1"), 10, 12)
    extra = _book(member, _desk(arbat, "B-1"), 10, 12, by=staff, override_rules=True)
    assert extra.rules_overridden is True


def test_a_series_skips_the_occurrences_where_a_desk_is_already_held(member, two_buildings):
    pokrovka, arbat = two_buildings
    held = BookingFactory(
        user=member,
        desk=_desk(arbat, "B-1"),
        start=local(arbat, DAY + dt.timedelta(days=1), 10),
        end=local(arbat, DAY + dt.timedelta(days=1), 11),
    )
    series, occurrences = services.book_series(
        user=member,
        resource=_desk(pokrovka, "A-1"),
        frequency="daily",
        weekdays=[],
        first=DAY,
        until=None,
        count=3,
        start_time=dt.time(10, 30),
        end_time=dt.time(11, 30),
    )
    assert [o.problem.code if o.problem else None for o in occurrences] == [None, "too_many_desks", None]
    assert occurrences[1].problem.held == [held]
    assert Booking.objects.filter(series=series).count() == 2


def test_find_page_names_the_desk_held_and_offers_rooms_only(client, member, two_buildings):
    pokrovka, arbat = two_buildings
    held = _book(member, _desk(arbat, "B-1"), 10, 12)
    _desk(pokrovka, "A-1")
    RoomFactory(building=pokrovka, name="Blue")
    client.force_login(member)
    query = {"building": pokrovka.pk, "date": DAY.isoformat(), "start_time": "10:00", "end_time": "11:00"}
    response = client.get(reverse("bookings:find"), query)
    assert response.context["desk_limit"].held == [held]
    assert (response.context["desk_groups"], [room.name for room in response.context["rooms"]]) == (
        [],
        ["Blue"],
    )
    page = response.content.decode()
    assert "You can hold 1 desk at a time, and at this time you already have: Desk B-1, Hall (Arbat)." in page
    assert f'href="{reverse("bookings:detail", args=[held.pk])}"' in page


def test_find_page_offers_desks_when_none_is_held(client, member, two_buildings):
    pokrovka, _arbat = two_buildings
    desk = _desk(pokrovka, "A-1")
    client.force_login(member)
    query = {"building": pokrovka.pk, "date": DAY.isoformat(), "start_time": "10:00", "end_time": "11:00"}
    response = client.get(reverse("bookings:find"), query)
    assert response.context["desk_limit"] is None
    assert response.context["desk_groups"] == [(desk.room, [desk])]

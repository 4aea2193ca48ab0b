"""Find a place: the free desks and rooms for a whole slot, the rules that block it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from bookings.models import BuildingRules
from bookings.tests.factories import (
    AmenityFactory,
    BookingFactory,
    BuildingFactory,
    DeskFactory,
    OpenSpaceFactory,
    RoomFactory,
    local,
    tomorrow,
)
from spaces.models import Room

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]


@pytest.fixture
def space():
    building = BuildingFactory(name="Покровка")
    hall = OpenSpaceFactory(building=building, name="Опенспейс")
    desks = [DeskFactory(room=hall, label=label) for label in ("A-1", "A-2", "A-10")]
    meeting = RoomFactory(building=building, name="Переговорная", capacity=8)
    office = RoomFactory(building=building, name="Кабинет", kind=Room.Kind.PRIVATE_OFFICE, capacity=2)
    return building, desks, meeting, office


def _search(client, building, day, start="10:00", end="12:00", headers=None, **filters):
    query = {
        "building": building.pk,
        "date": day.isoformat(),
        "start_time": start,
        "end_time": end,
        **filters,
    }
    return client.get(reverse("bookings:find"), query, headers=headers)


def _found(response) -> tuple[list[str], list[str]]:
    context = response.context
    desks = [desk.label for _room, desks in context["desk_groups"] for desk in desks]
    return desks, [room.name for room in context["rooms"]]


@pytest.mark.smoke
def test_find_lists_places_free_for_the_whole_slot(client, member, space):
    building, desks, meeting, _office = space
    day = tomorrow(building)
    # Overlaps only the last half hour of the slot: still not free for all of it.
    BookingFactory(desk=desks[1], start=local(building, day, 11, 30), end=local(building, day, 13))
    BookingFactory(desk=None, room=meeting, start=local(building, day, 12), end=local(building, day, 13))
    client.force_login(member)

    response = _search(client, building, day)

    assert response.status_code == 200
    assert _found(response) == (["A-1", "A-10"], ["Кабинет", "Переговорная"])
    assert response.context["problems"] == []
    book_url = reverse("bookings:new") + f"?desk={desks[0].pk}&amp;start={day}T07:00Z&amp;end={day}T09:00Z"
    assert book_url in response.text


def test_find_filters_by_kind_amenity_and_capacity(client, member, space):
    building, desks, meeting, _office = space
    projector = AmenityFactory(name="проектор")
    meeting.amenities.add(projector)
    desks[2].amenities.add(projector)
    day = tomorrow(building)
    client.force_login(member)

    rooms = _search(client, building, day, kinds=["meeting_room"])
    assert _found(rooms) == ([], ["Переговорная"])
    # The room's card shows its amenities and books it for the slot.
    assert '<li class="chip">проектор</li>' in rooms.text
    book_url = reverse("bookings:new") + f"?room={meeting.pk}&amp;start={day}T07:00Z&amp;end={day}T09:00Z"
    assert book_url in rooms.text
    assert _found(_search(client, building, day, amenities=[projector.pk])) == (["A-10"], ["Переговорная"])
    # A desk seats one, so asking for three people leaves the rooms that fit them.
    assert _found(_search(client, building, day, min_capacity=3)) == ([], ["Переговорная"])
    assert _found(_search(client, building, day, kinds=["open_space", "private_office"])) == (
        ["A-1", "A-2", "A-10"],
        ["Кабинет"],
    )


def test_find_answers_htmx_with_the_results_fragment(client, member, space):
    building, *_rest = space
    client.force_login(member)

    response = _search(
        client, building, tomorrow(building), headers={"HX-Request": "true", "HX-Target": "results"}
    )

    assert response.text.lstrip().startswith('<section id="results"')
    assert "<html" not in response.text
    assert response["Vary"] == "HX-Request, Accept-Language, Cookie"


def test_find_without_a_query_shows_the_next_open_hour(client, member, space):
    building, *_rest = space
    client.force_login(member)

    response = client.get(reverse("bookings:find"))

    form = response.context["form"]
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    assert form.cleaned_data["building"] == building
    assert start > dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    assert (end - start) <= dt.timedelta(hours=1)
    assert response.context["problems"] == []
    assert len(response.context["rooms"]) == 2


@pytest.mark.parametrize(
    ("day_offset", "start", "end", "expected"),
    [
        (-1, "10:00", "12:00", ["This time is in the past."]),
        (1, "07:00", "08:30", ["The building is closed at some of this time."]),
        (1, "10:00", "13:00", ["A booking lasts at most 120 minutes."]),
        (1, "10:10", "11:00", ["Bookings start and end on a 30-minute grid."]),
        (40, "10:00", "11:00", ["You can book at most 30 days ahead."]),
    ],
)
def test_find_shows_the_rules_a_slot_breaks(client, member, space, day_offset, start, end, expected):
    building, *_rest = space
    BuildingRules.objects.create(building=building, max_duration_minutes=120)
    client.force_login(member)

    response = _search(client, building, building.local_today() + dt.timedelta(days=day_offset), start, end)

    assert response.context["problems"] == expected
    assert (response.context["desk_groups"], response.context["rooms"]) == ([], [])
    assert 'data-testid="slot-problems"' in response.text


def test_find_refuses_a_time_skipped_by_the_clocks(client, member):
    building = BuildingFactory(time_zone="Europe/Berlin", open_daily=(dt.time(0), dt.time(0)))
    client.force_login(member)

    response = _search(client, building, dt.date(2027, 3, 28), "02:30", "04:00")

    assert response.context["form"].non_field_errors() == [
        "02:30 does not exist on 28 March in Europe/Berlin: the clocks go forward at that hour. "
        "Choose a time before or after it."
    ]
    assert 'data-testid="search-errors"' in response.text
    assert 'value="02:30"' in response.text  # what was typed stays


def test_find_keeps_bad_input_and_says_what_is_wrong(client, member, space):
    building, *_rest = space
    client.force_login(member)

    response = _search(client, building, tomorrow(building), "12:00", "11:00", min_capacity="lots")

    form = response.context["form"]
    assert form.errors == {
        "min_capacity": ["Enter a whole number."],
        "__all__": [
            "The end must be after the start. A booking can run past midnight only in a building "
            "that stays open through the night."
        ],
    }
    assert 'value="lots"' in response.text
    assert response.status_code == 200


def test_find_needs_a_login(client):
    response = client.get(reverse("bookings:find"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))

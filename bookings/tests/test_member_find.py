"""Find a place: the free desks and rooms for a whole slot, the rules that block it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from bookings.models import BookingRules, BuildingRules
from bookings.services import create_booking
from bookings.tests.factories import (
    AmenityFactory,
    BookingFactory,
    BuildingFactory,
    DeskFactory,
    OpenSpaceFactory,
    RoomFactory,
    UserFactory,
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
    """The free desks' labels and the free rooms' names, as the page shows them (whether
    its cards were rendered for this request or kept)."""
    desks = re.findall(r'data-testid="book-desk"\s+aria-label="Book desk ([^"]*)"', response.text)
    rooms = re.findall(r'data-testid="room-result">.*?<h3>([^<]*)</h3>', response.text, flags=re.DOTALL)
    return desks, rooms


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
    assert "places" not in response.context
    assert 'data-testid="slot-problems"' in response.text
    assert 'data-testid="book-' not in response.text


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


def test_a_search_made_again_is_kept_until_the_building_changes(
    client, member, space, django_assert_num_queries
):
    """The cards of a search are the same for every member: kept per building version, so
    the next member's search skips the places' queries, and a booking shows at once."""
    BookingRules.load()  # the defaults row exists in any running installation
    building, desks, meeting, _office = space
    day = tomorrow(building)
    client.force_login(member)
    assert _found(_search(client, building, day)) == (["A-1", "A-2", "A-10"], ["Кабинет", "Переговорная"])

    other = UserFactory(language="en")
    client.force_login(other)
    # session, user; buildings + their hours; amenities; the default rules; the upcoming
    # count; the desks held then. Not: the rooms, the desks, their amenities and whether
    # there are floor plans (6 more when the cards are rendered).
    with django_assert_num_queries(8):
        kept = _search(client, building, day)
    assert _found(kept) == (["A-1", "A-2", "A-10"], ["Кабинет", "Переговорная"])
    assert "places" in kept.context and "rooms" not in kept.context

    for place, hour in ((desks[1], 10), (meeting, 11)):
        create_booking(
            user=member, resource=place, start=local(building, day, hour), end=local(building, day, hour + 1)
        )
    taken = _search(client, building, day)
    assert _found(taken) == (["A-1", "A-10"], ["Кабинет"])
    assert "<small>Taken until 11:00</small>" in taken.text


def test_kept_search_follows_amenities_added_removed_and_renamed(client, member, space):
    building, desks, meeting, _office = space
    projector = AmenityFactory(name="проектор")
    day = tomorrow(building)
    client.force_login(member)
    assert _found(_search(client, building, day, amenities=[projector.pk])) == ([], [])

    meeting.amenities.add(projector)
    projector.desks.add(desks[0])
    found = _search(client, building, day, amenities=[projector.pk])
    assert _found(found) == (["A-1"], ["Переговорная"])
    assert '<li class="chip">проектор</li>' in found.text

    projector.name = "экран"
    projector.save()
    assert '<li class="chip">экран</li>' in _search(client, building, day, amenities=[projector.pk]).text

    projector.rooms.remove(meeting)
    desks[0].amenities.clear()
    assert _found(_search(client, building, day, amenities=[projector.pk])) == ([], [])


def test_kept_search_is_kept_per_language(client, member, space):
    building, *_rest = space
    day = tomorrow(building)
    client.force_login(member)
    english = _search(client, building, day, kinds=["open_space"])
    client.force_login(UserFactory(language="ru"))
    russian = _search(client, building, day, kinds=["open_space"])
    assert ("3 desks free" in english.text, "3 desks free" in russian.text) == (True, False)
    assert "свободно 3 места" in russian.text

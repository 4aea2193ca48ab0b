"""One place's week: seven days against the slots of the day, with its bookings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from bookings.models import BookingRules
from bookings.tests.factories import (
    BookingFactory,
    BuildingFactory,
    DeskFactory,
    OpeningHoursFactory,
    OpenSpaceFactory,
    RoomFactory,
    local,
)

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]
# A Tuesday noon in Moscow: the week runs from Monday 9 to Sunday 15 March 2026.
NOW = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)
MONDAY = dt.date(2026, 3, 9)


@pytest.fixture(autouse=True)
def _tuesday_noon(time_machine):
    time_machine.move_to(NOW, tick=False)


def _week(client, place, day=None, headers=None):
    name = "bookings:desk_week" if hasattr(place, "label") else "bookings:room_week"
    query = {"date": day.isoformat()} if day else {}
    return client.get(reverse(name, args=[place.pk]), query, headers=headers)


def _column(week, day_index: int) -> list[tuple[str, str, int]]:
    """(row label, cell state, rows spanned) down one day; spanned-over rows left out."""
    return [
        (row.label, row.cells[day_index].state, row.cells[day_index].rows)
        for row in week.rows
        if row.cells[day_index] is not None
    ]


@pytest.mark.smoke
def test_room_week_shows_the_days_with_bookings_spanning_their_slots(client, member):
    building = BuildingFactory(open_daily=(dt.time(9), dt.time(12)))
    room = RoomFactory(building=building, name="Board room")
    thursday = MONDAY + dt.timedelta(days=3)
    BookingFactory(
        user=member, room=room, start=local(building, thursday, 9), end=local(building, thursday, 10)
    )
    BookingFactory(
        user=UserFactory(full_name="Someone Else"),
        room=room,
        start=local(building, thursday, 10, 30),
        end=local(building, thursday, 12),
    )
    client.force_login(member)

    response = _week(client, room, thursday)

    week = response.context["week"]
    assert week.days == [MONDAY + dt.timedelta(days=n) for n in range(7)]
    assert [row.label for row in week.rows] == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    assert _column(week, 3) == [
        ("09:00", "mine", 2),
        ("10:00", "free", 1),
        ("10:30", "taken", 3),
    ]
    # Monday is over by Tuesday noon; Wednesday is all free.
    assert {state for _label, state, _rows in _column(week, 0)} == {"past"}
    assert {state for _label, state, _rows in _column(week, 2)} == {"free"}
    assert week.booked_by_viewer == 1
    assert "Someone Else" not in response.text
    assert 'rowspan="3"' in response.text
    free = week.rows[2].cells[3]
    start = local(building, thursday, 10)
    assert free.href == (
        f"{reverse('bookings:new')}?room={room.pk}&start={start:%Y-%m-%dT%H}:00Z&end={start:%Y-%m-%dT%H}:30Z"
    )
    assert response.context["week"].name == "Board room"


def test_desk_week_marks_the_days_the_building_is_closed(client, member):
    building = BuildingFactory(open_daily=False)
    OpeningHoursFactory(building=building, weekday=2, opens_at=dt.time(8), closes_at=dt.time(9))
    OpeningHoursFactory(building=building, weekday=5, opens_at=dt.time(8, 30), closes_at=dt.time(9, 30))
    desk = DeskFactory(room__building=building, label="A-1", room__name="Hall")
    client.force_login(member)

    week = _week(client, desk, MONDAY).context["week"]

    assert week.name == "Desk A-1, Hall"
    assert [row.label for row in week.rows] == ["08:00", "08:30", "09:00"]
    assert [[cell.state for cell in row.cells] for row in week.rows] == [
        ["closed", "closed", "free", "closed", "closed", "closed", "closed"],
        ["closed", "closed", "free", "closed", "closed", "free", "closed"],
        ["closed", "closed", "closed", "closed", "closed", "free", "closed"],
    ]


def test_week_of_the_autumn_change_shows_the_repeated_hour_twice(client, member):
    building = BuildingFactory(time_zone="Europe/Berlin", open_daily=(dt.time(1), dt.time(4)))
    room = RoomFactory(building=building)
    client.force_login(member)

    week = _week(client, room, dt.date(2027, 10, 31)).context["week"]

    assert [row.label for row in week.rows] == [
        "01:00",
        "01:30",
        "02:00 CEST",
        "02:30 CEST",
        "02:00 CET",
        "02:30 CET",
        "03:00",
        "03:30",
    ]
    sunday = [row.cells[6].state for row in week.rows]
    saturday = [row.cells[5].state for row in week.rows]
    assert sunday == ["free"] * 8
    # A plain Saturday (summer time) has one 02:00 and one 02:30: the CET rows are closed.
    assert saturday == ["free", "free", "free", "free", "closed", "closed", "free", "free"]


def test_week_moves_by_weeks_and_answers_htmx_with_the_fragment(client, member):
    room = RoomFactory()
    client.force_login(member)

    page = _week(client, room)
    fragment = _week(client, room, MONDAY + dt.timedelta(days=9), headers={"HX-Request": "true"})
    bad = client.get(reverse("bookings:room_week", args=[room.pk]), {"date": "soon"})

    assert page.context["week"].first_day == MONDAY
    url = reverse("bookings:room_week", args=[room.pk])
    assert f'href="{url}?date=2026-03-16" rel="next"' in page.text
    assert "9 March – 15 March 2026" in page.text
    assert fragment.context["week"].first_day == MONDAY + dt.timedelta(days=7)
    assert fragment.text.lstrip().startswith('<section id="week-grid"')
    assert "<html" not in fragment.text
    assert bad.status_code == 200
    assert bad.context["week"].first_day == MONDAY
    assert "“soon” is not a date; showing today." in bad.text


def test_week_of_an_open_space_an_inactive_place_or_an_unknown_one_is_404(client, member):
    open_space = OpenSpaceFactory()
    retired = RoomFactory(is_active=False)
    closed_down = RoomFactory(building=BuildingFactory(is_active=False))
    retired_desk = DeskFactory(is_active=False)
    client.force_login(member)

    assert _week(client, open_space).status_code == 404
    assert _week(client, retired).status_code == 404
    assert _week(client, closed_down).status_code == 404
    assert _week(client, retired_desk).status_code == 404
    assert client.get(reverse("bookings:room_week", args=[999999])).status_code == 404


def test_week_needs_a_login(client):
    room = RoomFactory()

    response = _week(client, room)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_day_grid_links_each_place_to_its_week(client, member):
    building = BuildingFactory()
    room = RoomFactory(building=building)
    desk = DeskFactory(room__building=building)
    client.force_login(member)

    response = client.get(reverse("bookings:day", args=[building.pk]))

    assert f'href="{reverse("bookings:room_week", args=[room.pk])}"' in response.text
    assert f'href="{reverse("bookings:desk_week", args=[desk.pk])}"' in response.text


@pytest.mark.parametrize("kind", ["room", "desk"])
@pytest.mark.parametrize("count", [1, 3])
def test_week_queries_do_not_grow_with_bookings(client, member, kind, count, django_assert_num_queries):
    BookingRules.load()  # the defaults row exists in any running installation
    building = BuildingFactory()
    place = RoomFactory(building=building) if kind == "room" else DeskFactory(room__building=building)
    for n in range(count):
        day = MONDAY + dt.timedelta(days=2 + n)
        BookingFactory(**{kind: place}, start=local(building, day, 9), end=local(building, day, 11))
    client.force_login(member)

    # session, user; the place with its building; opening hours, default rules, the
    # building's rules (the week's slots); the week's bookings.
    with django_assert_num_queries(7):
        response = _week(client, place, MONDAY)

    taken = [
        cell for row in response.context["week"].rows for cell in row.cells if cell and cell.state == "taken"
    ]
    assert [cell.rows for cell in taken] == [4] * count

    # Another member holding none of these bookings gets the same table, kept with the
    # week's slots: no opening hours, rules or bookings are read.
    client.force_login(UserFactory(language=member.language))
    with django_assert_num_queries(3):
        again = _week(client, place, MONDAY)
    assert again.context["week"].table == response.context["week"].table
    assert again.context["week"].table.count('class="c-taken"') == count

    # In the other language the slots are kept but the table is not: the bookings are read.
    client.force_login(UserFactory(language="ru"))
    with django_assert_num_queries(4):
        russian = _week(client, place, MONDAY)
    assert russian.context["week"].table.count('class="c-taken"') == count

"""The day grid of a building: places against the day's slots, DST days included."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from bookings.tests.factories import (
    BookingFactory,
    BuildingFactory,
    DeskFactory,
    OpenSpaceFactory,
    RoomFactory,
    local,
    tomorrow,
)

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]
MIDNIGHT = dt.time(0)


def _day(client, building, day=None, headers=None):
    query = {"date": day.isoformat()} if day else {}
    return client.get(reverse("bookings:day", args=[building.pk]), query, headers=headers)


def _rows(grid) -> list[tuple[str, list[tuple[str, int]]]]:
    """(row label, [(cell state, span), ...]) for every row of every group."""
    return [
        (row.label, [(cell.state, cell.span) for cell in row.cells])
        for group in grid.groups
        for row in group.rows
    ]


@pytest.mark.smoke
def test_day_grid_shows_desks_by_room_then_whole_rooms(client, member):
    building = BuildingFactory()
    hall = OpenSpaceFactory(building=building, name="Hall", floor=2)
    for label in ("A-10", "A-2", "A-1"):
        DeskFactory(room=hall, label=label)
    RoomFactory(building=building, name="Board room", capacity=8)
    client.force_login(member)

    response = _day(client, building, tomorrow(building))

    grid = response.context["grid"]
    assert [(g.title, [r.label for r in g.rows]) for g in grid.groups] == [
        ("Hall", ["A-1", "A-2", "A-10"]),
        ("Meeting rooms and offices", ["Board room"]),
    ]
    assert [c.label for c in grid.columns[:3]] == ["08:00", "08:30", "09:00"]
    assert len(grid.columns) == 24
    assert 'data-testid="day-grid"' in response.text


def test_day_grid_highlights_own_bookings_and_hides_other_names(client, member):
    building = BuildingFactory()
    desk = DeskFactory(room__building=building, label="A-1")
    other = UserFactory(full_name="Зоя Неизвестная")
    day = tomorrow(building)
    BookingFactory(user=member, desk=desk, start=local(building, day, 9), end=local(building, day, 10, 30))
    BookingFactory(user=other, desk=desk, start=local(building, day, 12), end=local(building, day, 13))
    client.force_login(member)

    response = _day(client, building, day)

    [(_label, cells)] = _rows(response.context["grid"])
    assert cells == [
        ("free", 1),
        ("free", 1),
        ("mine", 3),
        ("free", 1),
        ("free", 1),
        ("free", 1),
        ("taken", 2),
        *[("free", 1)] * 14,
    ]
    # Her surname: the viewer's own name (random) may begin with Зоя too.
    assert "Неизвестная" not in response.text
    assert response.context["grid"].booked_by_viewer == 1


def test_staff_see_who_booked(client, staff):
    building = BuildingFactory()
    desk = DeskFactory(room__building=building)
    day = tomorrow(building)
    BookingFactory(user=UserFactory(full_name="Зоя Неизвестная"), desk=desk, start=local(building, day, 12))
    client.force_login(staff)

    response = _day(client, building, day)

    assert "<span>Зоя Неизвестная</span>" in response.text


def test_day_grid_greys_past_slots_and_links_free_ones_to_the_booking_form(client, member, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC), tick=False)  # 12:00 in Moscow
    building = BuildingFactory()
    desk = DeskFactory(room__building=building, label="A-1")
    client.force_login(member)

    yesterday = _rows(_day(client, building, building.local_today() - dt.timedelta(days=1)).context["grid"])
    response = _day(client, building, tomorrow(building))

    assert yesterday == [("A-1", [("past", 1)] * 24)]
    first = response.context["grid"].groups[0].rows[0].cells[0]
    start = local(building, tomorrow(building), 8).astimezone(dt.UTC)
    assert first.href == (
        f"{reverse('bookings:new')}?desk={desk.pk}&start={start:%Y-%m-%dT%H}:00Z&end={start:%Y-%m-%dT%H}:30Z"
    )


def test_day_grid_answers_htmx_with_the_grid_fragment_and_history_restores_with_the_page(client, member):
    building = BuildingFactory()
    DeskFactory(room__building=building)
    client.force_login(member)

    fragment = _day(client, building, tomorrow(building), headers={"HX-Request": "true"})
    restored = _day(
        client,
        building,
        tomorrow(building),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )

    assert fragment.text.lstrip().startswith('<section id="day-grid"')
    assert "<html" not in fragment.text
    assert "<html" in restored.text
    assert fragment["Vary"] == "HX-Request, Accept-Language, Cookie"


def test_day_grid_skips_the_spring_hour_and_shows_the_autumn_hour_twice(client, member):
    building = BuildingFactory(time_zone="Europe/Berlin", open_daily=(MIDNIGHT, MIDNIGHT))
    desk = DeskFactory(room__building=building)
    client.force_login(member)

    spring = _day(client, building, dt.date(2027, 3, 28)).context["grid"]
    autumn = _day(client, building, dt.date(2027, 10, 31)).context["grid"]

    assert [c.label for c in spring.columns[2:6]] == ["01:00", "01:30", "03:00", "03:30"]
    assert len(spring.columns) == 46
    assert [(c.label, c.offset) for c in autumn.columns[4:10]] == [
        ("02:00", "CEST"),
        ("02:30", "CEST"),
        ("02:00", "CET"),
        ("02:30", "CET"),
        ("03:00", ""),
        ("03:30", ""),
    ]
    second_two = autumn.groups[0].rows[0].cells[6]
    assert second_two.href == (
        f"{reverse('bookings:new')}?desk={desk.pk}&start=2027-10-31T01:00Z&end=2027-10-31T01:30Z"
    )


def test_day_grid_says_when_the_building_is_closed_or_the_date_is_bad(client, member):
    building = BuildingFactory(open_daily=False)
    DeskFactory(room__building=building)
    client.force_login(member)

    closed = _day(client, building, tomorrow(building))
    bad = client.get(reverse("bookings:day", args=[building.pk]), {"date": "tomorrow"})

    assert closed.context["grid"].columns == []
    assert "Closed on this day" in closed.text
    assert bad.status_code == 200
    assert bad.context["date_error"] == "“tomorrow” is not a date; showing today."
    assert bad.context["grid"].day == building.local_today()


def test_day_grid_of_an_inactive_or_unknown_building_is_404(client, member):
    building = BuildingFactory(is_active=False)
    client.force_login(member)

    assert _day(client, building).status_code == 404
    assert client.get(reverse("bookings:day", args=[building.pk + 1])).status_code == 404


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_day_grid_refuses_dates_out_of_range_without_an_error(client, member, value):
    building = BuildingFactory(open_daily=(dt.time(0), dt.time(0)))
    client.force_login(member)
    response = client.get(reverse("bookings:day", args=[building.pk]), {"date": value})
    assert response.status_code == 200
    assert response.context["grid"].day == building.local_today()
    assert response.context["date_error"] == f"“{value}” is not a date; showing today."

"""Floor plans on the find page and the day view: each desk free, taken or the member's
for the chosen time, one link each, and a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import html
import re

import botocore.auth
import botocore.signers
import pytest
from django.urls import reverse
from time_machine import escape_hatch as time_machine_escape

from accounts.tests.factories import UserFactory
from bookings.grid import new_booking_url, utc_param
from bookings.models import BookingRules
from bookings.tests.factories import (
    AmenityFactory,
    BookingFactory,
    BuildingFactory,
    DeskFactory,
    local,
    tomorrow,
)
from spaces.tests.conftest import needs_s3
from spaces.tests.factories import FloorPlanFactory

pytestmark = [needs_s3, pytest.mark.django_db, pytest.mark.language("en")]
MARKER = re.compile(
    r'<a href="([^"]*)" class="plan-spot is-(\w+)"[^>]*aria-label="([^"]*)"[^>]*data-desk="([^"]*)"'
)


def _markers(response) -> list[tuple[str, str, str, str]]:
    """(desk label, state, link, spoken label) of every marker on the page, in order."""
    return [
        (html.unescape(desk), state, html.unescape(href), html.unescape(label))
        for href, state, label, desk in MARKER.findall(response.text)
    ]


def _real_utc_now(remove_tzinfo: bool = True) -> dt.datetime:
    now = time_machine_escape.datetime.datetime.now(dt.UTC)
    return now.replace(tzinfo=None) if remove_tzinfo else now


@pytest.fixture(autouse=True)
def _morning(time_machine, monkeypatch):
    """09:00 in Moscow; the plans' uploads to S3 are still signed with the real time (the S3
    server refuses a signature far off its own clock), as conftest's --clock does."""
    for module in (botocore.auth, botocore.signers):
        monkeypatch.setattr(module, "get_current_datetime", _real_utc_now)
    time_machine.move_to(dt.datetime(2026, 3, 10, 6, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def hall():
    """A planned open space: A-1 (monitor), A-2, A-3 on the plan; A-4 not placed yet."""
    building = BuildingFactory(name="Pokrovka")
    plan = FloorPlanFactory(room__building=building, room__name="Hall", room__floor=2)
    desks = [DeskFactory(room=plan.room, label=f"A-{n}", plan_x=0.2 * n, plan_y=0.5) for n in range(1, 4)] + [
        DeskFactory(room=plan.room, label="A-4")
    ]
    desks[0].amenities.add(AmenityFactory(name="monitor"))
    return building, desks


def _find(client, building, day, start="10:00", end="11:00", **headers):
    query = {"building": building.pk, "date": day.isoformat(), "start_time": start, "end_time": end}
    return client.get(reverse("bookings:find"), query, headers=headers)


def test_find_shows_each_placed_desk_free_or_taken_until_when(client, member, hall):
    building, (a1, a2, a3, _a4) = hall
    day = tomorrow(building)
    BookingFactory(desk=a2, start=local(building, day, 9), end=local(building, day, 12))
    BookingFactory(desk=a3, start=local(building, day, 10, 30), end=local(building, day, 11))
    client.force_login(member)

    response = _find(client, building, day)

    start, end = local(building, day, 10), local(building, day, 11)
    weeks = [f"{reverse('bookings:desk_week', args=[desk.pk])}?date={day.isoformat()}" for desk in (a2, a3)]
    assert _markers(response) == [
        ("A-1", "free", new_booking_url(a1, start, end), "Desk A-1 (monitor): free. Book it for 10:00–11:00"),
        ("A-2", "taken", weeks[0], "Desk A-2: taken until 12:00. See its week"),
        ("A-3", "taken", weeks[1], "Desk A-3: taken until 11:00. See its week"),
    ]
    assert "1 of 3 desks free" in response.text
    # The free desk is listed as a tile too (the list view), with the same booking link.
    tile = re.search(r'<a class="desk-tile" href="([^"]*)"', response.text)
    assert html.unescape(tile.group(1)) == new_booking_url(a1, start, end)


def test_day_view_shows_the_members_own_desk_as_theirs(client, member, hall):
    building, (_a1, _a2, a3, _a4) = hall
    day = tomorrow(building)
    mine = BookingFactory(user=member, desk=a3, start=local(building, day, 10), end=local(building, day, 12))
    client.force_login(member)
    url = reverse("bookings:day", args=[building.pk])

    response = client.get(url, {"date": day.isoformat(), "at": utc_param(local(building, day, 11))})

    assert _markers(response)[2] == (
        "A-3",
        "mine",
        reverse("bookings:detail", args=[mine.pk]),
        "Desk A-3: yours, 11:00–11:30. Open the booking",
    )


def test_find_through_htmx_swaps_the_plan_in_with_the_results(client, member, hall):
    building, _desks = hall
    client.force_login(member)

    response = _find(client, building, tomorrow(building), HX_Request="true", HX_Target="results")

    assert response.text.lstrip().startswith('<section id="results"')
    assert [(desk, state) for desk, state, _href, _label in _markers(response)] == [
        ("A-1", "free"),
        ("A-2", "free"),
        ("A-3", "free"),
    ]


@pytest.mark.parametrize(
    ("shows_name", "expected"), [(True, "taken by Zoya Visible until 12:00"), (False, "taken until 12:00")]
)
def test_a_taken_desk_names_its_holder_only_if_they_show_their_name(
    client, member, hall, shows_name, expected
):
    building, (_a1, a2, _a3, _a4) = hall
    day = tomorrow(building)
    holder = UserFactory(full_name="Zoya Visible", visible_to_members=shows_name)
    BookingFactory(user=holder, desk=a2, start=local(building, day, 9), end=local(building, day, 12))
    client.force_login(member)

    response = _find(client, building, day)

    assert _markers(response)[1][3] == f"Desk A-2: {expected}. See its week"
    assert ("Zoya Visible" in response.text) is shows_name


def test_day_view_shows_the_plan_at_the_chosen_slot(client, member, hall):
    building, (_a1, a2, _a3, _a4) = hall
    day = tomorrow(building)
    BookingFactory(desk=a2, start=local(building, day, 9), end=local(building, day, 12))
    client.force_login(member)
    url = reverse("bookings:day", args=[building.pk])

    at_ten = client.get(url, {"date": day.isoformat(), "at": utc_param(local(building, day, 10))})
    at_one = client.get(url, {"date": day.isoformat(), "at": utc_param(local(building, day, 13))})

    assert [state for _desk, state, _href, _label in _markers(at_ten)] == ["free", "taken", "free"]
    assert _markers(at_one)[1][1:3] == (
        "free",
        new_booking_url(a2, local(building, day, 13), local(building, day, 13, 30)),
    )
    assert f'<option value="{utc_param(local(building, day, 13))}" selected>13:00</option>' in at_one.text


def test_day_view_plan_starts_at_the_next_slot_today_and_ignores_a_bad_time(
    client, member, hall, time_machine
):
    building, (_a1, _a2, a3, _a4) = hall
    time_machine.move_to(dt.datetime(2026, 3, 10, 6, 10, tzinfo=dt.UTC), tick=False)  # 09:10 in Moscow
    client.force_login(member)
    url = reverse("bookings:day", args=[building.pk])
    today = building.local_today()

    response = client.get(url, {"at": "yesterday at noon"})

    assert response.status_code == 200
    # 09:00–09:30 is under way and can no longer be booked: the plan shows 09:30–10:00.
    assert _markers(response)[2][1:3] == (
        "free",
        new_booking_url(a3, local(building, today, 9, 30), local(building, today, 10)),
    )


def test_day_view_plan_of_a_past_day_links_each_desk_to_its_week(client, member, hall):
    building, (_a1, _a2, a3, _a4) = hall
    client.force_login(member)
    yesterday = building.local_today() - dt.timedelta(days=1)

    response = client.get(reverse("bookings:day", args=[building.pk]), {"date": yesterday.isoformat()})

    week = f"{reverse('bookings:desk_week', args=[a3.pk])}?date={yesterday.isoformat()}"
    assert _markers(response)[2] == ("A-3", "past", week, "Desk A-3: this time has passed. See its week")


def test_a_room_without_a_plan_keeps_its_tiles_only(client, member):
    building = BuildingFactory()
    DeskFactory(room__building=building, label="B-1")
    client.force_login(member)

    response = _find(client, building, tomorrow(building))

    assert 'data-testid="floor-plans"' not in response.text
    assert 'data-testid="book-desk"' in response.text


def _planned_building(count: int):
    """`count` planned rooms of `count` + 1 desks each, all but the last booked by others."""
    BookingRules.load()  # the defaults row exists in any running installation
    building = BuildingFactory(name="Sized")
    day = tomorrow(building)
    users = UserFactory.create_batch(count)
    for n in range(count):
        plan = FloorPlanFactory(room__building=building, room__name=f"Hall {n}", size=(400, 300))
        for m in range(count + 1):
            desk = DeskFactory(room=plan.room, label=f"H{n}-{m}", plan_x=0.2, plan_y=0.2)
            desk.amenities.add(AmenityFactory(name=f"amenity {m}"))
            if m < count:
                start, end = local(building, day, 10), local(building, day, 12)
                BookingFactory(user=users[m], desk=desk, start=start, end=end)
    return building, day


@pytest.mark.parametrize("count", [1, 3])
def test_find_with_plans_runs_a_fixed_number_of_queries(client, member, count, django_assert_num_queries):
    building, day = _planned_building(count)
    client.force_login(member)

    # The page's own 12 (see bookings/tests/test_queries.py, less the meeting rooms' amenities), then
    # whether there are plans (kept with the cards), the planned rooms, their desks, the desks'
    # amenities and the desks' bookings.
    with django_assert_num_queries(12 + 5):
        response = _find(client, building, day, "11:00", "12:00")

    states = [state for _desk, state, _href, _label in _markers(response)]
    assert states == (["taken"] * count + ["free"]) * count
    # Another member's same search has the cards kept, and the plans still drawn: the
    # page's 8 (bookings/tests/test_member_find.py), then the plans' 4.
    client.force_login(UserFactory(language=member.language))
    with django_assert_num_queries(8 + 4):
        again = _find(client, building, day, "11:00", "12:00")
    assert [state for _desk, state, _href, _label in _markers(again)] == states


@pytest.mark.parametrize("count", [1, 3])
def test_day_view_with_plans_runs_a_fixed_number_of_queries(client, member, count, django_assert_num_queries):
    building, day = _planned_building(count)
    client.force_login(member)
    url = reverse("bookings:day", args=[building.pk])

    # The page's own 8 (see bookings/tests/test_queries.py), then the planned rooms, their
    # desks, the desks' amenities and the desks' bookings.
    with django_assert_num_queries(8 + 4):
        response = client.get(url, {"date": day.isoformat(), "at": utc_param(local(building, day, 11))})

    states = [state for _desk, state, _href, _label in _markers(response)]
    assert states == (["taken"] * count + ["free"]) * count

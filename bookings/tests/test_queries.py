"""The member pages make the same number of queries however many bookings there are."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from accounts.tests.factories import UserFactory
from bookings.grid import booked_between
from bookings.models import Booking, BookingRules
from bookings.tests.factories import BuildingFactory, local, tomorrow
from spaces.models import Amenity, Desk, Room

pytestmark = pytest.mark.django_db
OPEN_SPACES, DESKS_PER_ROOM, MEETING_ROOMS = 10, 50, 40


@pytest.fixture(autouse=True)
def _noon(time_machine):
    """A fixed noon: "tomorrow" is the same day when the bookings are made and when a page
    is asked for, whenever the test runs."""
    time_machine.move_to(dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def big_building():
    """50 rooms and 500 desks: 10 open spaces of 50 desks and 40 meeting rooms."""
    BookingRules.load()  # the defaults row exists in any running installation
    building = BuildingFactory(name="Big")
    amenity = Amenity.objects.create(name="monitor")
    rooms = Room.objects.bulk_create(
        [Room(building=building, name=f"Open {n}", kind=Room.Kind.OPEN_SPACE) for n in range(OPEN_SPACES)]
        + [Room(building=building, name=f"Meeting {n}", capacity=8) for n in range(MEETING_ROOMS)]
    )
    for room in rooms:
        room.amenities.add(amenity)
    Desk.objects.bulk_create(
        Desk(room=room, label=f"{room.name[-1]}-{n}")
        for room in rooms[:OPEN_SPACES]
        for n in range(DESKS_PER_ROOM)
    )
    return building


def _fill(building, per_place: int) -> None:
    """`per_place` one-hour bookings tomorrow on every desk and meeting room, by several members."""
    users = UserFactory.create_batch(3)
    day = tomorrow(building)
    places = [("desk", desk) for desk in Desk.objects.filter(room__building=building)]
    places += [("room", room) for room in Room.objects.filter(building=building, kind=Room.Kind.MEETING_ROOM)]
    Booking.objects.bulk_create(
        Booking(
            user=users[(index + n) % 3],
            building=building,
            start=local(building, day, 9 + 3 * n),
            end=local(building, day, 10 + 3 * n),
            **{kind: place},
        )
        for index, (kind, place) in enumerate(places)
        for n in range(per_place)
    )


@pytest.mark.parametrize("per_place", [1, 3])
def test_day_grid_queries_do_not_grow_with_bookings(
    client, member, big_building, per_place, django_assert_num_queries
):
    _fill(big_building, per_place)
    client.force_login(member)
    url = reverse("bookings:day", args=[big_building.pk])

    date = {"date": tomorrow(big_building).isoformat()}

    # session, user; the buildings (with their rules); the default rules + the opening
    # hours (for the day's slots); rooms (with their floor plans: none here) + desks;
    # bookings.
    with django_assert_num_queries(8):
        response = client.get(url, date)

    assert response.status_code == 200
    grid = response.context["grid"]
    assert sum(len(group.rows) for group in grid.groups) == OPEN_SPACES * DESKS_PER_ROOM + MEETING_ROOMS
    taken = sum(cell.state == "taken" for group in grid.groups for row in group.rows for cell in row.cells)
    assert taken == per_place * (OPEN_SPACES * DESKS_PER_ROOM + MEETING_ROOMS)

    # Another member holding none of these bookings gets the same slots and table, kept:
    # session, user and the buildings are all that is read.
    client.force_login(UserFactory())
    with django_assert_num_queries(3):
        again = client.get(url, date)
    assert again.context["grid"].table == grid.table


@pytest.mark.parametrize("per_place", [1, 3])
def test_find_queries_do_not_grow_with_bookings(
    client, member, big_building, per_place, django_assert_num_queries
):
    _fill(big_building, per_place)
    client.force_login(member)
    day = tomorrow(big_building)
    query = {"building": big_building.pk, "date": day.isoformat(), "amenities": [Amenity.objects.get().pk]}

    # session, user; buildings (with their rules) + opening hours; amenities; the default
    # rules; upcoming count; the member's desks then; desks + their amenities + their
    # rooms' amenities; rooms + their amenities; whether there are floor plans (none
    # here). The same search again (kept, bookings/tests/test_member_find.py) makes 8.
    with django_assert_num_queries(14):
        free = client.get(reverse("bookings:find"), {**query, "start_time": "18:00", "end_time": "20:00"})

    assert free.context["problems"] == []
    assert sum(len(desks) for _room, desks in free.context["desk_groups"]) == OPEN_SPACES * DESKS_PER_ROOM
    assert len(free.context["rooms"]) == MEETING_ROOMS
    # Over the booked hours nothing is free for the whole slot.
    taken = client.get(reverse("bookings:find"), {**query, "start_time": "09:00", "end_time": "18:00"})
    assert (taken.context["desk_groups"], taken.context["rooms"]) == ([], [])


@pytest.mark.parametrize("per_place", [1, 3])
def test_booking_post_queries_do_not_grow_with_places_or_bookings(
    client, member, big_building, per_place, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """A booking post reads the place it names, not the 540 a form would list, and the
    member's bookings through counts and windows, not one by one."""
    _fill(big_building, per_place)
    desks = list(Desk.objects.filter(room__building=big_building).order_by("pk")[: per_place + 1])
    day = tomorrow(big_building)
    for n, desk in enumerate(desks[1:]):  # the member's other upcoming desks, on later days
        start = local(big_building, day + dt.timedelta(days=1 + n), 18)
        Booking.objects.create(
            user=member, building=big_building, desk=desk, start=start, end=start + dt.timedelta(hours=1)
        )
    client.force_login(member)
    data = {
        "place": f"desk-{desks[0].pk}",
        "date": day.isoformat(),
        "start_time": "18:00",
        "end_time": "19:00",
    }

    # session, user; the desk (with its building and rules); savepoint, the member's and
    # the desk's locks; the default rules, opening hours; the upcoming count, the desks
    # held then, the overlap; the booking, the building's version, the email; release.
    # After the commit (not counted here): the email's task, the webhooks, the metrics.
    with django_assert_num_queries(15), django_capture_on_commit_callbacks() as after_commit:
        response = client.post(reverse("bookings:new"), data)

    booking = Booking.objects.get(user=member, desk=desks[0])
    assert response.status_code == 302
    assert response["Location"] == reverse("bookings:detail", args=[booking.pk])
    assert (booking.start, booking.end) == (local(big_building, day, 18), local(big_building, day, 19))
    assert len(after_commit) == 3


@pytest.mark.parametrize("count", [1, 3])
def test_my_bookings_queries_do_not_grow_with_bookings(
    client, member, big_building, count, django_assert_num_queries
):
    desks = list(Desk.objects.filter(room__building=big_building)[: 2 * count])
    rooms = list(Room.objects.filter(building=big_building, kind=Room.Kind.MEETING_ROOM)[:count])
    day = tomorrow(big_building)
    for n in range(count):
        past = day - dt.timedelta(days=3 + n)
        for place, when, hour in [(desks[n], day, 9), (rooms[n], day, 14), (desks[count + n], past, 9)]:
            kind = "desk" if isinstance(place, Desk) else "room"
            start = local(big_building, when, hour + n)
            Booking.objects.create(
                user=member,
                building=big_building,
                start=start,
                end=start + dt.timedelta(hours=1),
                **{kind: place},
            )
    client.force_login(member)

    # session, user; the upcoming page with its buildings' rule overrides; the default
    # cancellation rules; the past page; whether anything was booked last week ("Same as
    # last week"). Nothing counts the lists: the pages cost the same however long the history.
    with django_assert_num_queries(6):
        response = client.get(reverse("bookings:mine"))

    assert len(response.context["upcoming"]) == 2 * count
    assert len(response.context["history"]) == count


@pytest.mark.parametrize("count", [3, 40])
def test_my_bookings_queries_do_not_grow_past_a_page(client, member, desk, count, django_assert_num_queries):
    """Longer lists than a page: the same queries, one page of each list, a link onwards."""
    BookingRules.load()
    building = desk.room.building
    day = tomorrow(building)
    for n in range(count):
        for when in (day + dt.timedelta(days=n), day - dt.timedelta(days=3 + n)):
            start = local(building, when, 9)
            Booking.objects.create(
                user=member, building=building, desk=desk, start=start, end=start + dt.timedelta(hours=1)
            )
    client.force_login(member)

    with django_assert_num_queries(6):
        response = client.get(reverse("bookings:mine"))

    assert [len(response.context["upcoming"]), len(response.context["history"])] == [min(count, 20)] * 2
    assert [response.context["upcoming"].has_next, response.context["history"].has_next] == [count > 20] * 2


def test_day_bookings_query_is_bounded_on_both_ends_by_an_index(big_building):
    """The day's bookings come from the building's range index, bounded on both ends, so
    years of history are never walked (checked on PostgreSQL, where the index is GiST)."""
    if connection.vendor != "postgresql":
        pytest.skip("the range index is PostgreSQL's")
    day = tomorrow(big_building)
    # Two months of history before that day, with the statistics a running database keeps:
    # on a near-empty table any index costs the same and the planner's pick is a coin toss.
    member = UserFactory()
    rooms = Room.objects.filter(building=big_building, kind=Room.Kind.MEETING_ROOM)
    Booking.objects.bulk_create(
        Booking(
            user=member,
            building=big_building,
            room=room,
            start=local(big_building, day - dt.timedelta(days=back), 10),
            end=local(big_building, day - dt.timedelta(days=back), 11),
        )
        for room in rooms
        for back in range(1, 61)
    )
    start, end = local(big_building, day, 0), local(big_building, day + dt.timedelta(days=1), 0)
    query = Booking.objects.active().filter(building=big_building).overlapping(start, end)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE bookings_booking")
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()

    assert "booking_building_span_active" in plan
    assert "Index Cond: (tstzrange(start, \"end\", '[)'::text) && " in plan
    assert booked_between(big_building, start, end) == []


def test_a_page_of_past_bookings_is_read_in_order_from_an_index(member, desk):
    """The first page of a member's history reads 21 rows through booking_user_recent,
    newest first, not every booking the member ever made sorted (checked on PostgreSQL)."""
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    building = desk.room.building
    # Years of history for the member and for others, with the statistics a running
    # database keeps.
    others = UserFactory.create_batch(4)
    first_day = tomorrow(building) - dt.timedelta(days=1500)
    Booking.objects.bulk_create(
        Booking(user=user, building=building, desk=desk, start=start, end=start + dt.timedelta(minutes=30))
        for back in range(1500)
        for n, user in enumerate([member, *others])
        for start in [local(building, first_day + dt.timedelta(days=back), 9 + n)]
    )
    history = Booking.objects.filter(user=member).select_related("building", "desk__room", "room")
    page = history.past_or_cancelled()[:21]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE bookings_booking")
        plan = page.explain()

    assert "Index Scan using booking_user_recent" in plan
    assert "Sort" not in plan
    assert [b.start for b in page] == [
        local(building, first_day + dt.timedelta(days=back), 9) for back in range(1499, 1478, -1)
    ]


def test_day_grid_shows_a_booking_longer_than_any_rule_allows(client, member, big_building):
    """Staff may book past the maximum duration: the window query assumes no maximum."""
    room = Room.objects.filter(building=big_building, kind=Room.Kind.MEETING_ROOM).order_by("name").first()
    day = tomorrow(big_building)
    Booking.objects.create(
        user=member,
        building=big_building,
        room=room,
        start=local(big_building, day - dt.timedelta(days=20), 9),
        end=local(big_building, day + dt.timedelta(days=20), 9),
        rules_overridden=True,
    )
    client.force_login(member)

    response = client.get(reverse("bookings:day", args=[big_building.pk]), {"date": day.isoformat()})

    grid = response.context["grid"]

    row = next(row for group in grid.groups for row in group.rows if row.label == room.name)
    assert [(cell.state, cell.span) for cell in row.cells] == [("mine", len(grid.columns))]


def test_overlapping_finds_a_booking_holding_an_instant(big_building, member):
    """A window of no length asks who holds that instant: the range form must not hide it."""
    room = Room.objects.filter(building=big_building, kind=Room.Kind.MEETING_ROOM).first()
    day = tomorrow(big_building)
    booking = Booking.objects.create(
        user=member,
        building=big_building,
        room=room,
        start=local(big_building, day, 9),
        end=local(big_building, day, 10),
    )
    instant = local(big_building, day, 9, 30)

    assert list(Booking.objects.overlapping(instant, instant)) == [booking]
    assert list(Booking.objects.overlapping(local(big_building, day, 10), local(big_building, day, 11))) == []

"""Today's dashboard: every number equals the rows of the list it links to, in each
building's own day, in a fixed number of queries; htmx refreshes the board alone."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from bookings.models import Booking
from bookings.tests.factories import BookingFactory, BuildingFactory, DeskFactory, OpenSpaceFactory, local
from donations.models import DonationStatus
from donations.tests.factories import DonationFactory, MonthlyGoalFactory
from staff import dashboard
from visits.tests.factories import VisitFactory

pytestmark = pytest.mark.django_db

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
# Tuesday 10 March 2026, 12:00 in Moscow; 10:00 in Berlin.
NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=MOSCOW)
TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _make_day(building, desks: int = 3) -> dict[str, object]:
    """A day in `building`: 3 desks, one taken now by an attendee, a no-show, arrivals."""
    room = OpenSpaceFactory(building=building)
    made = [DeskFactory(room=room) for _ in range(desks)]
    old = NOW - dt.timedelta(days=2)
    attended = BookingFactory(
        desk=made[0],
        start=local(building, TODAY, 11),
        end=local(building, TODAY, 13),
        created_at=old,
        checked_in_at=local(building, TODAY, 11),
    )
    BookingFactory(
        desk=made[1],
        start=local(building, TODAY, 8),
        end=local(building, TODAY, 9),
        created_at=old,
        status=Booking.Status.RELEASED,
    )
    arriving = BookingFactory(
        desk=made[1], start=NOW + dt.timedelta(minutes=30), end=NOW + dt.timedelta(hours=2)
    )
    later = BookingFactory(desk=made[2], start=local(building, TODAY, 17), end=local(building, TODAY, 18))
    BookingFactory(
        desk=made[2],
        start=local(building, TODAY, 14),
        end=local(building, TODAY, 15),
        status=Booking.Status.CANCELLED,
    )
    BookingFactory(
        desk=made[2],
        start=local(building, TODAY + dt.timedelta(days=1), 10),
        end=local(building, TODAY + dt.timedelta(days=1), 11),
    )
    VisitFactory(building=building, user=attended.user)
    VisitFactory(building=building)
    VisitFactory(building=building, checked_in_at=NOW - dt.timedelta(days=3), closed=True)  # 90 minutes
    VisitFactory(building=building, checked_in_at=NOW - dt.timedelta(days=40), closed=True)  # last month
    return {"arriving": arriving, "later": later}


def test_every_number_is_the_count_of_its_rows(client, staff):
    building = BuildingFactory(name="Pokrovka")
    _make_day(building)
    DonationFactory(amount=Decimal("300.00"))
    DonationFactory(amount=Decimal("700.00"))
    DonationFactory(
        amount=Decimal("1000.00"),
        status=DonationStatus.CONFIRMED,
        confirmed_at=NOW,
        receipt_number="2026-000001",
    )
    MonthlyGoalFactory(month=TODAY.replace(day=1), amount=Decimal("10000.00"))
    UserFactory(date_joined=NOW - dt.timedelta(days=400))
    board = dashboard.today()
    (row,) = board.buildings
    assert {name: figure.value for name, figure in row.figures.items()} == {
        "present": 2,
        "arrivals": 1,
        "bookings": 4,  # the cancelled one and tomorrow's left out
        "attended": 1,
        "no_shows": 1,
        "upcoming": 2,
        "free_desks": 2,  # the attendee's desk is taken now
        "visits": 3,  # last month's left out
        "hours": Decimal("1.5"),  # the open visits have no duration yet
    }
    assert board.pending_pledges.value == 2
    assert board.goal.raised == Decimal("1000.00")
    client.force_login(staff)
    for name in ("present", "arrivals", "bookings", "attended", "no_shows", "upcoming", "visits"):
        figure = row.figures[name]
        response = client.get(figure.url)
        assert (name, response.context["cl"].result_count) == (name, figure.value)
    for figure in (board.pending_pledges, board.new_members):
        assert client.get(figure.url).context["cl"].result_count == figure.value
    # Everyone made today, but not the member who joined last year.
    assert board.new_members.value == User.objects.count() - 1


def test_each_building_counts_its_own_local_day():
    moscow, berlin = BuildingFactory(), BuildingFactory(time_zone="Europe/Berlin")
    # 23:30 in Berlin on the 10th is 01:30 on the 11th in Moscow.
    late = dt.datetime(2026, 3, 10, 23, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    for building in (moscow, berlin):
        desk = DeskFactory(room=OpenSpaceFactory(building=building))
        BookingFactory(
            desk=desk,
            start=local(building, TODAY, 10),
            end=local(building, TODAY, 11),
            created_at=NOW - dt.timedelta(days=1),
        )
    days = {row.building: (row.day, row.bookings.value) for row in dashboard.today(now=late).buildings}
    assert days == {moscow: (dt.date(2026, 3, 11), 0), berlin: (TODAY, 1)}


@pytest.mark.parametrize("size", [1, 3])
def test_dashboard_query_count_is_fixed(client, staff, django_assert_num_queries, size):
    for _ in range(size):
        _make_day(BuildingFactory())
        DonationFactory()
    client.force_login(staff)
    # Session and user, buildings, then one query per figure, the goal's two.
    with django_assert_num_queries(12):
        response = client.get(reverse("staff:today"))
    assert response.text.count('data-testid="board-building"') == size


def test_htmx_refresh_renders_the_board_alone(client, staff):
    BuildingFactory(name="Pokrovka")
    client.force_login(staff)
    response = client.get(reverse("staff:today"), headers={"HX-Request": "true", "HX-Target": "today-board"})
    assert response.templates[0].name == "staff/board.html"
    assert response.text.lstrip().startswith('<section class="board" id="today-board"')
    assert 'hx-trigger="every 60s"' in response.text
    assert "<html" not in response.text


def test_the_staff_home_starts_with_the_board_and_members_never_see_it(client, staff, member):
    BuildingFactory(name="Pokrovka")
    client.force_login(staff)
    assert 'data-testid="today-board"' in client.get(reverse("home")).text
    client.force_login(member)
    assert 'data-testid="today-board"' not in client.get(reverse("home")).text

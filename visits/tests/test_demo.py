"""Demo visits: a month of them in the buildings that exist, none without buildings."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.models import User
from accounts.services import karma_mismatches
from bookings.models import Booking
from bookings.tests.factories import BuildingFactory, DeskFactory, local
from visits import demo
from visits.models import Visit
from visits.tests.factories import BookingFactory

pytestmark = pytest.mark.django_db
# The demo draws each member's day from a generator seeded with the date: the same day
# always gives the same visits, another day others. Frozen, the counts below are fixed.
MIDDAY = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)


def _seed() -> str:
    out = StringIO()
    demo.seed(out)
    return out.getvalue().strip()


def test_demo_without_buildings_adds_nothing():
    accounts_demo.seed(StringIO())
    assert _seed() == "Visits: no buildings or members yet, nothing added."
    assert Visit.objects.count() == 0


@pytest.mark.parametrize(
    ("now", "in_now"),
    [(MIDDAY, sorted(demo.IN_NOW)), (MIDDAY.replace(hour=20), [])],  # 15:00 and 23:00 in Moscow
    ids=["daytime", "night"],
)
def test_demo_fills_a_month_of_visits_once(time_machine, now, in_now):
    time_machine.move_to(now, tick=False)
    accounts_demo.seed(StringIO())
    building = BuildingFactory(open_daily=(dt.time(0), dt.time(0)))
    first = _seed()
    created = Visit.objects.count()
    assert first == f"Visits: {created} created over the last 30 days, 0 bookings attended."
    assert created > 30
    assert _seed() == "Visits: 0 created over the last 30 days, 0 bookings attended."
    assert Visit.objects.count() == created
    days = {visit.local_checked_in_at.date() for visit in Visit.objects.closed()}
    today = building.local_today()
    assert min(days) >= today - dt.timedelta(days=30)
    assert max(days) < today
    assert sorted(Visit.objects.open().values_list("user__email", flat=True)) == in_now
    assert all(visit.checked_in_at <= timezone.now() for visit in Visit.objects.all())
    assert karma_mismatches() == []


def test_demo_members_turn_up_for_most_of_their_bookings(time_machine):
    time_machine.move_to(MIDDAY, tick=False)
    accounts_demo.seed(StringIO())
    building = BuildingFactory()
    member = User.objects.get(email="member@example.com")
    desk = DeskFactory(room__building=building)
    today = building.local_today()
    for offset in range(1, 11):
        BookingFactory(user=member, desk=desk, start=local(building, today - dt.timedelta(days=offset), 10))
    output = _seed()
    attended = Booking.objects.filter(checked_in_at__isnull=False).count()
    assert output.endswith(f", {attended} bookings attended.")
    assert 5 <= attended < 10  # about four in five
    for booking in Booking.objects.filter(checked_in_at__isnull=False):
        # Attended when the member arrived, a few minutes before the start.
        assert Visit.objects.filter(
            user=member, building=building, checked_in_at=booking.checked_in_at
        ).exists()
        assert booking.start - dt.timedelta(minutes=15) <= booking.checked_in_at <= booking.start

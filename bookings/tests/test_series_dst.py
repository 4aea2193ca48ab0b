"""A series keeps its local wall-clock time across DST changes, in the building's zone.

Dates of 2026 with an explicit `now` before them, so the tests never age.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bookings import services
from bookings.models import Booking, BookingRules
from bookings.tests.factories import BuildingFactory, DeskFactory, OpenSpaceFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
THURSDAY = 3
SEVEN_PM, EIGHT_PM = dt.time(19), dt.time(20)


@pytest.fixture(autouse=True)
def roomy_rules():
    BookingRules.objects.update_or_create(
        pk=1, defaults={"max_upcoming_bookings": 100, "series_days_ahead": 400}
    )


def desk_in(zone: str):
    return DeskFactory(room=OpenSpaceFactory(building=BuildingFactory(time_zone=zone)))


def weekly_thursdays(desk, member, until: dt.date = dt.date(2026, 11, 5)):
    """Book every Thursday 19:00–20:00 local from 5 March 2026 until the given date."""
    return services.book_series(
        user=member,
        resource=desk,
        frequency="weekly",
        weekdays=[THURSDAY],
        first=dt.date(2026, 3, 5),
        until=until,
        count=None,
        start_time=SEVEN_PM,
        end_time=EIGHT_PM,
        now=NOW,
    )


def utc_hours_by_period(bookings, changes: tuple[dt.date, dt.date]) -> dict[str, set[int]]:
    spring, autumn = changes
    periods: dict[str, set[int]] = {"before": set(), "summer": set(), "after": set()}
    for booking in bookings:
        local_day = booking.local_start.date()
        period = "before" if local_day < spring else "summer" if local_day < autumn else "after"
        periods[period].add(booking.start.astimezone(dt.UTC).hour)
    return periods


def test_series_in_berlin_stays_at_seven_pm_local_across_both_changes(member):
    desk = desk_in("Europe/Berlin")
    series, occurrences = weekly_thursdays(desk, member)
    bookings = list(Booking.objects.filter(series=series).select_related("building").order_by("start"))
    assert len(bookings) == len(occurrences) == 36
    assert {(b.local_start.time(), b.local_end.time()) for b in bookings} == {(SEVEN_PM, EIGHT_PM)}
    # Europe/Berlin 2026: summer time from 29 March to 25 October.
    assert utc_hours_by_period(bookings, (dt.date(2026, 3, 29), dt.date(2026, 10, 25))) == {
        "before": {18},
        "summer": {17},
        "after": {18},
    }
    assert [b.start for b in bookings[2:5]] == [
        dt.datetime(2026, 3, 19, 18, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 26, 18, tzinfo=dt.UTC),
        dt.datetime(2026, 4, 2, 17, tzinfo=dt.UTC),
    ]


def test_series_in_moscow_has_no_dst(member):
    desk = desk_in("Europe/Moscow")
    series, _occurrences = weekly_thursdays(desk, member)
    starts = Booking.objects.filter(series=series).values_list("start", flat=True)
    assert len(starts) == 36
    assert {start.astimezone(dt.UTC).time() for start in starts} == {dt.time(16)}


def test_series_in_new_york_follows_its_own_changes_and_includes_the_until_day(member):
    desk = desk_in("America/New_York")
    series, _occurrences = weekly_thursdays(desk, member)
    bookings = list(Booking.objects.filter(series=series).select_related("building").order_by("start"))
    assert {b.local_start.time() for b in bookings} == {SEVEN_PM}
    # America/New_York 2026: daylight time from 8 March to 1 November; 19:00 EST is
    # midnight UTC of the next day.
    assert utc_hours_by_period(bookings, (dt.date(2026, 3, 8), dt.date(2026, 11, 1))) == {
        "before": {0},
        "summer": {23},
        "after": {0},
    }
    # The until date is inclusive in the building's days, although that evening's
    # booking starts on the next UTC day.
    last = bookings[-1]
    assert last.local_start.date() == dt.date(2026, 11, 5)
    assert last.start == dt.datetime(2026, 11, 6, 0, tzinfo=dt.UTC)


def test_series_until_a_day_before_a_weekday_stops_the_week_before(member):
    desk = desk_in("America/New_York")
    series, occurrences = weekly_thursdays(desk, member, until=dt.date(2026, 3, 18))
    assert [o.start.date() for o in occurrences] == [dt.date(2026, 3, 5), dt.date(2026, 3, 12)]
    assert Booking.objects.filter(series=series).count() == 2


def test_series_plan_marks_the_occurrences_over_the_quota(member):
    BookingRules.objects.filter(pk=1).update(max_upcoming_bookings=3)
    desk = desk_in("Europe/Moscow")
    occurrences = services.plan_series(
        user=member,
        resource=desk,
        dates=services.series_dates(dt.date(2026, 3, 2), "daily", [], None, 5),
        start_time=SEVEN_PM,
        end_time=EIGHT_PM,
        now=NOW,
    )
    assert [o.problem.code if o.problem else "free" for o in occurrences] == [
        "free",
        "free",
        "free",
        "quota",
        "quota",
    ]

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from spaces.models import OpeningHours
from spaces.tests.factories import BuildingFactory, OpeningHoursFactory
from spaces.views import open_status, utc_offset

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
UTC = dt.UTC
# 2026 in Berlin: clocks go 02:00 → 03:00 on 29 March and 03:00 → 02:00 on 25 October.
SPRING, AUTUMN = dt.date(2026, 3, 29), dt.date(2026, 10, 25)
MIDNIGHT = dt.time(0)


def _berlin(weekday_hours: dict[int, tuple[dt.time, dt.time]]):
    building = BuildingFactory(time_zone="Europe/Berlin")
    for weekday, (opens_at, closes_at) in weekday_hours.items():
        OpeningHoursFactory(building=building, weekday=weekday, opens_at=opens_at, closes_at=closes_at)
    return building


def test_a_24_hour_day_lasts_23_hours_in_spring_and_25_in_autumn():
    building = _berlin({6: (MIDNIGHT, MIDNIGHT)})  # both changes fall on a Sunday
    spring_start, spring_end = building.open_interval(SPRING)
    autumn_start, autumn_end = building.open_interval(AUTUMN)
    assert (spring_start.astimezone(UTC), spring_end.astimezone(UTC)) == (
        dt.datetime(2026, 3, 28, 23, tzinfo=UTC),
        dt.datetime(2026, 3, 29, 22, tzinfo=UTC),
    )
    # Same-zone subtraction counts wall-clock time; elapsed time is measured in UTC.
    assert spring_end.astimezone(UTC) - spring_start.astimezone(UTC) == dt.timedelta(hours=23)
    assert (autumn_start.astimezone(UTC), autumn_end.astimezone(UTC)) == (
        dt.datetime(2026, 10, 24, 22, tzinfo=UTC),
        dt.datetime(2026, 10, 25, 23, tzinfo=UTC),
    )
    assert autumn_end.astimezone(UTC) - autumn_start.astimezone(UTC) == dt.timedelta(hours=25)


def test_an_opening_in_the_skipped_hour_moves_past_the_gap():
    building = _berlin({6: (dt.time(2, 30), dt.time(18))})
    start, end = building.open_interval(SPRING)
    assert (start.hour, start.minute, start.utcoffset()) == (3, 30, dt.timedelta(hours=2))
    assert start.astimezone(UTC) == dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert end.astimezone(UTC) == dt.datetime(2026, 3, 29, 16, tzinfo=UTC)


def test_closing_at_midnight_means_the_end_of_the_day():
    building = _berlin({4: (dt.time(18), MIDNIGHT)})
    friday = dt.date(2026, 11, 27)
    start, end = building.open_interval(friday)
    assert (start.astimezone(UTC), end.astimezone(UTC)) == (
        dt.datetime(2026, 11, 27, 17, tzinfo=UTC),
        dt.datetime(2026, 11, 27, 23, tzinfo=UTC),
    )
    assert building.is_open_at(dt.datetime(2026, 11, 27, 23, 59, tzinfo=BERLIN)) is True
    assert building.is_open_at(dt.datetime(2026, 11, 28, 0, 0, tzinfo=BERLIN)) is False
    assert building.open_interval(friday + dt.timedelta(days=1)) is None


def test_open_and_closed_are_decided_in_the_buildings_zone():
    building = BuildingFactory(time_zone="Europe/Moscow")
    OpeningHoursFactory(building=building, weekday=OpeningHours.Weekday.WEDNESDAY)  # 08:00–22:00
    # 05:30 UTC on a Wednesday is 08:30 in Moscow but still night in New York.
    moment = dt.datetime(2026, 11, 25, 5, 30, tzinfo=UTC)
    assert building.is_open_at(moment) is True
    assert building.is_open_at(moment - dt.timedelta(minutes=31)) is False
    assert building.next_opening(moment - dt.timedelta(hours=1)) == dt.datetime(
        2026, 11, 25, 8, tzinfo=MOSCOW
    )
    assert building.next_opening(moment) == dt.datetime(2026, 12, 2, 8, tzinfo=MOSCOW)


@pytest.mark.parametrize(
    ("moment", "label", "is_open"),
    [
        (dt.datetime(2026, 11, 25, 9, 0, tzinfo=MOSCOW), "Открыто до 22:00", True),
        (dt.datetime(2026, 11, 25, 7, 0, tzinfo=MOSCOW), "Откроется сегодня в 08:00", False),
        (dt.datetime(2026, 11, 24, 23, 0, tzinfo=MOSCOW), "Откроется завтра в 08:00", False),
        (dt.datetime(2026, 11, 25, 22, 0, tzinfo=MOSCOW), "Откроется в субботу в 10:00", False),
    ],
)
def test_open_status_tells_when_it_opens_or_closes(moment, label, is_open):
    building = BuildingFactory(time_zone="Europe/Moscow")
    OpeningHoursFactory(building=building, weekday=OpeningHours.Weekday.WEDNESDAY)
    OpeningHoursFactory(building=building, weekday=OpeningHours.Weekday.SATURDAY, opens_at=dt.time(10))
    status = open_status(building, moment)
    assert (status.label, status.is_open) == (label, is_open)


def test_open_status_of_buildings_open_around_the_clock_or_never():
    always = _berlin(dict.fromkeys(range(7), (MIDNIGHT, MIDNIGHT)))
    never = _berlin({})
    moment = dt.datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    assert open_status(always, moment).label == "Открыто круглосуточно"
    assert open_status(never, moment).label == "Закрыто"
    assert utc_offset(always, moment) == "UTC+01:00"
    assert utc_offset(always, dt.datetime(2026, 7, 1, tzinfo=UTC)) == "UTC+02:00"

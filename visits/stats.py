"""Staff statistics of visits and booking attendance, aggregated in the database.

Four queries whatever the range: visits per local day, check-ins per hour of the week,
the totals, and per building the share of ended bookings that were attended. Days and
hours are local to the chosen building, or to the space's zone (settings.TIME_ZONE)
across all buildings.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate
from django.utils import timezone

from bookings.models import Booking
from spaces.models import Building, local_instant
from visits.models import Visit

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Day:
    day: dt.date
    visits: int
    minutes: int


@dataclass(frozen=True)
class Usage:
    building: str
    ended: int
    attended: int

    @property
    def percent(self) -> int:
        return round(100 * self.attended / self.ended) if self.ended else 0


@dataclass(frozen=True)
class Statistics:
    start: dt.date
    end: dt.date
    zone: zoneinfo.ZoneInfo
    days: list[Day]
    # heat[weekday 0-6, Monday first][hour 0-23]: check-ins.
    heat: list[list[int]]
    visits: int
    members: int
    average_minutes: int | None
    usage: list[Usage]


def zone_for(building: Building | None) -> zoneinfo.ZoneInfo:
    return building.zone if building else zoneinfo.ZoneInfo(settings.TIME_ZONE)


def default_range(building: Building | None = None) -> tuple[dt.date, dt.date]:
    today = timezone.localdate(timezone=zone_for(building))
    return today - dt.timedelta(days=DEFAULT_DAYS - 1), today


def compute(
    start: dt.date, end: dt.date, building: Building | None = None, now: dt.datetime | None = None
) -> Statistics:
    """Everything the statistics page and its CSV files show, for local days start..end."""
    now = now or timezone.now()
    zone = zone_for(building)
    since = local_instant(start, dt.time(0), zone)
    until = local_instant(end + dt.timedelta(days=1), dt.time(0), zone)
    visits = Visit.objects.filter(checked_in_at__gte=since, checked_in_at__lt=until)
    bookings = Booking.objects.filter(start__gte=since, start__lt=until, end__lte=now).exclude(
        status=Booking.Status.CANCELLED
    )
    if building is not None:
        visits = visits.filter(building=building)
        bookings = bookings.filter(building=building)

    per_day = {
        row["day"]: Day(row["day"], row["visits"], row["minutes"] or 0)
        for row in visits.annotate(day=TruncDate("checked_in_at", tzinfo=zone))
        .values("day")
        .annotate(visits=Count("pk"), minutes=Sum("duration_minutes"))
        .order_by("day")
    }
    days = [
        per_day.get(day, Day(day, 0, 0))
        for day in (start + dt.timedelta(days=n) for n in range((end - start).days + 1))
    ]

    heat = [[0] * 24 for _weekday in range(7)]
    for row in (
        visits.annotate(
            weekday=ExtractIsoWeekDay("checked_in_at", tzinfo=zone),
            hour=ExtractHour("checked_in_at", tzinfo=zone),
        )
        .values("weekday", "hour")
        .annotate(visits=Count("pk"))
        .order_by()
    ):
        heat[row["weekday"] - 1][row["hour"]] = row["visits"]

    totals = visits.aggregate(
        visits=Count("pk"), members=Count("user", distinct=True), average=Avg("duration_minutes")
    )
    usage = [
        Usage(row["building__name"], row["ended"], row["attended"])
        for row in bookings.values("building__name")
        .annotate(ended=Count("pk"), attended=Count("pk", filter=Q(checked_in_at__isnull=False)))
        .order_by("building__name")
    ]
    average = totals["average"]
    return Statistics(
        start=start,
        end=end,
        zone=zone,
        days=days,
        heat=heat,
        visits=totals["visits"],
        members=totals["members"],
        average_minutes=None if average is None else round(average),
        usage=usage,
    )

"""Recurring bookings: the dates of a series, its plan, and booking its free occurrences."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from bookings.models import Booking, BookingSeries, Notification
from bookings.services.availability import _resource_filter
from bookings.services.booking import _lock, queue_notification
from bookings.services.rules import (
    BookingError,
    Resource,
    Rules,
    building_of,
    check_resource,
    held_desks,
    rule_problems,
    rules_for,
)
from spaces.models import Building, Desk, Room, local_instant


@dataclass
class Occurrence:
    start: dt.datetime
    end: dt.datetime
    problem: BookingError | None = None
    booking: Booking | None = field(default=None, compare=False)

    @property
    def free(self) -> bool:
        return self.problem is None


def series_dates(
    first: dt.date,
    frequency: str,
    weekdays: list[int],
    until: dt.date | None,
    count: int | None,
    limit: int = 366,
) -> list[dt.date]:
    """The local dates of a series: daily, or weekly on the given weekdays, from `first`
    until a date (inclusive) or for `count` occurrences."""
    dates = []
    day = first
    while len(dates) < min(count or limit, limit) and (until is None or day <= until):
        if frequency == BookingSeries.Frequency.DAILY or day.weekday() in weekdays:
            dates.append(day)
        day += dt.timedelta(days=1)
    return dates


def plan_series(
    *,
    user: User,
    resource: Resource,
    dates: list[dt.date],
    start_time: dt.time,
    end_time: dt.time,
    now: dt.datetime | None = None,
) -> list[Occurrence]:
    """Every occurrence with its problem, if any, before anything is saved.

    Each occurrence keeps its local wall-clock time in the building's zone across DST
    changes; the quota counts the free occurrences before it.
    """
    now = now or timezone.now()
    building = building_of(resource)
    # A series looks further ahead than a single booking: its own horizon.
    rules = rules_for(building)
    rules = replace(rules, max_days_ahead=rules.series_days_ahead)
    # A fixed number of queries however long the series: the opening hours, the
    # member's upcoming count, their desks and the place's bookings over the whole span, once.
    prefetch_related_objects([building], "opening_hours")
    upcoming = Booking.objects.filter(user=user).upcoming(now).count()
    spans = [
        (local_instant(day, start_time, building.zone), local_instant(day, end_time, building.zone))
        for day in dates
    ]
    taken, held = [], []
    if spans and isinstance(resource, Desk):
        held = held_desks(user, spans[0][0], spans[-1][1])
    if spans:
        taken = list(
            Booking.objects.active()
            .filter(_resource_filter(resource))
            .overlapping(spans[0][0], spans[-1][1])
            .values_list("start", "end")
        )
    occurrences = []
    for start, end in spans:
        occurrence = Occurrence(start, end)
        if end.timestamp() <= start.timestamp():
            occurrence.problem = BookingError(_("The end must be after the start."), "order")
        else:
            problems = rule_problems(
                user=user,
                resource=resource,
                start=start,
                end=end,
                rules=rules,
                now=now,
                upcoming=upcoming,
                held=held,
            )
            if problems:
                occurrence.problem = _beyond_horizon(rules) if problems[0].code == "too_far" else problems[0]
            elif any(s < end and e > start for s, e in taken):
                occurrence.problem = BookingError(_("Already booked."), "taken")
        upcoming += occurrence.free
        occurrences.append(occurrence)
    return occurrences


def _beyond_horizon(rules: Rules) -> BookingError:
    days = rules.series_days_ahead
    message = ngettext(
        "A recurring booking reaches at most %(days)d day ahead.",
        "A recurring booking reaches at most %(days)d days ahead.",
        days,
    )
    return BookingError(message % {"days": days}, "too_far", overridable=True)


def horizon(building: Building) -> dt.date:
    """The last local date a series of this building may reach today."""
    return building.local_today() + dt.timedelta(days=rules_for(building).series_days_ahead)


def book_series(
    *,
    user: User,
    resource: Resource,
    frequency: str,
    weekdays: list[int],
    first: dt.date,
    until: dt.date | None,
    count: int | None,
    start_time: dt.time,
    end_time: dt.time,
    now: dt.datetime | None = None,
) -> tuple[BookingSeries | None, list[Occurrence]]:
    """Book the free occurrences of a series ("book the free ones").

    The plan is made again inside the locks, so an occurrence taken since the member saw
    the preview is skipped, not double-booked. Returns the series (None if nothing was
    free) and every occurrence, the booked ones carrying their booking.
    """
    check_resource(resource)
    dates = series_dates(first, frequency, weekdays, until, count)
    with transaction.atomic():
        _lock(user, resource)
        occurrences = plan_series(
            user=user, resource=resource, dates=dates, start_time=start_time, end_time=end_time, now=now
        )
        free = [o for o in occurrences if o.free]
        if not free:
            return None, occurrences
        series = BookingSeries.objects.create(
            user=user,
            frequency=frequency,
            weekdays=",".join(str(d) for d in sorted(weekdays)),
            until=until,
            count=count,
        )
        _book_free(series, resource, free, now)
    return series, occurrences


def _book_free(
    series: BookingSeries, resource: Resource, free: list[Occurrence], now: dt.datetime | None
) -> None:
    """Book the free occurrences into the series, under the caller's locks."""
    for occurrence in free:
        occurrence.booking = Booking.objects.create(
            user=series.user,
            building=building_of(resource),
            desk=resource if isinstance(resource, Desk) else None,
            room=resource if isinstance(resource, Room) else None,
            start=occurrence.start,
            end=occurrence.end,
            series=series,
            created_at=now or timezone.now(),
            created_by=series.user,
        )
    # One email for the series: the first booking's confirmation lists them all.
    queue_notification(free[0].booking, Notification.Kind.CONFIRMATION)


@dataclass(frozen=True)
class SeriesShape:
    """Where and when a series books: the place and local times of its latest occurrence."""

    resource: Resource
    start_time: dt.time
    end_time: dt.time
    last_date: dt.date


def series_shape(series: BookingSeries) -> SeriesShape | None:
    last = (
        series.bookings.select_related("building", "desk__room__building", "room__building")
        .order_by("-start", "-pk")
        .first()
    )
    if last is None:
        return None
    zone = last.building.zone
    start, end = timezone.localtime(last.start, zone), timezone.localtime(last.end, zone)
    return SeriesShape(last.resource, start.time(), end.time(), start.date())


def own_series(user: User, pk: int) -> tuple[BookingSeries, SeriesShape] | None:
    """The member's series `pk` and its place and times, or None when it is another
    member's (their bookings are not ours to see) or has no bookings left (staff deleted
    them): the page and the API answer 404 to both."""
    series = BookingSeries.objects.filter(pk=pk, user=user).first()
    shape = series_shape(series) if series else None
    return (series, shape) if shape else None


def extend_series(
    series: BookingSeries, *, by: User, until: dt.date, now: dt.datetime | None = None
) -> list[Occurrence]:
    """Book the series' further dates after its last one, up to `until` (inclusive): the
    same place, times and repeat, the same rules and horizon as when it was made. Returns
    the new dates, the booked ones carrying their booking; taken or refused ones are skipped."""
    if by.pk != series.user_id:
        raise BookingError(_("You can only change your own bookings."), "forbidden")
    shape = series_shape(series)
    if shape is None:
        raise BookingError(_("This series has no bookings to go on from."), "empty")
    if until <= shape.last_date:
        raise BookingError(_("Choose a date after the last one of the series."), "until")
    check_resource(shape.resource)
    weekdays = [int(day) for day in series.weekdays.split(",") if day]
    dates = series_dates(shape.last_date + dt.timedelta(days=1), series.frequency, weekdays, until, None)
    with transaction.atomic():
        _lock(series.user, shape.resource)
        occurrences = plan_series(
            user=series.user,
            resource=shape.resource,
            dates=dates,
            start_time=shape.start_time,
            end_time=shape.end_time,
            now=now,
        )
        free = [o for o in occurrences if o.free]
        if free:
            _book_free(series, shape.resource, free, now)
            series.until, series.count = until, None
            series.save(update_fields=["until", "count"])
    return occurrences

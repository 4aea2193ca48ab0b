"""Today's numbers for the staff home, per building in the building's zone.

A fixed number of queries whatever the data and however many buildings: each figure is one
grouped query whose per-building bounds (today, this month) are written into its filter.
Every figure carries the address of the filtered list behind it, so staff can check it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.models import User
from bookings.models import Booking
from donations.models import Donation, GoalProgress, goal_progress, month_bounds, month_of
from spaces.models import Building, Desk, Room, local_instant
from visits.models import Visit

ARRIVALS_WITHIN = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Figure:
    value: int | Decimal
    url: str


@dataclass
class BuildingDay:
    building: Building
    day: dt.date
    figures: dict[str, Figure] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Figure:
        try:
            return self.__dict__["figures"][name]
        except KeyError as error:
            raise AttributeError(name) from error


@dataclass
class Dashboard:
    now: dt.datetime
    buildings: list[BuildingDay]
    pending_pledges: Figure
    new_members: Figure
    goal: GoalProgress
    donations_url: str


def _admin(model, **filters) -> str:
    opts = model._meta
    query = urlencode(
        {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in filters.items()}
    )
    return f"{reverse(f'admin:{opts.app_label}_{opts.model_name}_changelist')}?{query}"


def _day_bounds(building: Building, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return local_instant(day, dt.time(0), building.zone), local_instant(
        day + dt.timedelta(days=1), dt.time(0), building.zone
    )


def _month_bounds(building: Building, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return local_instant(first, dt.time(0), building.zone), local_instant(
        following, dt.time(0), building.zone
    )


def _per_building(
    queryset, field_name: str, windows: dict[int, tuple[dt.datetime, dt.datetime]], **aggregates
):
    """{building id: aggregates} for rows whose `field_name` lies in their building's window."""
    where = Q(pk__in=[])
    for building_id, (start, end) in windows.items():
        where |= Q(building_id=building_id, **{f"{field_name}__gte": start, f"{field_name}__lt": end})
    return {row["building"]: row for row in queryset.filter(where).values("building").annotate(**aggregates)}


def arriving(now: dt.datetime, until: dt.datetime):
    """Confirmed bookings nobody has checked into yet that start in [now, until): the
    arrivals the front desk expects (the "arrivals" figure, and the API's list of them)."""
    return Booking.objects.active().filter(start__gte=now, start__lt=until, checked_in_at__isnull=True)


def day_end(building: Building, now: dt.datetime) -> dt.datetime:
    """The end of the building's local day at `now`."""
    return _day_bounds(building, now.astimezone(building.zone).date())[1]


def today(now: dt.datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    buildings = list(Building.objects.filter(is_active=True).order_by("name"))
    days = {b.pk: now.astimezone(b.zone).date() for b in buildings}
    today_windows = {b.pk: _day_bounds(b, days[b.pk]) for b in buildings}
    month_windows = {b.pk: _month_bounds(b, days[b.pk]) for b in buildings}
    ids = list(days)

    present = dict(
        Visit.objects.open().filter(building_id__in=ids).values_list("building").annotate(n=Count("pk"))
    )
    arrivals = dict(
        arriving(now, now + ARRIVALS_WITHIN)
        .filter(building_id__in=ids)
        .values_list("building")
        .annotate(n=Count("pk"))
    )
    booked = _per_building(
        Booking.objects.exclude(status=Booking.Status.CANCELLED),
        "start",
        today_windows,
        total=Count("pk"),
        attended=Count("pk", filter=Q(checked_in_at__isnull=False)),
        no_show=Count("pk", filter=Q(status=Booking.Status.RELEASED)),
        upcoming=Count(
            "pk", filter=Q(status=Booking.Status.CONFIRMED, checked_in_at__isnull=True, start__gt=now)
        ),
    )
    taken_now = Booking.objects.active().filter(desk=OuterRef("pk"), start__lte=now, end__gt=now)
    free = dict(
        Desk.objects.filter(
            is_active=True, room__is_active=True, room__kind=Room.Kind.OPEN_SPACE, room__building_id__in=ids
        )
        .filter(~Exists(taken_now))
        .values_list("room__building")
        .annotate(n=Count("pk"))
    )
    visits = _per_building(
        Visit.objects.all(),
        "checked_in_at",
        month_windows,
        count=Count("pk"),
        minutes=Sum("duration_minutes"),
    )

    rows = []
    for building in buildings:
        start, end = today_windows[building.pk]
        month_start, month_end = month_windows[building.pk]
        day_bookings = {"building__id__exact": building.pk, "start__gte": start, "start__lt": end}
        counts = booked.get(building.pk, {})
        visit_row = visits.get(building.pk, {})
        row = BuildingDay(building, days[building.pk])
        row.figures = {
            "present": Figure(
                present.get(building.pk, 0), _admin(Visit, building__id__exact=building.pk, open="yes")
            ),
            "arrivals": Figure(
                arrivals.get(building.pk, 0),
                _admin(
                    Booking,
                    building__id__exact=building.pk,
                    status__exact=Booking.Status.CONFIRMED,
                    checked_in_at__isnull="True",
                    start__gte=now,
                    start__lt=now + ARRIVALS_WITHIN,
                ),
            ),
            "bookings": Figure(
                counts.get("total", 0),
                _admin(Booking, **day_bookings, status__in="confirmed,released"),
            ),
            "attended": Figure(
                counts.get("attended", 0), _admin(Booking, **day_bookings, checked_in_at__isnull="False")
            ),
            "no_shows": Figure(
                counts.get("no_show", 0), _admin(Booking, **day_bookings, status__exact="released")
            ),
            "upcoming": Figure(
                counts.get("upcoming", 0),
                _admin(
                    Booking,
                    building__id__exact=building.pk,
                    start__gt=now,
                    start__lt=end,
                    status__exact="confirmed",
                    checked_in_at__isnull="True",
                ),
            ),
            "free_desks": Figure(free.get(building.pk, 0), reverse("bookings:day", args=[building.pk])),
            "visits": Figure(
                visit_row.get("count", 0),
                _admin(
                    Visit,
                    building__id__exact=building.pk,
                    checked_in_at__gte=month_start,
                    checked_in_at__lt=month_end,
                ),
            ),
            "hours": Figure(
                Decimal(visit_row.get("minutes") or 0) / 60,
                _admin(
                    Visit,
                    building__id__exact=building.pk,
                    checked_in_at__gte=month_start,
                    checked_in_at__lt=month_end,
                ),
            ),
        }
        rows.append(row)

    month_start, month_end = month_bounds(month_of(now))
    return Dashboard(
        now=now,
        buildings=rows,
        pending_pledges=Figure(Donation.objects.pledged().count(), _admin(Donation, status__exact="pledged")),
        new_members=Figure(
            User.objects.filter(date_joined__gte=month_start, date_joined__lt=month_end).count(),
            _admin(User, date_joined__gte=month_start, date_joined__lt=month_end),
        ),
        goal=goal_progress(month_of(now)),
        donations_url=reverse("donations:staff"),
    )

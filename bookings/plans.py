"""What each desk on the building's floor plans is for a chosen time (spaces.plans draws it).

A fixed number of queries whatever the number of rooms, desks and bookings: the planned
rooms with their desks and amenities (3, spaces.plans.planned_rooms) and the bookings of
those desks meeting the time (1).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import NamedTuple

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from bookings.grid import Column, natural_key, new_booking_url, utc_param
from bookings.models import Booking
from bookings.times import clock, clock_range
from spaces.models import Building, Desk
from spaces.plans import FREE, MINE, PAST, TAKEN, RoomPlan, Spot, planned_rooms


class Held(NamedTuple):
    pk: int
    desk_id: int
    end: dt.datetime
    user_id: int
    full_name: str
    visible_to_members: bool


def _held(
    building: Building, desks: list[Desk], start: dt.datetime, end: dt.datetime
) -> dict[int, list[Held]]:
    rows = (
        Booking.objects.active()
        .filter(building=building, desk__in=[desk.pk for desk in desks])
        .overlapping(start, end)
        .order_by("start")
        .values_list("pk", "desk_id", "end", "user_id", "user__full_name", "user__visible_to_members")
    )
    by_desk: dict[int, list[Held]] = defaultdict(list)
    for row in rows:
        by_desk[row[1]].append(Held(*row))
    return by_desk


class Moment(NamedTuple):
    """The time the plans show, printed once for every desk."""

    start: dt.datetime
    end: dt.datetime
    zone: dt.tzinfo
    hours: str  # "10:00–11:00"
    past: bool


def plans_at(building: Building, start: dt.datetime, end: dt.datetime, viewer: User) -> list[RoomPlan]:
    """The building's room plans with each placed desk free, taken or the viewer's for all
    of [start, end): a free desk's marker books exactly that time."""
    rooms = planned_rooms(building)
    desks = [desk for room in rooms for desk in room.desks.all()]
    if not desks:
        return []
    held = _held(building, desks, start, end)
    zone = building.zone
    moment = Moment(start, end, zone, clock_range(start, end, zone), start < timezone.now())
    # The week views' paths end in the desk's id: reversed once, not once per desk.
    desk_weeks = reverse("bookings:desk_week", args=[0]).removesuffix("0/")
    week_query = f"?date={start.astimezone(zone).date().isoformat()}"
    plans = []
    for room in rooms:
        plan = RoomPlan(room)
        # A-2 before A-10: the order a keyboard walks the markers in.
        for desk in sorted(room.desks.all(), key=lambda desk: natural_key(desk.label)):
            week_url = f"{desk_weeks}{desk.pk}/{week_query}"
            plan.spots.append(_spot(desk, held.get(desk.pk, []), viewer, moment, week_url))
        plans.append(plan)
    return plans


def _spot(desk: Desk, bookings: list[Held], viewer: User, moment: Moment, week_url: str) -> Spot:
    amenities = ", ".join(amenity.name for amenity in desk.amenities.all())
    name = _("Desk %(label)s") % {"label": desk.label}
    described = f"{name} ({amenities})" if amenities else name
    own = next((booking for booking in bookings if booking.user_id == viewer.pk), None)
    if own is not None:
        label = _("%(desk)s: yours, %(hours)s. Open the booking") % {"desk": described, "hours": moment.hours}
        return Spot(desk, MINE, reverse("bookings:detail", args=[own.pk]), label, amenities)
    if bookings:
        until = clock(max(booking.end for booking in bookings), moment.zone)
        # A name only for those who show it to members (User.visible_to_members), as "who is in".
        holder = next(
            (b.full_name for b in bookings if b.full_name and (b.visible_to_members or viewer.is_staff)), ""
        )
        state = _("taken by %(name)s until %(time)s") if holder else _("taken until %(time)s")
        label = _("%(desk)s: %(state)s. See its week") % {
            "desk": described,
            "state": state % {"name": holder, "time": until},
        }
        return Spot(desk, TAKEN, week_url, label, amenities, until=until, holder=holder)
    if moment.past:
        label = _("%(desk)s: this time has passed. See its week") % {"desk": described}
        return Spot(desk, PAST, week_url, label, amenities)
    label = _("%(desk)s: free. Book it for %(hours)s") % {"desk": described, "hours": moment.hours}
    return Spot(desk, FREE, new_booking_url(desk, moment.start, moment.end), label, amenities)


class PlanTime(NamedTuple):
    """The slot of the day view the plans show, and the slots to choose from."""

    start: dt.datetime
    end: dt.datetime
    choices: list[tuple[str, str, bool]]  # (value, label, selected)


def day_plan_time(columns: list[Column], asked: str, now: dt.datetime) -> PlanTime | None:
    """The day view's slot named by ?at= (a UTC instant as the booking links write it), else
    the first slot still to come (the one under way has started: it can no longer be
    booked), else the day's first."""
    if not columns:
        return None
    chosen = next((column for column in columns if utc_param(column.start) == asked), None)
    if chosen is None:
        chosen = next((column for column in columns if column.start >= now), columns[0])
    choices = [(utc_param(column.start), column.time, column is chosen) for column in columns]
    return PlanTime(chosen.start, chosen.end, choices)

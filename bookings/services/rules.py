"""The booking rules: the effective rules of a building and the checks a booking must pass.

Each rule is one small check; `rule_problems` runs them all, so adding a rule means
adding one function to CHECKS.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from bookings.ics import resource_label
from bookings.models import RULE_FIELDS, Booking, BookingRules, BuildingRules
from spaces.models import Building, Desk, Room

Resource = Desk | Room


@dataclass(frozen=True)
class Rules:
    slot_minutes: int
    min_duration_minutes: int
    max_duration_minutes: int
    max_days_ahead: int
    max_upcoming_bookings: int
    cancellation_cutoff_minutes: int
    max_concurrent_desks: int
    series_days_ahead: int


def rules_for(building: Building) -> Rules:
    """The defaults with the building's overrides applied.

    A building fetched with `select_related("booking_rules")` saves the query for them.
    """
    defaults = BookingRules.load()
    if Building.booking_rules.is_cached(building):
        try:
            override = building.booking_rules
        except BuildingRules.DoesNotExist:
            override = None
    else:
        override = BuildingRules.objects.filter(building=building).first()
    values = {}
    for name in RULE_FIELDS:
        value = getattr(override, name, None) if override else None
        values[name] = getattr(defaults, name) if value is None else value
    return Rules(**values)


class BookingError(Exception):
    """A booking that cannot be made or changed; the message is shown to the member.

    `overridable`: staff may book anyway by overriding the rules (true of every problem
    a rule check reports; never of an overlap or a place out of service).
    """

    def __init__(self, message: str, code: str, *, overridable: bool = False):
        super().__init__(message)
        self.message = message
        self.code = code
        self.overridable = overridable


@dataclass(frozen=True)
class Alternative:
    resource: Resource
    start: dt.datetime
    end: dt.datetime


class SlotTaken(BookingError):
    def __init__(self, alternatives: list[Alternative]):
        super().__init__(_("This slot was just taken."), "taken")
        self.alternatives = alternatives


class TooManyDesks(BookingError):
    """The member already holds as many desks as allowed at that time; `held` says which."""

    def __init__(self, limit: int, held: list[Booking]):
        places = ", ".join(f"{resource_label(booking)} ({booking.building.name})" for booking in held)
        message = ngettext(
            "You can hold %(count)d desk at a time, and at this time you already have: %(places)s.",
            "You can hold %(count)d desks at a time, and at this time you already have: %(places)s.",
            limit,
        )
        super().__init__(message % {"count": limit, "places": places}, "too_many_desks")
        self.held = held


def held_desks(
    user: User, start: dt.datetime, end: dt.datetime, *, exclude_pk: int | None = None
) -> list[Booking]:
    """The member's active desk bookings, in any building, that overlap [start, end)."""
    held = (
        Booking.objects.active()
        .filter(user=user, desk__isnull=False)
        .overlapping(start, end)
        .select_related("building", "desk__room")
        .order_by("start", "pk")
    )
    if exclude_pk is not None:
        held = held.exclude(pk=exclude_pk)
    return list(held)


def _most_at_once(bookings: list[Booking], start: dt.datetime, end: dt.datetime) -> int:
    """The most of these bookings that overlap one instant of [start, end)."""
    edges = []
    for booking in bookings:
        if booking.start < end and booking.end > start:
            edges += [(max(booking.start, start), 1), (booking.end, -1)]
    # At one instant an end comes before a start: back-to-back bookings do not overlap.
    edges.sort(key=lambda edge: (edge[0], edge[1]))
    most = current = 0
    for _moment, step in edges:
        current += step
        most = max(most, current)
    return most


def building_of(resource: Resource) -> Building:
    return resource.room.building if isinstance(resource, Desk) else resource.building


def check_resource(resource: Resource) -> None:
    building = building_of(resource)
    room = resource.room if isinstance(resource, Desk) else resource
    if not (resource.is_active and room.is_active and building.is_active):
        raise BookingError(_("This place is not available for booking."), "inactive")
    if isinstance(resource, Room) and not resource.is_booked_whole:
        raise BookingError(_("Open-space rooms are booked desk by desk."), "open_space")


def _covered_by_opening_hours(building: Building, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether [start, end) lies within opening hours, possibly across consecutive days."""
    cursor = start
    while cursor < end:
        local_day = timezone.localtime(cursor, building.zone).date()
        interval = building.open_interval(local_day)
        if interval is None and cursor == start:
            # A booking may start just after midnight of a day open until 00:00.
            interval = building.open_interval(local_day - dt.timedelta(days=1))
        if interval is None or not (interval[0] <= cursor < interval[1]):
            return False
        cursor = interval[1]
    return True


def _on_grid(moment: dt.datetime, building: Building, slot_minutes: int) -> bool:
    local = timezone.localtime(moment, building.zone)
    return (
        local.second == 0 and local.microsecond == 0 and (local.hour * 60 + local.minute) % slot_minutes == 0
    )


@dataclass
class Request:
    """One booking being checked: who, what, when, under which rules."""

    user: User
    resource: Resource
    start: dt.datetime
    end: dt.datetime
    rules: Rules
    now: dt.datetime
    upcoming: int | None
    # The member's desk bookings that may overlap, when the caller already has them.
    held: list[Booking] | None = None
    # A booking being moved: it does not count against its own new times.
    exclude_pk: int | None = None

    @cached_property
    def building(self) -> Building:
        return building_of(self.resource)

    @cached_property
    def minutes(self) -> float:
        # Real elapsed time: aware datetimes sharing a zone subtract by wall clock in Python.
        return (self.end.astimezone(dt.UTC) - self.start.astimezone(dt.UTC)) / dt.timedelta(minutes=1)


Check = Callable[[Request], BookingError | None]


def _check_past(request: Request) -> BookingError | None:
    if request.start < request.now:
        return BookingError(_("This time is in the past."), "past")
    return None


def _check_opening_hours(request: Request) -> BookingError | None:
    if not _covered_by_opening_hours(request.building, request.start, request.end):
        return BookingError(_("The building is closed at some of this time."), "closed")
    return None


def _check_grid(request: Request) -> BookingError | None:
    slot = request.rules.slot_minutes
    if _on_grid(request.start, request.building, slot) and _on_grid(request.end, request.building, slot):
        return None
    return BookingError(_("Bookings start and end on a %(minutes)d-minute grid.") % {"minutes": slot}, "grid")


def _check_min_duration(request: Request) -> BookingError | None:
    least = request.rules.min_duration_minutes
    if request.minutes < least:
        return BookingError(
            _("A booking lasts at least %(minutes)d minutes.") % {"minutes": least}, "too_short"
        )
    return None


def _check_max_duration(request: Request) -> BookingError | None:
    most = request.rules.max_duration_minutes
    if request.minutes > most:
        return BookingError(_("A booking lasts at most %(minutes)d minutes.") % {"minutes": most}, "too_long")
    return None


def _check_window(request: Request) -> BookingError | None:
    # The end counts: a booking must finish within the window, in the building's days.
    days = request.rules.max_days_ahead
    zone = request.building.zone
    last_day = timezone.localtime(request.now, zone).date() + dt.timedelta(days=days)
    if timezone.localtime(request.end - dt.timedelta(microseconds=1), zone).date() <= last_day:
        return None
    message = ngettext(
        "You can book at most %(days)d day ahead.", "You can book at most %(days)d days ahead.", days
    )
    return BookingError(message % {"days": days}, "too_far")


def _check_quota(request: Request) -> BookingError | None:
    upcoming = request.upcoming
    if upcoming is None:
        upcoming = (
            Booking.objects.filter(user=request.user)
            .upcoming(request.now)
            .exclude(pk=request.exclude_pk)
            .count()
        )
    if upcoming + 1 <= request.rules.max_upcoming_bookings:
        return None
    message = ngettext(
        "You already have %(count)d upcoming booking, the most allowed.",
        "You already have %(count)d upcoming bookings, the most allowed.",
        upcoming,
    )
    return BookingError(message % {"count": upcoming}, "quota")


def _check_concurrent_desks(request: Request) -> BookingError | None:
    # Only desks count: a meeting room booked alongside one's desk is fine.
    if not isinstance(request.resource, Desk):
        return None
    held = request.held
    if held is None:
        held = held_desks(request.user, request.start, request.end, exclude_pk=request.exclude_pk)
    held = [b for b in held if b.start < request.end and b.end > request.start and b.pk != request.exclude_pk]
    limit = request.rules.max_concurrent_desks
    if _most_at_once(held, request.start, request.end) < limit:
        return None
    return TooManyDesks(limit, held)


def desk_limit_problem(
    user: User, building: Building, start: dt.datetime, end: dt.datetime
) -> TooManyDesks | None:
    """Whether the member may book one more desk in this building for [start, end):
    the find page says which places they already hold instead of offering desks."""
    held = held_desks(user, start, end)
    if not held:
        return None  # the usual case, without reading the rules
    anywhere = Desk(room=Room(building=building))
    return _check_concurrent_desks(
        Request(user, anywhere, start, end, rules_for(building), start, None, held)
    )


CHECKS: tuple[Check, ...] = (
    _check_past,
    _check_opening_hours,
    _check_grid,
    _check_min_duration,
    _check_max_duration,
    _check_window,
    _check_quota,
    _check_concurrent_desks,
)


def rule_problems(
    *,
    user: User,
    resource: Resource,
    start: dt.datetime,
    end: dt.datetime,
    rules: Rules,
    now: dt.datetime,
    upcoming: int | None = None,
    held: list[Booking] | None = None,
    exclude_pk: int | None = None,
) -> list[BookingError]:
    """Every rule the booking breaks (past, opening hours, grid, duration, window, quota,
    desks at the same time).

    `upcoming` is how many upcoming bookings the member holds besides this one, and
    `held` their desk bookings around it; both are read here unless the caller knows
    them (a series reads them once for all its occurrences). `exclude_pk` is a booking
    being moved, which counts for neither.
    """
    request = Request(user, resource, start, end, rules, now, upcoming, held, exclude_pk)
    problems = [problem for check in CHECKS if (problem := check(request)) is not None]
    for problem in problems:
        problem.overridable = True
    return problems

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


def rules_for(building: Building) -> Rules:
    """The defaults with the building's overrides applied."""
    defaults = BookingRules.load()
    override = BuildingRules.objects.filter(building=building).first()
    values = {}
    for name in RULE_FIELDS:
        value = getattr(override, name, None) if override else None
        values[name] = getattr(defaults, name) if value is None else value
    return Rules(**values)


class BookingError(Exception):
    """A booking that cannot be made or changed; the message is shown to the member."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Alternative:
    resource: Resource
    start: dt.datetime
    end: dt.datetime


class SlotTaken(BookingError):
    def __init__(self, alternatives: list[Alternative]):
        super().__init__(_("This slot was just taken."), "taken")
        self.alternatives = alternatives


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
        upcoming = Booking.objects.filter(user=request.user).upcoming(request.now).count()
    if upcoming + 1 <= request.rules.max_upcoming_bookings:
        return None
    message = ngettext(
        "You already have %(count)d upcoming booking, the most allowed.",
        "You already have %(count)d upcoming bookings, the most allowed.",
        upcoming,
    )
    return BookingError(message % {"count": upcoming}, "quota")


CHECKS: tuple[Check, ...] = (
    _check_past,
    _check_opening_hours,
    _check_grid,
    _check_min_duration,
    _check_max_duration,
    _check_window,
    _check_quota,
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
) -> list[BookingError]:
    """Every rule the booking breaks (past, opening hours, grid, duration, window, quota).

    `upcoming` is how many upcoming bookings the member holds besides this one; counted
    here unless the caller knows it (a series adds its earlier free occurrences).
    """
    request = Request(user, resource, start, end, rules, now, upcoming)
    return [problem for check in CHECKS if (problem := check(request)) is not None]

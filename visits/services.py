"""Check-in, check-out and the closing of forgotten visits: the one place that writes visits.

The member's pages, the front desk, the admin and the management commands all call
these functions.

Decisions worth knowing:
- One open visit per member is guaranteed by the database; a second check-in (a double
  tap, another device) loses on the partial unique index and gets the open visit back
  with `created=False`, never an error.
- Karma is awarded when a visit is checked out (by the member or the front desk):
  KARMA_POINTS_PER_HOUR per full hour, at most KARMA_MAX_VISIT_POINTS_PER_DAY per local
  day. Visits closed automatically earn nothing: nobody knows when the member really
  left, and rewarding a forgotten check-out would pay members never to check out.
- Durations are not edited afterwards (the admin shows visits read-only), so a visit's
  karma never needs correcting; staff close an open visit with the admin action, which
  is an ordinary check-out.
- A forgotten visit closes at the end of the open period it started in (see
  `automatic_closing_time`).
- A booking counts as attended when the member checks in during its check-in window,
  or was already in the building then (`attend_bookings_of_present_members`, which
  bookings.attendance runs before releasing any no-show, whoever asks it to).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.home import buildings_and_home
from accounts.models import KarmaEntry, KarmaReason, User
from accounts.services import award_karma
from bookings import attendance
from bookings.models import Booking
from spaces.models import Building, local_instant
from visits.models import Visit, minutes_between

# A visit left open in a building that never closes is closed this long after check-in.
LONGEST_AUTOMATIC_VISIT = dt.timedelta(hours=24)
MIDNIGHT = dt.time(0)


class VisitError(Exception):
    """A check-in or check-out that cannot happen; the message is shown as is."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class CheckIn:
    visit: Visit
    # False when the member was already checked in: `visit` is that open visit.
    created: bool
    # The booking this check-in attended, if one was in its check-in window.
    booking: Booking | None = None


def open_visit(user: User) -> Visit | None:
    return Visit.objects.open().select_related("building").filter(user=user).first()


def default_building(
    user: User, now: dt.datetime | None = None, home: Building | None = None
) -> Building | None:
    """Where the member most likely is: their booking now, else their home building
    (chosen on the profile, else where they last booked or visited, else the only one;
    `home`: that building, when the caller already looked it up)."""
    booking = attendance.held_booking(user, now)
    if booking is not None:
        return booking.building
    if home is None:
        home = buildings_and_home(user, Building.objects.active())[1]
    return home


def _check_staff(user: User, by: User) -> None:
    if by.pk != user.pk and not by.is_staff:
        raise VisitError(_("Only staff can check other members in or out."), "forbidden")


def check_in(
    user: User, building: Building | None = None, *, by: User | None = None, now: dt.datetime | None = None
) -> CheckIn:
    """Open a visit (and attend the booking whose check-in window is open), or return
    the visit already open."""
    now = now or timezone.now()
    by = by or user
    _check_staff(user, by)
    existing = open_visit(user)
    if existing is not None:
        return _already_in(existing, user, now)
    building = building or default_building(user, now)
    if building is None:
        raise VisitError(_("Choose the building you are in."), "building_required")
    if not building.is_active:
        raise VisitError(_("This building is not open to visits."), "inactive")
    try:
        with transaction.atomic():
            visit = Visit.objects.create(user=user, building=building, checked_in_at=now, checked_in_by=by)
            booking = attendance.check_in_booking(user, building, now)
            if booking is not None:
                visit.booking = booking
                visit.save(update_fields=["booking"])
    except IntegrityError:
        # Another request checked the member in between our look and our insert.
        existing = open_visit(user)
        if existing is None:
            raise
        return _already_in(existing, user, now)
    return CheckIn(visit, created=True, booking=booking)


def _already_in(visit: Visit, user: User, now: dt.datetime) -> CheckIn:
    # A member who arrived before their booking's window opened may tap again for it.
    booking = attendance.check_in_booking(user, visit.building, now)
    return CheckIn(visit, created=False, booking=booking)


@dataclass(frozen=True)
class CheckOut:
    visit: Visit
    points: int  # karma earned


def check_out(user: User, *, by: User | None = None, now: dt.datetime | None = None) -> CheckOut:
    """Close the member's open visit and award its karma; VisitError if none is open."""
    now = now or timezone.now()
    by = by or user
    _check_staff(user, by)
    with transaction.atomic():
        visit = (
            Visit.objects.open()
            .select_for_update(of=("self",))
            .select_related("building", "user")
            .filter(user=user)
            .first()
        )
        if visit is None:
            message = (
                _("You are not checked in.") if by.pk == user.pk else _("This member is not checked in.")
            )
            raise VisitError(message, "not_checked_in")
        _close(visit, max(now, visit.checked_in_at), by=by)
        points = award_visit_karma(visit)
    return CheckOut(visit, points)


def _close(visit: Visit, at: dt.datetime, *, by: User | None, automatically: bool = False) -> None:
    visit.checked_out_at = at
    visit.duration_minutes = minutes_between(visit.checked_in_at, at)
    visit.checked_out_by = by
    visit.closed_automatically = automatically
    visit.save(update_fields=["checked_out_at", "duration_minutes", "checked_out_by", "closed_automatically"])


def _local_day_bounds(moment: dt.datetime, building: Building) -> tuple[dt.datetime, dt.datetime]:
    day = timezone.localtime(moment, building.zone).date()
    return (
        local_instant(day, MIDNIGHT, building.zone),
        local_instant(day + dt.timedelta(days=1), MIDNIGHT, building.zone),
    )


def visit_points(visit: Visit) -> int:
    """The karma a closed visit earns: points per full hour, within what is left of the
    member's daily cap (the local day the visit started, in its building's zone)."""
    earned = (visit.duration_minutes or 0) // 60 * settings.KARMA_POINTS_PER_HOUR
    day_start, day_end = _local_day_bounds(visit.checked_in_at, visit.building)
    same_day = (
        Visit.objects.filter(user_id=visit.user_id, checked_in_at__gte=day_start, checked_in_at__lt=day_end)
        .exclude(pk=visit.pk)
        .values("pk")
    )
    already = KarmaEntry.objects.filter(
        reason=KarmaReason.VISIT, source_type=ContentType.objects.get_for_model(Visit), source_id__in=same_day
    ).aggregate(total=Coalesce(Sum("points"), 0))["total"]
    return max(0, min(earned, settings.KARMA_MAX_VISIT_POINTS_PER_DAY - already))


def award_visit_karma(visit: Visit) -> int:
    """Award a closed visit its karma, once: returns the points awarded now (0 when the
    visit earns nothing or was awarded before)."""
    points = visit_points(visit)
    if points <= 0:
        return 0
    note = f"{visit.duration_minutes // 60} h, {visit.building}"
    entry = award_karma(visit.user, points, KarmaReason.VISIT, source=visit, note=note)
    return points if entry is not None else 0


def automatic_closing_time(visit: Visit) -> dt.datetime:
    """When a visit nobody checked out is closed.

    At the end of the open period the visit started in: the closing time of the local
    day it started, carried over midnight while the building closes at 24:00 and opens
    again at 00:00 the next day. A building open around the clock never closes, so its
    visits close LONGEST_AUTOMATIC_VISIT after check-in. A visit started on a closed day
    or after closing time (staff let someone in) closes at the end of that local day.
    """
    building = visit.building
    latest = visit.checked_in_at + LONGEST_AUTOMATIC_VISIT
    day = timezone.localtime(visit.checked_in_at, building.zone).date()
    interval = building.open_interval(day)
    if interval is None or interval[1] <= visit.checked_in_at:
        return min(_local_day_bounds(visit.checked_in_at, building)[1], latest)
    end = interval[1]
    while end < latest:
        day += dt.timedelta(days=1)
        following = building.open_interval(day)
        if following is None or following[0] != end:
            break
        end = following[1]
    return min(end, latest)


def forgotten_visits(now: dt.datetime | None = None) -> list[tuple[Visit, dt.datetime]]:
    """Open visits whose automatic closing time has passed, with that time."""
    now = now or timezone.now()
    candidates = (
        Visit.objects.open()
        .filter(checked_in_at__lt=now)
        .select_related("building", "user")
        .prefetch_related("building__opening_hours")
        .order_by("checked_in_at", "pk")
    )
    due = [(visit, automatic_closing_time(visit)) for visit in candidates]
    return [(visit, at) for visit, at in due if at <= now]


def close_open_visits(now: dt.datetime | None = None) -> list[Visit]:
    """Close every forgotten visit at its automatic closing time; idempotent."""
    closed = []
    for visit, at in forgotten_visits(now):
        with transaction.atomic():
            # The member may have checked out since we looked.
            if Visit.objects.open().select_for_update().filter(pk=visit.pk).first() is None:
                continue
            _close(visit, at, by=None, automatically=True)
        closed.append(visit)
    return closed


def _visits_during(user, building, opens, closes):
    """Visits of the member in the building that overlap [opens, closes] (values or
    outer references)."""
    return Visit.objects.filter(user=user, building=building, checked_in_at__lte=closes).filter(
        Q(checked_out_at__isnull=True) | Q(checked_out_at__gte=opens)
    )


def _member_was_in() -> Exists:
    """For a booking: its member was in its building during its check-in window."""
    start = OuterRef("start")
    return Exists(
        _visits_during(
            OuterRef("user"),
            OuterRef("building"),
            start - attendance.opens_before(),
            start + attendance.closes_after(),
        )
    )


def absent_no_shows(now: dt.datetime | None = None) -> QuerySet:
    """The no-shows whose member really did not come: what release_no_shows releases."""
    return attendance.no_shows(now).exclude(_member_was_in())


def attend_bookings_of_present_members(
    now: dt.datetime | None = None, bookings: QuerySet | None = None
) -> list[Booking]:
    """Count as attended the would-be no-shows (all, or those of `bookings`) whose member
    was in the building during the check-in window: someone who arrived in the morning
    for an afternoon booking never taps "check in" again and must not be released or
    penalised. Also run by bookings.attendance before every release (signals.no_shows_due)."""
    candidates = attendance.no_shows(now) if bookings is None else bookings
    attended = []
    for booking in candidates.filter(_member_was_in()).order_by("start", "pk"):
        opens, closes = attendance.checkin_window(booking)
        visit = (
            _visits_during(booking.user_id, booking.building_id, opens, closes)
            .order_by("checked_in_at")
            .first()
        )
        if visit is not None and attendance.attend(booking, max(visit.checked_in_at, opens)):
            attended.append(booking)
    return attended

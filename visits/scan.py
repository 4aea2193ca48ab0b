"""Check-in by QR code: what scanning a desk's or room's code means for a member now.

`place_now` says what the place is to the member at this moment (theirs and they are in,
theirs to check into, free to take, someone else's, closed); the scan page shows it.
`scan` acts on it: it checks the member in through visits.services.check_in (the
check-in the home page uses) and, for a free place, first books it through
bookings.services.create_booking, so every booking rule applies.

Decisions worth knowing:
- A place taken on the spot is booked from the start of the slot under way (the member
  is standing at it) until the next booking of the place, its closing time or
  SPOT_BOOKING_LENGTH, whichever comes first, cut to the slot grid and the longest
  booking allowed. The rules are asked as of that slot's start, so the "in the past"
  rule does not refuse the slot under way; every other rule applies as it would to a
  booking made on the find page.
- Someone else's place says until when it is taken and offers other free places, never
  who holds it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from bookings import attendance, times
from bookings import services as bookings
from bookings.models import Booking
from spaces.models import Building
from visits import services
from visits.models import PlaceCode, Visit

# A place taken on the spot is booked this long at most (less when it is booked or
# closes earlier): a morning or an afternoon, extendable on the booking pages.
SPOT_BOOKING_LENGTH = dt.timedelta(hours=4)


class State:
    IN = "in"  # the member's booking here is on and they are checked in
    OWN = "own"  # the member's booking here can be checked into
    FREE = "free"  # nobody holds it now: scanning books it and checks in
    TAKEN = "taken"  # another member holds it now
    CLOSED = "closed"  # out of service, or the building is closed now


@dataclass
class PlaceNow:
    code: PlaceCode
    building: Building
    state: str
    # IN / OWN: the member's booking; FREE: the span a scan would book.
    booking: Booking | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    # TAKEN: when the place is free again (the end of the bookings held back to back).
    free_at: dt.datetime | None = None
    alternatives: list[bookings.Alternative] = field(default_factory=list)
    # CLOSED: why; and when the building opens next, if it does within a week.
    reason: str = ""
    opens_at: dt.datetime | None = None
    visit: Visit | None = None

    @property
    def place(self) -> bookings.Resource:
        return self.code.place


class ScanError(Exception):
    """A scan that cannot check the member in; the message is shown as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def find_code(token: str) -> PlaceCode | None:
    """The code with this token and its place's building, or None (unknown or replaced)."""
    return (
        PlaceCode.objects.select_related("desk__room__building", "room__building").filter(token=token).first()
    )


def place_now(user: User, code: PlaceCode, now: dt.datetime | None = None) -> PlaceNow:
    now = now or timezone.now()
    place = code.place
    building = bookings.building_of(place)
    try:
        bookings.check_resource(place)
    except bookings.BookingError as error:
        return PlaceNow(code, building, State.CLOSED, reason=error.message)
    own = (
        Booking.objects.active()
        .filter(
            bookings._resource_filter(place),
            user=user,
            start__lte=now + attendance.opens_before(),
            end__gt=now,
        )
        .select_related("building")
        .order_by("start", "pk")
        .first()
    )
    if own is not None:
        visit = services.open_visit(user)
        state = State.IN if visit is not None and visit.building_id == building.pk else State.OWN
        return PlaceNow(code, building, state, booking=own, visit=visit)
    if not building.is_open_at(now):
        return PlaceNow(
            code,
            building,
            State.CLOSED,
            reason=_("%(building)s is closed now.") % {"building": building.name},
            opens_at=building.next_opening(now),
        )
    rules = bookings.rules_for(building)
    step = dt.timedelta(minutes=rules.slot_minutes)
    start = _slot_start(now, building, rules.slot_minutes)
    ahead = list(
        Booking.objects.active()
        .filter(bookings._resource_filter(place))
        .overlapping(start, start + dt.timedelta(days=1))
        .order_by("start")
        .values_list("start", "end")
    )
    holding = [(s, e) for s, e in ahead if s <= now < e]
    if holding:
        return PlaceNow(
            code,
            building,
            State.TAKEN,
            free_at=_free_again(ahead, holding[0][1]),
            alternatives=bookings.nearest_alternatives(place, start, start + step),
        )
    closes = building.open_interval(timezone.localtime(now, building.zone).date())
    limits = [start + SPOT_BOOKING_LENGTH, start + dt.timedelta(minutes=rules.max_duration_minutes)]
    limits += [s for s, _e in ahead if s > now]
    if closes is not None and closes[0] <= now < closes[1]:
        limits.append(closes[1])
    # Whole slots from the start: the grid rule holds at the end too.
    end = start + (min(limits) - start) // step * step
    return PlaceNow(code, building, State.FREE, start=start, end=end)


def _slot_start(now: dt.datetime, building: Building, slot_minutes: int) -> dt.datetime:
    """The start of the slot under way, on the building's local grid."""
    local = timezone.localtime(now, building.zone)
    minutes = local.hour * 60 + local.minute
    return (local - dt.timedelta(minutes=minutes % slot_minutes, seconds=local.second)).replace(microsecond=0)


def _free_again(ahead: list[tuple[dt.datetime, dt.datetime]], end: dt.datetime) -> dt.datetime:
    """When a run of back-to-back bookings ending at `end` or later ends."""
    for start, following_end in ahead:
        if start <= end < following_end:
            end = following_end
    return end


@dataclass(frozen=True)
class Scan:
    visit: Visit
    booking: Booking
    booked: bool  # the place was booked by this scan
    checked_in: bool  # a visit was opened by this scan (not one already open)


def scan(user: User, code: PlaceCode, now: dt.datetime | None = None) -> Scan:
    """Check the member in at the place: into their booking there, or into a booking of
    the free place made now. ScanError says why not (taken, closed, a rule)."""
    now = now or timezone.now()
    current = place_now(user, code, now)
    if current.state == State.TAKEN:
        raise ScanError(
            _("Someone else has booked this place until %(time)s.")
            % {"time": times.clock(current.free_at, current.building.zone)}
        )
    if current.state == State.CLOSED:
        raise ScanError(current.reason)
    booked = current.state == State.FREE
    if booked and current.end <= current.start:
        raise ScanError(
            _("This place is booked again at %(time)s, too soon to take it now.")
            % {"time": times.clock(current.end, current.building.zone)}
        )
    elsewhere = services.open_visit(user)
    if elsewhere is not None and elsewhere.building_id != current.building.pk:
        raise ScanError(
            _("You are checked in at %(building)s. Check out there first.") % {"building": elsewhere.building}
        )
    try:
        with transaction.atomic():
            booking = current.booking
            if booked:
                # As of the slot under way: see the module's docstring.
                booking = bookings.create_booking(
                    user=user, resource=current.place, start=current.start, end=current.end, now=current.start
                )
            result = services.check_in(user, current.building, now=now)
            if booked and booking.checked_in_at is None:
                attendance.attend(booking, now)
            if result.created and result.visit.booking_id is None:
                result.visit.booking = booking
                result.visit.save(update_fields=["booking"])
    except (bookings.BookingError, services.VisitError) as error:
        raise ScanError(error.message) from error
    return Scan(result.visit, booking, booked=booked, checked_in=result.created)

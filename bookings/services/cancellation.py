"""Whether a booking can still be cancelled, until when, and whether it can be released.

One answer for the service that cancels and for every page that offers "Cancel": a
member may cancel until the building's cut-off before the start; staff until the start.
Past the cut-off, a member who won't come can still release the booking ("I won't
come") until it ends, unless they have checked in: the place is freed for others and,
unlike a no-show, it costs nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import User
from bookings.models import Booking
from bookings.services.rules import Rules, rules_for


@dataclass(frozen=True)
class CancelPolicy:
    deadline: dt.datetime
    """The last moment it can be cancelled (inclusive), before its start."""
    can_cancel: bool
    can_release: bool


def acts_for_others(by: User, permission: str = "bookings.change_booking") -> bool:
    """Whether `by` may act on other members' bookings: staff whose role grants `permission`.
    A member never reaches the permission backend (it would cost their pages queries)."""
    return by.is_staff and by.has_perm(permission)


def cancellation_deadline(booking: Booking, by: User, rules: Rules | None = None) -> dt.datetime:
    """Until when `by` can cancel the booking: the cut-off before its start for a member,
    just before the start for staff."""
    if acts_for_others(by):
        return booking.start - dt.timedelta(microseconds=1)
    rules = rules or rules_for(booking.building)
    return booking.start - dt.timedelta(minutes=rules.cancellation_cutoff_minutes)


def cancel_policy(
    booking: Booking, *, by: User, now: dt.datetime | None = None, rules: Rules | None = None
) -> CancelPolicy:
    """What `by` can do about the booking at `now`: cancel it, or (its member) release it."""
    now = now or timezone.now()
    deadline = cancellation_deadline(booking, by, rules)
    can_cancel = booking.is_active and now <= deadline and now < booking.start
    own = by.pk == booking.user_id
    can_release = (
        own and booking.is_active and not can_cancel and now < booking.end and booking.checked_in_at is None
    )
    return CancelPolicy(deadline, can_cancel, can_release)


def with_cancel_policies(bookings: Iterable[Booking], *, by: User, now: dt.datetime | None = None) -> None:
    """Set `cancel_policy` on each booking for a list page, the rules read once per building."""
    now = now or timezone.now()
    rules: dict[int, Rules] = {}
    for booking in bookings:
        if not acts_for_others(by) and booking.building_id not in rules:
            rules[booking.building_id] = rules_for(booking.building)
        booking.cancel_policy = cancel_policy(booking, by=by, now=now, rules=rules.get(booking.building_id))

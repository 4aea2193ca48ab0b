"""Whether members turn up for their bookings: check-in and the release of no-shows.

A booking can be checked into from CHECKIN_OPENS_MINUTES_BEFORE its start until
CHECKIN_CLOSES_MINUTES_AFTER it (the grace period). A confirmed booking nobody checked
into by the end of its grace period is a no-show, unless the member could not have
attended it (see `no_shows`) or another app says they came (`signals.no_shows_due`:
visits attends the bookings of members already in the building): `release_no_shows`
marks it RELEASED, which frees the
slot by itself (the exclusion constraint and every availability query look only at
confirmed bookings), emails the member and costs KARMA_NO_SHOW_PENALTY.

The visits app calls `check_in_booking` when a member checks in, and `attend` for a
member who was already in the building when the window opened; this module knows
nothing of visits.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import KarmaReason, User
from accounts.services import award_karma
from bookings.models import Booking, Notification
from bookings.services import queue_notification
from bookings.signals import booking_attended, no_shows_due
from spaces.models import Building, Desk, Room


def opens_before() -> dt.timedelta:
    return dt.timedelta(minutes=settings.CHECKIN_OPENS_MINUTES_BEFORE)


def closes_after() -> dt.timedelta:
    return dt.timedelta(minutes=settings.CHECKIN_CLOSES_MINUTES_AFTER)


def checkin_window(booking: Booking) -> tuple[dt.datetime, dt.datetime]:
    """When the booking can be checked into: [opens, closes]."""
    return booking.start - opens_before(), booking.start + closes_after()


def held_booking(user: User, now: dt.datetime | None = None) -> Booking | None:
    """The member's confirmed booking that is on now (or whose check-in window is open)."""
    now = now or timezone.now()
    return (
        Booking.objects.active()
        .filter(user=user, start__lte=now + opens_before(), end__gt=now)
        .select_related("building")
        .order_by("start", "pk")
        .first()
    )


def _attendable(user: User, building: Building, now: dt.datetime):
    return Booking.objects.active().filter(
        user=user,
        building=building,
        checked_in_at__isnull=True,
        start__lte=now + opens_before(),
        start__gte=now - closes_after(),
    )


def attend(booking: Booking, at: dt.datetime) -> bool:
    """Mark a confirmed booking as attended at `at`; False if it was attended or
    released meanwhile."""
    with transaction.atomic():
        # The lock orders this against release_no_show: a booking is either attended or
        # released, never both.
        locked = (
            Booking.objects.active().select_for_update().filter(pk=booking.pk, checked_in_at__isnull=True)
        )
        if locked.first() is None:
            return False
        locked.update(checked_in_at=at)
        booking.checked_in_at = at
        booking_attended.send(sender=Booking, booking=booking, at=at)
    return True


def check_in_booking(user: User, building: Building, now: dt.datetime | None = None) -> Booking | None:
    """Mark the member's booking in this building as attended if its check-in window is
    open now; returns that booking, or None when there is none."""
    now = now or timezone.now()
    for booking in _attendable(user, building, now).order_by("start", "pk"):
        if attend(booking, now):
            return booking
    return None


def no_shows(now: dt.datetime | None = None):
    """Confirmed bookings whose grace period has ended without a check-in.

    Not those the member could not have attended: in a building, room or desk staff have
    closed (nobody checks in there), or recorded at or after their start (staff entering
    a past booking with the rules overridden). The places are matched by subqueries:
    the outer joins of `desk__is_active` and the like would make release_no_show's FOR
    UPDATE fail on PostgreSQL (it cannot lock the nullable side of an outer join).
    """
    now = now or timezone.now()
    open_desks = Desk.objects.active().filter(room__is_active=True)
    return Booking.objects.active().filter(
        Q(desk__isnull=True) | Q(desk__in=open_desks),
        Q(room__isnull=True) | Q(room__in=Room.objects.active()),
        building__in=Building.objects.active(),
        checked_in_at__isnull=True,
        start__lte=now - closes_after(),
        created_at__lt=F("start"),
    )


def release_no_show(booking: Booking, now: dt.datetime | None = None) -> bool:
    """Release one no-show booking; False if it was attended (now or meanwhile) or
    released meanwhile."""
    now = now or timezone.now()
    with transaction.atomic():
        # A member who was in the building is attended here, whoever calls this.
        no_shows_due.send(sender=Booking, bookings=no_shows(now).filter(pk=booking.pk), now=now)
        booking = no_shows(now).select_for_update().select_related("user").filter(pk=booking.pk).first()
        if booking is None:
            return False
        booking.status = Booking.Status.RELEASED
        booking.sequence += 1
        booking.save(update_fields=["status", "sequence"])
        queue_notification(booking, Notification.Kind.RELEASED)
        if settings.KARMA_NO_SHOW_PENALTY:
            award_karma(booking.user, -settings.KARMA_NO_SHOW_PENALTY, KarmaReason.NO_SHOW, source=booking)
    return True


def release_no_shows(now: dt.datetime | None = None) -> list[Booking]:
    """Release every no-show; running it again releases nothing more."""
    now = now or timezone.now()
    return [booking for booking in no_shows(now).order_by("start", "pk") if release_no_show(booking, now)]

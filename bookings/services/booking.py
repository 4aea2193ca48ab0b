"""Creating and cancelling bookings.

Each write runs in one transaction that first locks the member's row (the quota) and
then the desk or room row (the overlap check), always in that order, so concurrent
requests queue instead of racing; on PostgreSQL the exclusion constraint stands behind
the check, and a request that still loses gets SlotTaken, never a 500.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit import trail
from audit.models import Action
from bookings.models import Booking, BookingSeries, Notification
from bookings.services.availability import is_free, nearest_alternatives
from bookings.services.cancellation import acts_for_others, cancel_policy
from bookings.services.rules import (
    BookingError,
    Resource,
    SlotTaken,
    building_of,
    check_resource,
    rule_problems,
    rules_for,
)
from bookings.tasks import deliver_notification
from coworking.tasks import enqueue_on_commit
from spaces.models import Building, Desk, Room


def _lock(user: User, resource: Resource) -> None:
    """Serialize bookings per member (quota) and per desk or room (overlaps)."""
    # The rows alone: no columns to build objects of, no join an ordering would lock too.
    User.objects.select_for_update().filter(pk=user.pk).order_by().values_list("pk").first()
    type(resource).objects.select_for_update().filter(pk=resource.pk).order_by().values_list("pk").first()


@contextmanager
def _overlap_reported(resource: Resource, start: dt.datetime, end: dt.datetime) -> Iterator[None]:
    """An overlap, found by the check or by the exclusion constraint (a race lost), leaves
    as SlotTaken with the nearest free alternatives, never a 500."""
    try:
        yield
    except (SlotTaken, IntegrityError) as error:
        if isinstance(error, IntegrityError) and "no_overlap" not in str(error):
            raise
        raise SlotTaken(nearest_alternatives(resource, start, end)) from error


def booking_problems(
    *,
    user: User,
    resource: Resource,
    start: dt.datetime,
    end: dt.datetime,
    override_rules: bool,
    now: dt.datetime,
    moving: Booking | None = None,
) -> list[BookingError]:
    """What stops booking `resource` for [start, end), or moving a booking there: the
    rules (unless staff override them), then an overlap (SlotTaken). create_booking and
    reschedule_booking raise the first under their locks; the admin form shows them all.
    The booking being moved counts neither against the quota nor as a desk held, and
    never overlaps itself."""
    exclude_pk = moving.pk if moving else None
    problems = []
    if not override_rules:
        rules = rules_for(building_of(resource))
        problems = rule_problems(
            user=user, resource=resource, start=start, end=end, rules=rules, now=now, exclude_pk=exclude_pk
        )
    if not is_free(resource, start, end, exclude_pk=exclude_pk):
        problems.append(SlotTaken([]))
    return problems


# The role that may book outside the rules (staff.roles: managers; superusers have it too).
OVERRIDE_PERMISSION = "staff.override_booking_rules"


def _check_may_override(by: User, override_rules: bool) -> None:
    if override_rules and not by.has_perm(OVERRIDE_PERMISSION):
        raise BookingError(_("Your role cannot override the booking rules."), "forbidden")


def create_booking(
    *,
    user: User,
    resource: Resource,
    start: dt.datetime,
    end: dt.datetime,
    by: User | None = None,
    override_rules: bool = False,
    series: BookingSeries | None = None,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> Booking:
    """Book a desk or a room for [start, end), or raise BookingError / SlotTaken.

    `override_rules` (staff only, recorded on the booking) skips the rules but never
    the overlap check.
    """
    now = now or timezone.now()
    by = by or user
    if by.pk != user.pk and not acts_for_others(by, "bookings.add_booking"):
        raise BookingError(_("You can only book for yourself."), "forbidden")
    if end.timestamp() <= start.timestamp():  # by wall clock, a fold-1 end could look earlier
        raise BookingError(_("The end must be after the start."), "order")
    _check_may_override(by, override_rules)
    check_resource(resource)
    building = building_of(resource)
    with _overlap_reported(resource, start, end), transaction.atomic():
        _lock(user, resource)
        problems = booking_problems(
            user=user, resource=resource, start=start, end=end, override_rules=override_rules, now=now
        )
        if problems:
            raise problems[0]
        booking = Booking.objects.create(
            user=user,
            building=building,
            desk=resource if isinstance(resource, Desk) else None,
            room=resource if isinstance(resource, Room) else None,
            start=start,
            end=end,
            series=series,
            created_at=now,
            created_by=by,
            rules_overridden=override_rules,
        )
        _audit_booking(booking, by, on_behalf=by.pk != user.pk, override_rules=override_rules)
        if notify:
            queue_notification(booking, Notification.Kind.CONFIRMATION, new_booking=True)
    return booking


def _audited_state(booking: Booking) -> dict[str, object]:
    """What the audit trail keeps of a booking: its place, and its times in the building's zone."""
    zone = booking.building.zone
    return {
        "place": str(booking.resource),
        "start": f"{timezone.localtime(booking.start, zone):%Y-%m-%d %H:%M %Z}",
        "end": f"{timezone.localtime(booking.end, zone):%Y-%m-%d %H:%M %Z}",
        "rules_overridden": booking.rules_overridden,
    }


def _audit_booking(
    booking: Booking, by: User, *, on_behalf: bool, override_rules: bool, before: dict | None = None
) -> None:
    """The audit trail of a booking made on a member's behalf, moved (before: its place and
    times until now), or made against the rules."""
    changes = trail.diff(before or {}, _audited_state(booking))
    if before is not None:
        trail.record(Action.BOOKING_MOVED, booking, actor=by, member=booking.user, changes=changes)
    elif on_behalf:
        trail.record(Action.BOOKED_ON_BEHALF, booking, actor=by, member=booking.user, changes=changes)
    if override_rules:
        trail.record(Action.RULES_OVERRIDDEN, booking, actor=by, member=booking.user, changes=changes)


def reschedule_booking(
    booking: Booking,
    *,
    start: dt.datetime,
    end: dt.datetime,
    by: User,
    resource: Resource | None = None,
    override_rules: bool = False,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> Booking:
    """Move an active booking to [start, end), on another desk or room if given, or raise
    BookingError / SlotTaken.

    The same locks, rules and overlap check as create_booking; the booking being moved
    counts neither against the member's quota nor as a desk they hold, and never
    overlaps itself. The member's calendar updates the event it has (SEQUENCE + 1).
    """
    now = now or timezone.now()
    resource = resource or booking.resource
    if end.timestamp() <= start.timestamp():
        raise BookingError(_("The end must be after the start."), "order")
    if by.pk != booking.user_id and not acts_for_others(by):
        raise BookingError(_("You can only change your own bookings."), "forbidden")
    _check_may_override(by, override_rules)
    check_resource(resource)
    building = building_of(resource)
    with _overlap_reported(resource, start, end), transaction.atomic():
        _lock(booking.user, resource)
        booking = Booking.objects.select_for_update().select_related("user").get(pk=booking.pk)
        if booking.status != Booking.Status.CONFIRMED:
            raise BookingError(_("This booking is no longer active."), "not_active")
        problems = booking_problems(
            user=booking.user,
            resource=resource,
            start=start,
            end=end,
            override_rules=override_rules,
            now=now,
            moving=booking,
        )
        if problems:
            raise problems[0]
        before = _audited_state(booking)
        booking.building = building
        booking.desk = resource if isinstance(resource, Desk) else None
        booking.room = resource if isinstance(resource, Room) else None
        booking.start, booking.end = start, end
        booking.rules_overridden = override_rules
        booking.sequence += 1
        booking.save(
            update_fields=["building", "desk", "room", "start", "end", "rules_overridden", "sequence"]
        )
        _audit_booking(booking, by, on_behalf=False, override_rules=override_rules, before=before)
        if notify:
            queue_notification(booking, Notification.Kind.UPDATED)
    return booking


def cancel_booking(
    booking: Booking, *, by: User, reason: str = "", now: dt.datetime | None = None, notify: bool = True
) -> Booking:
    """Cancel an upcoming booking. Members respect the cut-off; staff cancelling on a
    member's behalf must give a reason, which the member receives."""
    now = now or timezone.now()
    on_behalf = by.pk != booking.user_id
    if on_behalf and not acts_for_others(by):
        raise BookingError(_("You can only cancel your own bookings."), "forbidden")
    if on_behalf and not reason.strip():
        raise BookingError(_("Give the member a reason for the cancellation."), "reason_required")
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("building").get(pk=booking.pk)
        if booking.status != Booking.Status.CONFIRMED:
            raise BookingError(_("This booking is no longer active."), "not_active")
        if booking.start <= now:
            raise BookingError(_("A booking that has started can no longer be cancelled."), "started")
        policy = cancel_policy(booking, by=by, now=now)
        if not policy.can_cancel:
            cutoff = booking.start - policy.deadline
            raise BookingError(
                _("Bookings can be cancelled up to %(minutes)d minutes before the start.")
                % {"minutes": cutoff // dt.timedelta(minutes=1)},
                "cutoff",
            )
        _mark_cancelled(booking, by=by, reason=reason.strip(), now=now)
        if on_behalf:
            trail.record(
                Action.BOOKING_CANCELLED,
                booking,
                actor=by,
                member=booking.user,
                changes={"status": [Booking.Status.CONFIRMED, booking.status]},
                reason=booking.cancel_reason,
            )
        if notify:
            queue_notification(booking, Notification.Kind.CANCELLATION)
    return booking


def release_booking(booking: Booking, *, by: User, now: dt.datetime | None = None) -> Booking:
    """The member won't come to a booking past its cancellation cut-off ("I won't come"):
    free the place and remove it from their calendar. Not a no-show, so no penalty:
    only confirmed bookings are no-shows (bookings.attendance.no_shows)."""
    now = now or timezone.now()
    if by.pk != booking.user_id:
        raise BookingError(_("Only the member who booked can release a booking."), "forbidden")
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("building").get(pk=booking.pk)
        policy = cancel_policy(booking, by=by, now=now)
        if policy.can_cancel:
            raise BookingError(_("This booking can still be cancelled."), "cancel_instead")
        if not policy.can_release:
            raise BookingError(_("This booking can no longer be released."), "not_releasable")
        _mark_cancelled(booking, by=by, reason=_("Released: the member will not come."), now=now)
        queue_notification(booking, Notification.Kind.CANCELLATION)
    return booking


def _mark_cancelled(booking: Booking, *, by: User, reason: str, now: dt.datetime) -> None:
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = now
    booking.cancelled_by = by
    booking.cancel_reason = reason
    booking.sequence += 1
    booking.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason", "sequence"])


def cancel_series_from(
    booking: Booking, *, by: User, reason: str = "", now: dt.datetime | None = None
) -> int:
    """Cancel this occurrence and every later active one of its series; returns how many.

    One email cancels them all in the member's calendar: its notification finds the
    occurrences by their shared cancellation instant.
    """
    now = now or timezone.now()
    if booking.series_id is None:
        cancel_booking(booking, by=by, reason=reason, now=now)
        return 1
    following = Booking.objects.active().filter(series_id=booking.series_id, start__gte=booking.start)
    with transaction.atomic():
        cancelled = [cancel_booking(b, by=by, reason=reason, now=now, notify=False) for b in following]
        if cancelled:
            queue_notification(cancelled[0], Notification.Kind.CANCELLATION)
    return len(cancelled)


def cancel_bookings_in(
    spaces: list[Building | Room | Desk], *, by: User, now: dt.datetime | None = None
) -> int:
    """Cancel the upcoming bookings of buildings, rooms or desks taken out of service.

    Called when spaces deactivates them (spaces.signals.spaces_deactivated); each member
    is told why. Bookings already under way are left to finish.
    """
    now = now or timezone.now()
    where = Q(pk__in=[])
    for space in spaces:
        if isinstance(space, Building):
            where |= Q(building=space)
        elif isinstance(space, Room):
            where |= Q(room=space) | Q(desk__room=space)
        else:
            where |= Q(desk=space)
    reason = _("This place has been taken out of service.")
    upcoming = Booking.objects.active().filter(where, start__gt=now)
    return len([cancel_booking(booking, by=by, reason=reason, now=now) for booking in upcoming])


def queue_notification(booking: Booking, kind: str, *, new_booking: bool = False) -> None:
    """Record the email with the booking; a background task sends it once the transaction commits.

    `new_booking`: the booking was made in this transaction, so it has no emails recorded yet.
    """
    if new_booking:
        notification = Notification.objects.create(booking=booking, kind=kind)
    elif kind == Notification.Kind.UPDATED:
        # Each change is news: the one update row is sent again, with the booking as it is then.
        notification, _created = Notification.objects.update_or_create(
            booking=booking, kind=kind, defaults={"sent_at": None, "attempts": 0, "last_error": ""}
        )
    else:
        notification, created = Notification.objects.get_or_create(booking=booking, kind=kind)
        if not created:
            return  # recorded before: sent once only
    enqueue_on_commit(deliver_notification, notification.pk)

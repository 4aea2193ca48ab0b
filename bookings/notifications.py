"""Booking emails: recorded with the booking, sent by a background task, retried.

bookings.services records a Notification row in the booking's transaction and enqueues
bookings.tasks.deliver_notification once it commits; the worker sends it with deliver().
A failure is recorded on the row and tried again later with backoff, up to
TASK_MAX_ATTEMPTS times; after that the row stays unsent with its last error for staff
(admin: notifications, "failed"). `manage.py send_notifications` (run by the scheduler)
enqueues whatever is unsent with no task on its way. A booking is never lost or blocked
by email.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from bookings import ics
from bookings.models import Booking, Notification

logger = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    """The mail server refused or could not be reached; the row records the error."""

    def __init__(self, notification: Notification):
        super().__init__(
            f"booking email {notification.pk}, attempt {notification.attempts}: {notification.last_error}"
        )
        self.attempts = notification.attempts


def _together(notification: Notification) -> list[Booking]:
    """The occurrences of a series one email is about: all booked ones for a confirmation,
    all cancelled at once ("this and the following") for a cancellation; else none."""
    booking = notification.booking
    if not booking.series_id:
        return []
    bookings = Booking.objects.filter(series_id=booking.series_id).select_related(
        "user", "building", "desk__room", "room"
    )
    if notification.kind == Notification.Kind.CONFIRMATION:
        return list(bookings.active().order_by("start"))
    if notification.kind == Notification.Kind.CANCELLATION:
        together = bookings.filter(status=Booking.Status.CANCELLED, cancelled_at=booking.cancelled_at)
        together = list(together.order_by("start"))
        return together if len(together) > 1 else []
    return []


def _message(notification: Notification) -> EmailMessage:
    booking = notification.booking
    user = booking.user
    series = _together(notification)
    context = {
        "booking": booking,
        "user": user,
        "series": series,
        "SPACE_NAME": settings.SPACE_NAME,
        "reminder_minutes": settings.BOOKING_REMINDER_MINUTES,
    }
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(booking.building.zone):
        context["place"] = ics.resource_label(booking)  # in the member's language
        subject = render_to_string(f"bookings/email/{notification.kind}_subject.txt", context)
        body = render_to_string(f"bookings/email/{notification.kind}.txt", context)
        bookings = series or [booking]
        method = ics.method_for(bookings)
        attachment = ics.calendar(bookings, method=method)
    message = EmailMessage(
        subject=" ".join(subject.split()), body=body, to=[user.email], from_email=settings.DEFAULT_FROM_EMAIL
    )
    message.attach("booking.ics", attachment, f"text/calendar; charset=utf-8; method={method}")
    return message


def deliver(notification_id: int) -> bool:
    """Send one unsent notification: True if it went out now, False if there is nothing to
    send (already sent, or another worker is sending it). DeliveryFailed if sending failed,
    after recording the attempt and the error on the row."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("booking__user", "booking__building", "booking__desk__room", "booking__room")
            .filter(pk=notification_id, sent_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        notification.attempts += 1
        try:
            _message(notification).send()
        except Exception as error:
            # A mail outage must not lose the booking: keep the row for a retry.
            notification.last_error = f"{type(error).__name__}: {error}"[:2000]
            notification.save(update_fields=["attempts", "last_error"])
            failure = DeliveryFailed(notification)
        else:
            notification.sent_at = timezone.now()
            notification.last_error = ""
            notification.save(update_fields=["attempts", "last_error", "sent_at"])
            return True
    raise failure


def given_up():
    """Notifications tried TASK_MAX_ATTEMPTS times without success: staff must look."""
    return Notification.objects.filter(sent_at__isnull=True, attempts__gte=settings.TASK_MAX_ATTEMPTS)


def pending() -> list[int]:
    """Unsent notifications still to be tried that no queued task is about to send."""
    unsent = Notification.objects.filter(sent_at__isnull=True, attempts__lt=settings.TASK_MAX_ATTEMPTS)
    return list(unsent.exclude(pk__in=_queued()).order_by("created_at").values_list("pk", flat=True))


def _queued() -> set[int]:
    """Notifications with a delivery task waiting or running in the database queue."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from bookings.tasks import deliver_notification
    from coworking.tasks import uses_database_queue

    if not uses_database_queue():
        return set()
    waiting = DBTaskResult.objects.filter(
        task_path=deliver_notification.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    )
    return {args_kwargs["args"][0] for args_kwargs in waiting.values_list("args_kwargs", flat=True)}

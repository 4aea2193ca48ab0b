"""Booking emails: sent after the booking commits, recorded, retried when mail fails.

bookings.services records a Notification row in the booking's transaction and calls
deliver() once it commits; `manage.py send_notifications` retries whatever a failing
mail server left unsent. A booking is never lost or blocked by email.
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
MAX_ATTEMPTS = 10


def _message(notification: Notification) -> EmailMessage:
    booking = notification.booking
    user = booking.user
    series = []
    if notification.kind == Notification.Kind.CONFIRMATION and booking.series_id:
        series = list(Booking.objects.active().filter(series_id=booking.series_id).order_by("start"))
    context = {
        "booking": booking,
        "user": user,
        "place": ics.resource_label(booking),
        "series": series,
        "SPACE_NAME": settings.SPACE_NAME,
        "reminder_minutes": settings.BOOKING_REMINDER_MINUTES,
    }
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(booking.building.zone):
        subject = render_to_string(f"bookings/email/{notification.kind}_subject.txt", context)
        body = render_to_string(f"bookings/email/{notification.kind}.txt", context)
        attachment = ics.calendar(series or [booking])
    message = EmailMessage(
        subject=" ".join(subject.split()), body=body, to=[user.email], from_email=settings.DEFAULT_FROM_EMAIL
    )
    message.attach("booking.ics", attachment, "text/calendar; charset=utf-8; method=PUBLISH")
    return message


def deliver(notification_id: int) -> bool:
    """Send one pending notification; True if it went out. Failures are recorded."""
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
            logger.warning("booking email %s failed: %s", notification.pk, notification.last_error)
            return False
        notification.sent_at = timezone.now()
        notification.last_error = ""
        notification.save(update_fields=["attempts", "last_error", "sent_at"])
    return True


def pending() -> list[int]:
    return list(
        Notification.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .order_by("created_at")
        .values_list("pk", flat=True)
    )

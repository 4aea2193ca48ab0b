"""Reminders: which bookings are due one, and queueing them (once per booking)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from bookings.models import Booking, Notification
from bookings.services.booking import queue_notification


def due_reminders(now: dt.datetime | None = None) -> QuerySet[Booking]:
    """Active bookings starting within BOOKING_REMINDER_MINUTES that were not reminded yet."""
    now = now or timezone.now()
    soon = now + dt.timedelta(minutes=settings.BOOKING_REMINDER_MINUTES)
    return (
        Booking.objects.active()
        .filter(start__gt=now, start__lte=soon)
        .exclude(notifications__kind=Notification.Kind.REMINDER)
        .order_by("start", "pk")
    )


def queue_reminders(now: dt.datetime | None = None) -> list[Booking]:
    """Queue the reminder of every booking due one; running it again queues nothing more
    (one reminder row per booking)."""
    with transaction.atomic():
        due = list(due_reminders(now))
        for booking in due:
            queue_notification(booking, Notification.Kind.REMINDER)
    return due

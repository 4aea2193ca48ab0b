from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from bookings.models import Booking, Notification
from bookings.services import queue_notification


class Command(BaseCommand):
    help = (
        "Remind members of bookings starting within BOOKING_REMINDER_MINUTES. "
        "Each booking is reminded once, however often this runs (run it every few minutes)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List who would be reminded.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        now = timezone.now()
        due = (
            Booking.objects.active()
            .filter(start__gt=now, start__lte=now + dt.timedelta(minutes=settings.BOOKING_REMINDER_MINUTES))
            .exclude(notifications__kind=Notification.Kind.REMINDER)
            .order_by("start")
        )
        if dry_run:
            self.stdout.write(f"Reminders: {due.count()} due (dry run, nothing sent).")
            return
        with transaction.atomic():
            reminded = list(due)
            for booking in reminded:
                queue_notification(booking, Notification.Kind.REMINDER)
        self.stdout.write(f"Reminders: {len(reminded)} queued for sending.")

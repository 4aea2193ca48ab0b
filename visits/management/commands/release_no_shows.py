from __future__ import annotations

from django.conf import settings
from django.db import transaction

from bookings import attendance
from coworking.commands import ProjectCommand
from visits import services


class Command(ProjectCommand):
    help = (
        "Release bookings nobody checked into by CHECKIN_CLOSES_MINUTES_AFTER their start: the slot "
        "becomes free, the member is emailed and loses KARMA_NO_SHOW_PENALTY karma. A member who was "
        "already in the building during the check-in window counts as attended. Safe to run often."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the no-shows without releasing them."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        if dry_run:
            count = services.absent_no_shows().count()
            self.stdout.write(f"No-shows: {count} to release (dry run, nothing changed).")
            return
        with transaction.atomic():
            attended = services.attend_bookings_of_present_members()
            released = attendance.release_no_shows()
        self.stdout.write(
            f"No-shows: {len(released)} released ({settings.KARMA_NO_SHOW_PENALTY} karma each), "
            f"{len(attended)} attended by members already in the building."
        )

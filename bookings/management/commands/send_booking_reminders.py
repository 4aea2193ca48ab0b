from __future__ import annotations

from bookings import services
from coworking.commands import ProjectCommand


class Command(ProjectCommand):
    help = (
        "Remind members of bookings starting within BOOKING_REMINDER_MINUTES. "
        "Each booking is reminded once, however often this runs (run it every few minutes)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List who would be reminded.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        if dry_run:
            self.stdout.write(f"Reminders: {services.due_reminders().count()} due (dry run, nothing sent).")
            return
        reminded = services.queue_reminders()
        self.stdout.write(f"Reminders: {len(reminded)} queued for sending.")

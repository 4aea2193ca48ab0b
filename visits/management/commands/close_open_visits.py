from __future__ import annotations

from django.db import transaction

from coworking.commands import ProjectCommand
from visits import services


class Command(ProjectCommand):
    help = (
        "Close visits still open after their building's closing time, at that closing time, "
        "marked as closed automatically (they earn no karma). Safe to run often, e.g. every 15 minutes."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count the visits without closing them.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        if dry_run:
            due = services.forgotten_visits()
            self.stdout.write(f"Visits: {len(due)} to close automatically (dry run, nothing changed).")
            return
        with transaction.atomic():
            closed = services.close_open_visits()
        self.stdout.write(f"Visits: {len(closed)} closed automatically.")

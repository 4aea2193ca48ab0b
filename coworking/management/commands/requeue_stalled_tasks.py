from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from coworking import tasks
from coworking.commands import ProjectCommand


class Command(ProjectCommand):
    help = (
        "Put background tasks back in the queue that a worker claimed and did not finish within "
        "TASKS_STALLED_AFTER_MINUTES (the worker was killed). Safe to run often."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count them without changing anything.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        now = timezone.now()
        if dry_run:
            self.stdout.write(
                f"Stalled tasks: {tasks.stalled_tasks(now).count()} (dry run, nothing changed)."
            )
            return
        count = tasks.requeue_stalled(now)
        self.stdout.write(
            f"Stalled tasks: {count} put back in the queue "
            f"(running longer than {settings.TASKS_STALLED_AFTER_MINUTES} minutes)."
        )

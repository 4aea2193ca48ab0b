from __future__ import annotations

from bookings import notifications
from bookings.tasks import deliver_notification
from coworking.commands import ProjectCommand
from coworking.tasks import enqueue_on_commit


class Command(ProjectCommand):
    help = (
        "Queue booking emails that are still unsent and have no delivery task on its way "
        "(a task was lost, or the mail server was down with the immediate backend); safe to run often."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count what is pending.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        pending = notifications.pending()
        if dry_run:
            self.stdout.write(f"Notifications: {len(pending)} pending (dry run, nothing queued).")
            return
        for pk in pending:
            enqueue_on_commit(deliver_notification, pk)
        self.stdout.write(f"Notifications: {len(pending)} queued for sending.")

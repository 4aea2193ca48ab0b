from __future__ import annotations

from django.core.management.base import BaseCommand

from bookings import notifications


class Command(BaseCommand):
    help = "Send booking emails that are still pending (a mail server was down); safe to run often."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count what is pending.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        pending = notifications.pending()
        if dry_run:
            self.stdout.write(f"Notifications: {len(pending)} pending (dry run, nothing sent).")
            return
        sent = sum(notifications.deliver(pk) for pk in pending)
        self.stdout.write(f"Notifications: {sent} sent, {len(pending) - sent} still pending.")

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from coworking.commands import ProjectCommand
from spaces import orphans


class Command(ProjectCommand):
    help = (
        "Delete photo files in storage that no photo refers to (left by a rolled-back upload) "
        "and that are older than ORPHAN_UPLOAD_MIN_AGE_MINUTES. Safe to run often, e.g. hourly."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List them without deleting anything.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        now = timezone.now()
        if dry_run:
            found = orphans.orphaned_uploads(now)
            for name in found:
                self.stdout.write(name)
            self.stdout.write(f"Orphaned uploads: {len(found)} found (dry run, nothing deleted).")
            return
        deleted = orphans.delete_orphaned_uploads(now)
        self.stdout.write(
            f"Orphaned uploads: {len(deleted)} deleted "
            f"(older than {settings.ORPHAN_UPLOAD_MIN_AGE_MINUTES} minutes, referenced by no photo)."
        )

from __future__ import annotations

from accounts.services import karma_mismatches, repair_karma
from coworking.commands import ProjectCommand


class Command(ProjectCommand):
    help = "Check that every member's stored karma equals the sum of their karma ledger, and repair it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Report mismatches without fixing them.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        mismatches = karma_mismatches()
        for user, stored, ledger in mismatches:
            self.stdout.write(f"  {user.email}: stored {stored}, ledger {ledger}")
        if dry_run:
            self.stdout.write(
                f"Karma: {len(mismatches)} member(s) differ from the ledger (dry run, nothing changed)."
            )
        else:
            repaired = repair_karma()
            self.stdout.write(f"Karma: {repaired} member(s) repaired to match the ledger.")

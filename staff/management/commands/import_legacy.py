"""manage.py import_legacy old.db: members, visits and donations from the previous platform."""

from __future__ import annotations

import sys
import zoneinfo

from django.conf import settings
from django.core.management.base import CommandError

from coworking.commands import ProjectCommand
from spaces.models import Building
from staff.legacy import LegacyError, import_legacy


class Command(ProjectCommand):
    help = (
        "Import members (bcrypt passwords kept, admins as managers), visits and donations from the "
        "previous platform's SQLite database. Idempotent: rows imported before are skipped. Bad rows "
        "are reported with their table and id and skipped; --strict fails the whole import instead."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="the old platform's SQLite file")
        parser.add_argument(
            "--timezone",
            default=settings.TIME_ZONE,
            help="the zone its naive timestamps are in (default: %(default)s)",
        )
        parser.add_argument(
            "--building", help="the building its visits took place in (default: the only one)"
        )
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument(
            "--strict", action="store_true", help="any bad row fails the import, nothing written"
        )

    def handle(
        self, *args, path: str, timezone: str, building: str | None, dry_run: bool, strict: bool, **options
    ):
        try:
            zone = zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
            raise CommandError(f"Unknown time zone {timezone!r}.") from error
        place = self._building(building)
        progress = self._progress if sys.stdout.isatty() and options["verbosity"] > 0 else None
        try:
            report = import_legacy(
                path, zone=zone, building=place, dry_run=dry_run, strict=strict, progress=progress
            )
        except LegacyError as error:
            raise CommandError(str(error)) from error
        if progress:
            self.stdout.write("")
        for line in report.bad:
            self.stderr.write(f"bad row {line}")
        if options["verbosity"] > 0:
            for line in report.notes:
                self.stdout.write(line)
        self.stdout.write(report.summary(dry_run))

    def _building(self, name: str | None) -> Building:
        buildings = Building.objects.filter(is_active=True)
        if name:
            found = list(buildings.filter(name__iexact=name))
            if len(found) != 1:
                raise CommandError(f"No single active building is called {name!r}.")
            return found[0]
        found = list(buildings[:2])
        if len(found) != 1:
            raise CommandError("Name the building the old visits took place in: --building NAME.")
        return found[0]

    def _progress(self, table: str, done: int, total: int) -> None:
        if done == total or done % 1000 == 0:
            width = 30
            filled = width * done // max(total, 1)
            self.stdout.write(
                f"\r{table:<10} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=""
            )
            self.stdout.flush()

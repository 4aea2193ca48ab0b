"""Moving in from the previous coworking platform (FastAPI + SQLite).

Its database has exactly three tables:
users(id, email, password, full_name, karma, is_admin, total_donated, created_at, is_active)
with bcrypt hashes, visits(id, user_id, check_in, check_out, duration_minutes) with naive
timestamps, and donations(id, user_id, amount, message, donation_date, is_anonymous).

`import_legacy` reads it, checks every row, and writes what is new in one transaction: a
bad row is reported with its table and id and skipped (or, strict, fails the whole
import); every imported row is remembered in LegacyRecord, so a second run imports
nothing twice. See manage.py import_legacy --help.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connections, router, transaction
from django.db.models import F, prefetch_related_objects
from django.utils import timezone

from accounts.models import KarmaEntry, KarmaReason, User, normalize_email
from donations.models import MONEY_LIMIT, Donation, DonationStatus, ReceiptCounter, space_zone
from spaces.models import Building
from staff.models import LegacyRecord
from staff.roles import MANAGER
from visits.models import Visit, minutes_between
from visits.services import automatic_closing_time

SCHEMA = {
    "users": [
        "id",
        "email",
        "password",
        "full_name",
        "karma",
        "is_admin",
        "total_donated",
        "created_at",
        "is_active",
    ],
    "visits": ["id", "user_id", "check_in", "check_out", "duration_minutes"],
    "donations": ["id", "user_id", "amount", "message", "donation_date", "is_anonymous"],
}
KARMA_NOTE = "imported from the previous system"
BATCH = 2000


class LegacyError(Exception):
    """The import cannot go on (unreadable file, wrong schema, bad rows with --strict)."""


@dataclass
class Report:
    members: int = 0
    merged: int = 0
    managers: int = 0
    visits: int = 0
    open_closed: int = 0
    donations: int = 0
    already: int = 0
    bad: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self, dry_run: bool) -> str:
        text = (
            f"{'Would import' if dry_run else 'Imported'} {self.members} members ({self.merged} merged, "
            f"{self.managers} managers), {self.visits} visits ({self.open_closed} open ones closed), "
            f"{self.donations} donations; {self.already} already imported; {len(self.bad)} bad rows skipped"
        )
        return text + ("; dry run: nothing written." if dry_run else ".")


def parse_moment(value: object, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """A naive timestamp of the old platform ("2024-03-01 09:30:00[.ffffff]" or ISO with T),
    read in `zone`; ValueError when it is not one."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("no date")
    moment = dt.datetime.fromisoformat(value.strip())
    if moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=zone).astimezone(dt.UTC).astimezone(zone)


def open_database(path: str) -> sqlite3.Connection:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        for table, columns in SCHEMA.items():
            found = [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
            if not set(columns) <= set(found):
                raise LegacyError(f"{path}: table {table} needs the columns {', '.join(columns)}")
    except sqlite3.Error as error:
        raise LegacyError(f"{path} is not a readable SQLite database: {error}") from error
    return connection


def _rows(connection: sqlite3.Connection, table: str) -> list[dict]:
    columns = SCHEMA[table]
    cursor = connection.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id")  # noqa: S608
    return [dict(zip(columns, row, strict=True)) for row in cursor]


class Importer:
    def __init__(
        self,
        connection: sqlite3.Connection,
        *,
        zone: zoneinfo.ZoneInfo,
        building: Building,
        progress: Callable[[str, int, int], None] | None = None,
    ):
        self.connection = connection
        self.zone = zone
        self.building = building
        self.progress = progress or (lambda table, done, total: None)
        self.report = Report()
        self.members: dict[int, int] = {}  # old user id -> member pk
        self.known = {
            table: dict(LegacyRecord.objects.filter(table=table).values_list("old_id", "new_id"))
            for table in SCHEMA
        }

    def bad(self, table: str, row_id: object, why: str) -> None:
        self.report.bad.append(f"{table}#{row_id}: {why}")

    def run(self) -> Report:
        self.import_users()
        donated = self.import_donations()
        self.import_visits()
        self.compare_totals(donated)
        return self.report

    # Members ----------------------------------------------------------------------------

    def import_users(self) -> None:
        rows = _rows(self.connection, "users")
        self.members.update(self.known["users"])
        seen: dict[str, dict] = {}  # lower-cased email -> the first row with it
        exact: set[str] = set()
        by_email = {
            user.email: user
            for user in User.objects.filter(email__in={normalize_email(str(r["email"] or "")) for r in rows})
        }
        manager = Group.objects.get(name=MANAGER)
        records = []
        for done, row in enumerate(rows, 1):
            self.progress("users", done, len(rows))
            if row["id"] in self.known["users"]:
                self.report.already += 1
                continue
            raw = str(row["email"] or "").strip()
            try:
                validate_email(raw)
            except ValidationError:
                self.bad("users", row["id"], f"not an email address: {raw!r}")
                continue
            try:
                joined = parse_moment(row["created_at"], self.zone)
                karma = int(row["karma"] or 0)
            except (ValueError, TypeError):
                self.bad("users", row["id"], "malformed date or karma")
                continue
            if raw in exact:
                self.bad("users", row["id"], f"duplicate email {raw}")
                continue
            exact.add(raw)
            email = normalize_email(raw)
            first = seen.get(email)
            member = by_email.get(email)
            if first is not None or member is not None:
                target = member or by_email[email]
                self.report.merged += 1
                first_id = first["id"] if first else "an existing member"
                self.report.notes.append(f"users#{row['id']} ({raw}) merged into {first_id} ({target.email})")
            else:
                target = User(
                    email=email,
                    full_name=str(row["full_name"] or "")[:150],
                    password=self._password(row["password"]),
                    is_active=bool(row["is_active"]),
                    date_joined=joined,
                )
                target.save()
                by_email[email] = target
                self.report.members += 1
            seen.setdefault(email, row)
            if row["is_active"] and not target.is_active:
                target.is_active = True
                target.save(update_fields=["is_active"])
            if row["is_admin"] and not target.groups.filter(pk=manager.pk).exists():
                target.is_staff = True
                target.save(update_fields=["is_staff"])
                target.groups.add(manager)
                self.report.managers += 1
            if karma:
                KarmaEntry.objects.create(
                    user=target,
                    points=karma,
                    reason=KarmaReason.ADJUSTMENT,
                    note=KARMA_NOTE,
                    created_at=joined,
                )
                User.objects.filter(pk=target.pk).update(karma=F("karma") + karma)
            self.members[row["id"]] = target.pk
            records.append(LegacyRecord(table="users", old_id=row["id"], new_id=target.pk))
        LegacyRecord.objects.bulk_create(records, batch_size=BATCH)

    @staticmethod
    def _password(value: object) -> str:
        """bcrypt hashes as Django's bcrypt hasher stores them; they verify at login and are
        rehashed with Argon2 then. Anything else cannot be a password: unusable."""
        text = str(value or "")
        if text.startswith(("$2a$", "$2b$", "$2y$")):
            return f"bcrypt${text}"
        return "!"

    # Visits -----------------------------------------------------------------------------

    def import_visits(self) -> None:
        rows = _rows(self.connection, "visits")
        pending: list[tuple[int, tuple]] = []
        durations_off = 0
        # The opening hours, read once for every open visit's closing time.
        prefetch_related_objects([self.building], "opening_hours")
        for done, row in enumerate(rows, 1):
            self.progress("visits", done, len(rows))
            if row["id"] in self.known["visits"]:
                self.report.already += 1
                continue
            member = self.members.get(row["user_id"])
            if member is None:
                self.bad("visits", row["id"], f"unknown user {row['user_id']}")
                continue
            try:
                checked_in = parse_moment(row["check_in"], self.zone)
                checked_out = (
                    None if row["check_out"] in (None, "") else parse_moment(row["check_out"], self.zone)
                )
            except (ValueError, TypeError):
                self.bad("visits", row["id"], "malformed date")
                continue
            closed_automatically = checked_out is None
            if closed_automatically:
                checked_out = automatic_closing_time(Visit(building=self.building, checked_in_at=checked_in))
                self.report.open_closed += 1
                self.report.notes.append(
                    f"visits#{row['id']}: open, closed at {checked_out:%Y-%m-%d %H:%M %Z}"
                )
            elif checked_out < checked_in:
                self.bad("visits", row["id"], "check-out before check-in")
                continue
            minutes = minutes_between(checked_in, checked_out)
            if row["duration_minutes"] is not None and row["duration_minutes"] != minutes:
                durations_off += 1
            pending.append(
                (
                    row["id"],
                    (member, self.building.pk, checked_in, checked_out, minutes, closed_automatically),
                )
            )
        # Straight SQL: 100,000 model instances would take most of a minute here.
        fields = [
            "user",
            "building",
            "checked_in_at",
            "checked_out_at",
            "duration_minutes",
            "closed_automatically",
        ]
        ids = _insert(Visit, fields, [values for _old, values in pending])
        _insert(
            LegacyRecord,
            ["table", "old_id", "new_id", "imported_at"],
            [("visits", old, new, timezone.now()) for (old, _values), new in zip(pending, ids, strict=True)],
        )
        self.report.visits = len(pending)
        if durations_off:
            self.report.notes.append(
                f"visits: {durations_off} durations recomputed from the times differ from duration_minutes"
            )

    # Donations --------------------------------------------------------------------------

    def import_donations(self) -> dict[int, Decimal]:
        """Confirmed donations with receipt numbers of their year; returns what each old
        user gave, to compare with total_donated."""
        rows = _rows(self.connection, "donations")
        donated: dict[int, Decimal] = defaultdict(Decimal)
        pending: list[tuple[int, Donation]] = []
        for done, row in enumerate(rows, 1):
            self.progress("donations", done, len(rows))
            member = self.members.get(row["user_id"])
            if member is None:
                self.bad("donations", row["id"], f"unknown user {row['user_id']}")
                continue
            try:
                amount = Decimal(str(row["amount"])).quantize(Decimal("0.01"))
                given = parse_moment(row["donation_date"], self.zone)
            except (InvalidOperation, ValueError, TypeError):
                self.bad("donations", row["id"], "malformed amount or date")
                continue
            if not Decimal("0") < amount <= MONEY_LIMIT:
                self.bad("donations", row["id"], f"amount {amount} is not positive")
                continue
            donated[row["user_id"]] += amount
            if row["id"] in self.known["donations"]:
                self.report.already += 1
                continue
            donation = Donation(
                donor_id=member,
                amount=amount,
                message=str(row["message"] or "")[:1000],
                is_anonymous=bool(row["is_anonymous"]),
                status=DonationStatus.CONFIRMED,
                created_at=given,
                confirmed_at=given,
            )
            pending.append((row["id"], donation))
        by_year: dict[int, list[Donation]] = defaultdict(list)
        for _old, donation in sorted(pending, key=lambda pair: (pair[1].confirmed_at, pair[0])):
            by_year[donation.confirmed_at.astimezone(space_zone()).year].append(donation)
        for year, donations in by_year.items():
            ReceiptCounter.objects.bulk_create([ReceiptCounter(year=year)], ignore_conflicts=True)
            counter = ReceiptCounter.objects.select_for_update().get(year=year)
            for number, donation in enumerate(donations, counter.last_number + 1):
                donation.receipt_number = f"{year}-{number:06d}"
            counter.last_number += len(donations)
            counter.save(update_fields=["last_number"])
        for chunk in _chunks(pending, BATCH):
            Donation.objects.bulk_create([donation for _old, donation in chunk])
            LegacyRecord.objects.bulk_create(
                [LegacyRecord(table="donations", old_id=old, new_id=donation.pk) for old, donation in chunk]
            )
        self.report.donations = len(pending)
        return donated

    def compare_totals(self, donated: dict[int, Decimal]) -> None:
        for row in _rows(self.connection, "users"):
            try:
                old = Decimal(str(row["total_donated"] or 0)).quantize(Decimal("0.01"))
            except InvalidOperation:
                old = None
            new = donated.get(row["id"], Decimal("0.00")).quantize(Decimal("0.01"))
            if old != new and row["id"] in self.members:
                self.report.notes.append(
                    f"users#{row['id']}: total_donated was {old}, the donations add up to {new}"
                )


def _insert(model, fields: list[str], rows: list[tuple]) -> list[int]:
    """INSERT the rows (values in the order of `fields`) in batches; their new ids, in order.

    Straight SQL: 100,000 model instances and their 600,000 placeholders would take most of
    a minute here. On PostgreSQL each batch is one column array per field (UNNEST, as
    Django's own bulk_create does), elsewhere a multi-row VALUES.
    """
    connection = connections[router.db_for_write(model)]
    columns = [model._meta.get_field(name) for name in fields]
    quoted = ", ".join(connection.ops.quote_name(column.column) for column in columns)
    table, pk = (
        connection.ops.quote_name(model._meta.db_table),
        connection.ops.quote_name(model._meta.pk.column),
    )
    postgres = connection.vendor == "postgresql"
    ids: list[int] = []
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, 10_000 if postgres else 500):
            prepared = [
                [
                    column.get_db_prep_save(value, connection)
                    for column, value in zip(columns, row, strict=True)
                ]
                for row in chunk
            ]
            if postgres:
                arrays = ", ".join(f"%s::{column.db_type(connection)}[]" for column in columns)
                sql = f"INSERT INTO {table} ({quoted}) SELECT * FROM UNNEST({arrays}) RETURNING {pk}"  # noqa: S608
                params = [list(values) for values in zip(*prepared, strict=True)]
            else:
                values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(chunk))
                sql = f"INSERT INTO {table} ({quoted}) VALUES {values} RETURNING {pk}"  # noqa: S608
                params = [value for row in prepared for value in row]
            cursor.execute(sql, params)
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_legacy(
    path: str,
    *,
    zone: zoneinfo.ZoneInfo,
    building: Building,
    dry_run: bool = False,
    strict: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> Report:
    """Import in one transaction; dry_run and strict-with-bad-rows roll everything back."""
    connection = open_database(path)
    try:
        with transaction.atomic():
            report = Importer(connection, zone=zone, building=building, progress=progress).run()
            if strict and report.bad:
                raise LegacyError(
                    f"{len(report.bad)} bad rows and --strict: nothing imported.\n" + "\n".join(report.bad)
                )
            if dry_run:
                transaction.set_rollback(True)
    finally:
        connection.close()
    return report

"""Fill a PostgreSQL database with benchmark data: deterministic from a seed, fast (COPY).

    manage.py seed_bench --preset 50k [--seed 13] [--until 2027-01-01] [--dry-run]

The shape is the one issue 13 measured against MRBS: "Bench Tower", one building of 50
rooms booked whole, open 07:00–18:30 every day in 30-minute slots, booked on weekdays
between 08:00 and 18:00 for 30–180 minutes, never overlapping, about 4 bookings per room
and weekday (~200 a weekday), over as many weekdays back from `--until` (four weeks
ahead by default) as the preset's count needs. "Bench Loft" adds an open space of desks
(the booking race and desk POSTs use it). Members, closed visits (one for every three
bookings) and confirmed donations (one for every hundred) come along.

The same preset, seed and `--until` give the same rows. Refuses to run twice on one
database (the bench buildings exist): drop it or use a fresh one.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking, BuildingRules
from coworking.commands import ProjectCommand
from donations.models import Donation
from spaces.models import Building, Desk, OpeningHours, Room
from visits.models import Visit


@dataclass(frozen=True)
class Preset:
    bookings: int
    rooms: int
    desks: int
    members: int


PRESETS = {
    "tiny": Preset(bookings=300, rooms=5, desks=4, members=20),
    "50k": Preset(bookings=50_000, rooms=50, desks=40, members=400),
    "500k": Preset(bookings=500_000, rooms=50, desks=40, members=400),
    "1m": Preset(bookings=1_000_000, rooms=50, desks=40, members=400),
}
TOWER, LOFT = "Bench Tower", "Bench Loft"
ZONE = zoneinfo.ZoneInfo("Europe/Moscow")
OPENS, CLOSES = dt.time(7), dt.time(18, 30)
SLOT = dt.timedelta(minutes=30)
FIRST_START, LAST_END = 16, 36  # in slots from midnight: 08:00 and 18:00
DAYS_AHEAD = 28
CANCELLED_ONE_IN = 20
MEMBER_EMAIL = "bench-{n}@example.invalid"


def weekdays_back(until: dt.date):
    day = until
    while True:
        if day.weekday() < 5:
            yield day
        day -= dt.timedelta(days=1)


def day_bookings(rng: random.Random, day: dt.date):
    """One room's bookings of a day as (start, end) UTC: a walk from 08:00 with gaps of
    0–90 and lengths of 30–180 minutes, so they never overlap."""
    slot = FIRST_START + rng.randint(0, 3)
    while True:
        length = rng.randint(1, 6)
        if slot + length > LAST_END:
            return
        start = dt.datetime.combine(day, dt.time(), ZONE) + slot * SLOT
        yield start.astimezone(dt.UTC), (start + length * SLOT).astimezone(dt.UTC)
        slot += length + rng.randint(0, 3)


def copy_rows(table: str, columns: list[str], rows) -> int:
    """COPY the rows in, with the table's indexes, exclusion constraints and foreign keys
    dropped meanwhile and made again after, in bulk, which is several times faster (the
    same definitions, read from the catalog; the constraints check every row as they are
    added)."""
    count = 0
    quoted = ", ".join(f'"{column}"' for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype IN ('x', 'f')",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN"
            " (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [table, table],
        )
        indexes = cursor.fetchall()
        # Foreign keys are checked at commit: no table can be altered while checks of the
        # rows made so far wait, so run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for name, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    return count


class Command(ProjectCommand):
    help = "Fill the database with deterministic benchmark data (PostgreSQL only; see bench/README.md)."

    def add_arguments(self, parser):
        parser.add_argument("--preset", choices=sorted(PRESETS), default="50k")
        parser.add_argument("--seed", type=int, default=13)
        parser.add_argument(
            "--until",
            type=dt.date.fromisoformat,
            help=f"The last booked day (default: {DAYS_AHEAD} days from today in Moscow).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only say what it would insert.")

    def handle(self, *args, preset: str, seed: int, until: dt.date | None, dry_run: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_bench needs PostgreSQL (it loads with COPY); set DATABASE_URL.")
        shape = PRESETS[preset]
        until = until or timezone.now().astimezone(ZONE).date() + dt.timedelta(days=DAYS_AHEAD)
        if Building.objects.filter(name=TOWER).exists():
            raise CommandError(f"{TOWER} exists already: seed a fresh database.")
        if dry_run:
            self.stdout.write(f"Would insert {shape.bookings:,} bookings ({preset}, seed {seed}) to {until}.")
            return
        started = time.perf_counter()
        with transaction.atomic():
            tower = self._spaces(shape)
            members = self._members(shape)
            # Seeded generators on purpose: the same seed gives the same data.
            booked = self._bookings(shape, tower, members, random.Random(seed), until)  # noqa: S311
            visits = self._visits(shape, tower, members, random.Random(seed + 1), until)  # noqa: S311
            donations = self._donations(shape, members, random.Random(seed + 2))  # noqa: S311
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(
            f"Seeded {preset}: {booked:,} bookings, {visits:,} visits, {donations:,} donations, "
            f"{len(members)} members up to {until} in {time.perf_counter() - started:.1f} s."
        )

    def _spaces(self, shape: Preset) -> Building:
        tower = Building.objects.create(name=TOWER, address="1 Bench street", time_zone=ZONE.key)
        loft = Building.objects.create(name=LOFT, address="2 Bench street", time_zone=ZONE.key)
        OpeningHours.objects.bulk_create(
            OpeningHours(building=building, weekday=weekday, opens_at=OPENS, closes_at=CLOSES)
            for building in (tower, loft)
            for weekday in range(7)
        )
        Room.objects.bulk_create(
            Room(building=tower, name=f"Room {n + 1:02d}", floor=n // 10 + 1, capacity=4 + n % 9)
            for n in range(shape.rooms)
        )
        open_space = Room.objects.create(building=loft, name="Loft", kind=Room.Kind.OPEN_SPACE, capacity=40)
        Desk.objects.bulk_create(Desk(room=open_space, label=f"L-{n + 1}") for n in range(shape.desks))
        # Load tests book many slots per member: a quota would turn them into refusals.
        for building in (tower, loft):
            BuildingRules.objects.create(
                building=building, max_upcoming_bookings=1000, max_concurrent_desks=100
            )
        return tower

    def _members(self, shape: Preset) -> list[int]:
        users = User.objects.bulk_create(
            User(email=MEMBER_EMAIL.format(n=n + 1), full_name=f"Bench Member {n + 1}", password="!")
            for n in range(shape.members)
        )
        return [user.pk for user in users]

    def _bookings(self, shape, tower, members, rng: random.Random, until: dt.date) -> int:
        rooms = list(Room.objects.filter(building=tower).order_by("name").values_list("pk", flat=True))
        now = timezone.now()
        columns = ["user_id", "building_id", "room_id", "start", "end", "status"]
        columns += ["created_at", "rules_overridden", "cancel_reason", "sequence", "cancelled_at"]

        def rows():
            made = 0
            for day in weekdays_back(until):
                for room in rooms:
                    for start, end in day_bookings(rng, day):
                        cancelled = rng.randrange(CANCELLED_ONE_IN) == 0
                        status = Booking.Status.CANCELLED if cancelled else Booking.Status.CONFIRMED
                        created = min(start - dt.timedelta(days=rng.randint(1, 20)), now)
                        cancelled_at = created if cancelled else None
                        user = members[rng.randrange(len(members))]
                        yield (user, tower.pk, room, start, end, status, created, False, "", 0, cancelled_at)
                        made += 1
                        if made == shape.bookings:
                            return

        return copy_rows(Booking._meta.db_table, columns, rows())

    def _visits(self, shape, tower, members, rng: random.Random, until: dt.date) -> int:
        today = timezone.now().astimezone(ZONE).date()
        per_day = max(1, min(len(members), 66 * shape.rooms // 50))
        wanted = shape.bookings // 3
        columns = ["user_id", "building_id", "checked_in_at", "checked_out_at", "duration_minutes"]
        columns.append("closed_automatically")

        def rows():
            made = 0
            for day in weekdays_back(min(until, today - dt.timedelta(days=1))):
                for user in rng.sample(members, per_day):
                    arrival = dt.timedelta(minutes=rng.randint(0, 180))
                    checked_in = dt.datetime.combine(day, dt.time(8), ZONE) + arrival
                    minutes = rng.randint(60, 540)
                    checked_out = checked_in + dt.timedelta(minutes=minutes)
                    yield (user, tower.pk, checked_in, checked_out, minutes, False)
                    made += 1
                    if made == wanted:
                        return

        return copy_rows(Visit._meta.db_table, columns, rows())

    def _donations(self, shape, members, rng: random.Random) -> int:
        wanted = max(1, shape.bookings // 100)
        latest = timezone.now() - dt.timedelta(hours=1)
        columns = ["donor_id", "donor_name", "donor_email", "amount", "currency", "message", "is_anonymous"]
        columns += ["status", "created_at", "confirmed_at", "receipt_number", "rejected_reason"]

        def rows():
            for n in range(wanted):
                created = latest - dt.timedelta(hours=n * 7 + rng.randint(0, 6))
                amount = Decimal(rng.choice([100, 250, 500, 1000, 2500]))
                anonymous = rng.randrange(5) == 0
                yield (
                    members[rng.randrange(len(members))],
                    "",
                    "",
                    amount,
                    "RUB",
                    "",
                    anonymous,
                    "confirmed",
                    created,
                    created,
                    f"BENCH-{n + 1:07d}",
                    "",
                )

        return copy_rows(Donation._meta.db_table, columns, rows())

"""How fast is "what is free?" with a million bookings? See bench/README.md.

    DATABASE_URL=postgres://user:pass@host:port/db .venv/bin/python bench/availability.py

Fills the database (PostgreSQL only; it migrates it first) with bench buildings, desks,
rooms, members and 1,000,000 bookings over a year in one INSERT ... SELECT from
generate_series, never overlapping per place, so the exclusion constraints hold. Then it
ANALYZEs, times bookings.services.available() for one building and one day, prints the
median and 95th percentile and the EXPLAIN ANALYZE of its main queries, and fails
(exit 1) if the median is 50 ms or more. Run it again and the data is reused.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coworking.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from bookings import services  # noqa: E402
from bookings.models import Booking  # noqa: E402
from spaces.models import Building, Desk, OpeningHours, Room, local_instant  # noqa: E402

BUILDINGS = ["Europe/Moscow", "Europe/Berlin", "Asia/Yekaterinburg", "Europe/London"]
OPEN_SPACES, DESKS_PER_ROOM, MEETING_ROOMS = 10, 30, 40
MEMBERS = 300
# A year that ends a month ahead, as in a space that has run for a year: most bookings
# are history and the booking window holds the rest.
DAYS, DAYS_AHEAD = 365, 30
# Three disjoint local slots a day per place; a place never double-books.
SLOTS = [("09:00", "11:00"), ("12:00", "14:00"), ("15:00", "18:00")]
LIMIT_MEDIAN = 0.050

FILL_SQL = """
INSERT INTO bookings_booking
    (user_id, building_id, desk_id, room_id, start, "end", status, created_at,
     rules_overridden, cancel_reason, sequence, cancelled_at)
SELECT
    %(first_user)s + (place.n * 7 + day * 13 + slot.i) %% %(members)s,
    place.building_id, place.desk_id, place.room_id,
    ((%(first_day)s::date + day) + slot.starts) AT TIME ZONE place.time_zone,
    ((%(first_day)s::date + day) + slot.ends) AT TIME ZONE place.time_zone,
    CASE WHEN (place.n + day + slot.i) %% 12 = 0 THEN 'cancelled' ELSE 'confirmed' END,
    now(), false, '', 0,
    CASE WHEN (place.n + day + slot.i) %% 12 = 0 THEN now() END
FROM (
    SELECT row_number() OVER () AS n, * FROM (
        SELECT r.building_id, d.id AS desk_id, NULL::bigint AS room_id, b.time_zone
        FROM spaces_desk d
        JOIN spaces_room r ON r.id = d.room_id
        JOIN spaces_building b ON b.id = r.building_id
        WHERE b.name LIKE 'Bench %%'
        UNION ALL
        SELECT r.building_id, NULL, r.id, b.time_zone
        FROM spaces_room r JOIN spaces_building b ON b.id = r.building_id
        WHERE b.name LIKE 'Bench %%' AND r.kind <> 'open_space'
    ) places
) place
CROSS JOIN generate_series(0, %(days)s - 1) AS day
CROSS JOIN (VALUES {slots}) AS slot(i, starts, ends)
-- A pseudo-random two thirds of all place-slots, spread over the whole year.
WHERE (place.n * 2654435761 + day * 40503 + slot.i * 97) %% 1000 < %(per_mille)s
LIMIT %(count)s
"""


def bench_spaces() -> list[Building]:
    """Four buildings of 300 desks (10 open spaces) and 40 meeting rooms, open 08–20."""
    buildings = []
    for index, zone in enumerate(BUILDINGS):
        building, created = Building.objects.get_or_create(
            name=f"Bench {index + 1}", defaults={"address": "Bench street", "time_zone": zone}
        )
        buildings.append(building)
        if not created:
            continue
        OpeningHours.objects.bulk_create(
            OpeningHours(building=building, weekday=w, opens_at=dt.time(8), closes_at=dt.time(20))
            for w in range(7)
        )
        rooms = Room.objects.bulk_create(
            [
                Room(building=building, name=f"Open {n}", kind=Room.Kind.OPEN_SPACE, capacity=30)
                for n in range(OPEN_SPACES)
            ]
            + [Room(building=building, name=f"Meeting {n}", capacity=8) for n in range(MEETING_ROOMS)]
        )
        Desk.objects.bulk_create(
            Desk(room=room, label=f"{n + 1}") for room in rooms[:OPEN_SPACES] for n in range(DESKS_PER_ROOM)
        )
    return buildings


def bench_members() -> int:
    """The id of the first of MEMBERS consecutive bench members."""
    existing = User.objects.filter(email__startswith="bench-").order_by("pk")
    if existing.count() < MEMBERS:
        User.objects.bulk_create(
            User(email=f"bench-{n}@example.invalid", full_name=f"Bench {n}", password="!")
            for n in range(existing.count(), MEMBERS)
        )
    first, last = existing.values_list("pk", flat=True)[0], existing.values_list("pk", flat=True).last()
    assert last - first + 1 == MEMBERS, "bench members must have consecutive ids"
    return first


def fill(count: int) -> int:
    bench = Booking.objects.filter(building__name__startswith="Bench ")
    have = bench.count()
    if have >= count:
        print(f"Reusing {have:,} bench bookings.")
        return have
    bench.delete()
    slots = ", ".join(f"({i}, TIME '{s}', TIME '{e}')" for i, (s, e) in enumerate(SLOTS))
    places = (
        Desk.objects.filter(room__building__name__startswith="Bench ").count()
        + Room.objects.filter(building__name__startswith="Bench ").exclude(kind=Room.Kind.OPEN_SPACE).count()
    )
    # Keep just enough place-slots to reach `count`, with a little to spare for LIMIT.
    per_mille = min(1000, int(count * 1000 / (places * DAYS * len(SLOTS))) + 3)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            FILL_SQL.format(slots=slots),
            {
                "first_user": bench_members(),
                "members": MEMBERS,
                "first_day": first_day(),
                "days": DAYS,
                "per_mille": per_mille,
                "count": count,
            },
        )
        inserted = cursor.rowcount
    print(f"Inserted {inserted:,} bookings in {time.perf_counter() - started:.1f} s.")
    return inserted


def first_day() -> dt.date:
    return dt.date.today() + dt.timedelta(days=DAYS_AHEAD - DAYS)


def measure(building: Building, runs: int) -> tuple[float, float, list[str]]:
    """Median and 95th percentile of available() over `runs` calls, and its SQL."""
    day = building.local_today() + dt.timedelta(days=1)
    start = local_instant(day, dt.time(10), building.zone)
    end = local_instant(day, dt.time(13), building.zone)
    building = Building.objects.prefetch_related("opening_hours").get(pk=building.pk)
    for _warm_up in range(3):
        services.available(building, start, end)
    timings = []
    for _run in range(runs):
        began = time.perf_counter()
        desks, rooms = services.available(building, start, end)
        timings.append(time.perf_counter() - began)
    with CaptureQueriesContext(connection) as queries:
        services.available(building, start, end)
    free = f"{len(desks)} desks and {len(rooms)} rooms free"
    print(f"available({building.name}, {day} 10:00–13:00 local): {free}.")
    p95 = statistics.quantiles(timings, n=20)[-1]
    return statistics.median(timings), p95, [query["sql"] for query in queries.captured_queries]


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=1_000_000, help="how many bookings to fill in")
    parser.add_argument("--runs", type=int, default=50, help="timed calls of available()")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("Set DATABASE_URL=postgres://... : the benchmark measures PostgreSQL.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    buildings = bench_spaces()
    fill(args.bookings)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    total = Booking.objects.count()
    print(f"{total:,} bookings in the database, {Booking.objects.active().count():,} confirmed.")
    median, p95, queries = measure(buildings[0], args.runs)
    print(f"available(): median {median * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms over {args.runs} runs.")
    # The desks and the rooms queries carry the NOT EXISTS over bookings; the rest are prefetches.
    for sql in queries:
        if "bookings_booking" in sql:
            print("\n" + sql + "\n" + explain(sql))
    if median >= LIMIT_MEDIAN:
        print(f"FAIL: the median is not under {LIMIT_MEDIAN * 1000:.0f} ms.", file=sys.stderr)
        return 1
    print(f"OK: the median is under {LIMIT_MEDIAN * 1000:.0f} ms.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

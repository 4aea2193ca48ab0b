"""The benchmark harness: its data generator, and `make bench` end to end on the tiny preset."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import sys
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection  # noqa: F401 - read by the skipif condition

from accounts.models import User
from bookings.models import Booking, BuildingRules
from donations.models import Donation
from spaces.models import Building, Desk, OpeningHours, Room
from tools.testenv import ROOT
from visits.models import Visit

UNTIL = dt.date(2026, 12, 31)
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="seed_bench loads with COPY")


def _seed(seed: int = 13) -> list[tuple]:
    call_command("seed_bench", preset="tiny", seed=seed, until=UNTIL, stdout=io.StringIO())
    return list(
        Booking.objects.order_by("start", "room__name").values_list(
            "room__name", "start", "end", "status", "user__email"
        )
    )


def _wipe() -> None:
    Booking.objects.all().delete()
    Visit.objects.all().delete()
    Donation.objects.all().delete()
    BuildingRules.objects.all().delete()
    Desk.objects.all().delete()
    Room.objects.all().delete()
    OpeningHours.objects.all().delete()
    Building.objects.all().delete()
    User.objects.filter(email__startswith="bench-").delete()


@postgres_only
@pytest.mark.django_db
def test_seed_bench_makes_the_measured_shape_the_same_for_a_seed():
    first = _seed()
    _wipe()
    again = _seed()
    _wipe()
    other = _seed(seed=14)

    assert first == again
    assert first != other
    assert len(first) == 300
    zone = Building.objects.get(name="Bench Tower").zone
    for _room, start, end, _status, _email in first:
        local_start, local_end = start.astimezone(zone), end.astimezone(zone)
        assert local_start.weekday() < 5
        assert dt.time(8) <= local_start.time() and local_end.time() <= dt.time(18)
        assert dt.timedelta(minutes=30) <= end - start <= dt.timedelta(minutes=180)
    # About four bookings a room and weekday, none overlapping (the constraint would refuse).
    per_day = Counter((room, start.astimezone(zone).date()) for room, start, *_rest in first)
    assert 3 <= sum(per_day.values()) / len(per_day) <= 5
    assert max(start.astimezone(zone).date() for _room, start, *_rest in first) == UNTIL
    assert Visit.objects.count() == 100
    assert Donation.objects.filter(status="confirmed").count() == 3


@postgres_only
@pytest.mark.django_db
def test_seed_bench_refuses_a_seeded_database():
    _seed()

    with pytest.raises(CommandError, match="Bench Tower exists already"):
        _seed()


@pytest.mark.skipif(shutil.which("wrk") is None, reason="make bench installs wrk")
def test_make_bench_smoke_measures_every_page_and_the_race(tmp_path):
    """The whole harness on the tiny preset: a cluster, granian, wrk, the race, the report."""
    result = subprocess.run(
        [sys.executable, "-m", "tools.benchenv", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    table = result.stdout
    for page in [
        "healthz",
        "day view",
        "week view",
        "find",
        "my bookings",
        "API availability",
        "home, open visit",
        "donors wall",
    ]:
        assert re.search(rf"^\| {re.escape(page)} \| tiny \(\d+ bookings\) \| \d+ \|", table, re.M), page
    assert re.search(r"^\| booking POST \| tiny .* \| 0 \(\d+ booked\) \|", table, re.M)
    # Four members at once for one desk and slot: one booking, three told "taken", no 5xx.
    assert "| tiny | 4 | 1 | 1 | 3 | 0 | — |" in table
    assert "Index Cond" in table or "Seq Scan" in table

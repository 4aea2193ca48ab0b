"""import_legacy on databases built with the old platform's exact schema: a clean one, one
with every kind of bad row, and one with 100,000 visits."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
import time
import zoneinfo
from decimal import Decimal

import bcrypt
import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from accounts.models import KarmaEntry, User
from bookings.tests.factories import BuildingFactory
from donations.models import Donation
from staff.models import LegacyRecord
from staff.roles import MANAGER
from visits.models import Visit

pytestmark = pytest.mark.django_db

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
SCHEMA = """
CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR, password VARCHAR, full_name VARCHAR,
    karma INTEGER, is_admin BOOLEAN, total_donated FLOAT, created_at DATETIME, is_active BOOLEAN);
CREATE TABLE visits (id INTEGER PRIMARY KEY, user_id INTEGER, check_in DATETIME, check_out DATETIME,
    duration_minutes INTEGER);
CREATE TABLE donations (id INTEGER PRIMARY KEY, user_id INTEGER, amount FLOAT, message TEXT,
    donation_date DATETIME, is_anonymous BOOLEAN);
"""
HASH = bcrypt.hashpw(b"old-secret-1", bcrypt.gensalt(4)).decode()


def legacy_db(path, users=(), visits=(), donations=()) -> str:
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA)
    connection.executemany("INSERT INTO users VALUES (?,?,?,?,?,?,?,?,?)", users)
    connection.executemany("INSERT INTO visits VALUES (?,?,?,?,?)", visits)
    connection.executemany("INSERT INTO donations VALUES (?,?,?,?,?,?)", donations)
    connection.commit()
    connection.close()
    return str(path)


CLEAN_USERS = [
    (1, "anna@example.org", HASH, "Анна Иванова", 12, 1, 1500.0, "2023-05-01 10:00:00", 1),
    (2, "Boris@Example.org", HASH, "Борис", 3, 0, 0.0, "2023-06-02 11:30:00.123456", 0),
    (3, "boris@example.org", HASH, "Борис Второй", 2, 0, 0.0, "2023-07-01 09:00:00", 1),
]
CLEAN_VISITS = [
    (1, 1, "2024-03-01 09:00:00", "2024-03-01 12:30:00", 210),
    (2, 3, "2024-03-02 10:00:00", None, None),  # open: closed at 20:00
    (3, 1, "2024-03-03 09:00:00", "2024-03-03 10:00:00", 45),  # wrong old duration
]
CLEAN_DONATIONS = [
    (1, 1, 1000.0, "Спасибо!", "2023-12-31 23:00:00", 0),
    (2, 1, 500.0, "", "2024-01-02 12:00:00", 1),
]


def run(*args, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_legacy", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def building(db):
    return BuildingFactory(name="Покровка")  # open 08:00–20:00 in Moscow


def test_a_clean_database_comes_in_whole_and_a_second_run_adds_nothing(tmp_path, building):
    path = legacy_db(tmp_path / "old.db", CLEAN_USERS, CLEAN_VISITS, CLEAN_DONATIONS)
    out, err = run(path, "--timezone", "Europe/Moscow")
    assert err == ""
    assert out.splitlines()[-1] == (
        "Imported 2 members (1 merged, 1 managers), 3 visits (1 open ones closed), 2 donations; "
        "0 already imported; 0 bad rows skipped."
    )
    assert "users#3 (boris@example.org) merged into 2 (boris@example.org)" in out
    assert "visits#2: open, closed at 2024-03-02 20:00 MSK" in out
    assert "visits: 1 durations recomputed from the times differ from duration_minutes" in out

    anna, boris = User.objects.order_by("pk")
    assert (anna.email, anna.full_name, anna.is_staff, anna.is_active, anna.karma) == (
        "anna@example.org",
        "Анна Иванова",
        True,
        True,
        12,
    )
    assert list(anna.groups.values_list("name", flat=True)) == [MANAGER]
    # Merged: one member, karma added up, active because one of the two was.
    assert (boris.email, boris.karma, boris.is_active, boris.is_staff) == (
        "boris@example.org",
        5,
        True,
        False,
    )
    assert anna.date_joined == dt.datetime(2023, 5, 1, 10, tzinfo=MOSCOW)
    assert list(KarmaEntry.objects.filter(user=anna).values_list("points", "note")) == [
        (12, "imported from the previous system")
    ]
    visits = list(
        Visit.objects.order_by("checked_in_at").values_list(
            "user", "checked_in_at", "checked_out_at", "duration_minutes", "closed_automatically"
        )
    )
    assert visits == [
        (
            anna.pk,
            dt.datetime(2024, 3, 1, 9, tzinfo=MOSCOW),
            dt.datetime(2024, 3, 1, 12, 30, tzinfo=MOSCOW),
            210,
            False,
        ),
        (
            boris.pk,
            dt.datetime(2024, 3, 2, 10, tzinfo=MOSCOW),
            dt.datetime(2024, 3, 2, 20, tzinfo=MOSCOW),
            600,
            True,
        ),
        (
            anna.pk,
            dt.datetime(2024, 3, 3, 9, tzinfo=MOSCOW),
            dt.datetime(2024, 3, 3, 10, tzinfo=MOSCOW),
            60,
            False,
        ),
    ]
    donations = list(
        Donation.objects.order_by("confirmed_at").values_list(
            "amount", "status", "receipt_number", "is_anonymous"
        )
    )
    assert donations == [
        (Decimal("1000.00"), "confirmed", "2023-000001", False),
        (Decimal("500.00"), "confirmed", "2024-000001", True),
    ]

    out, _err = run(path)
    assert out.splitlines()[-1] == (
        "Imported 0 members (0 merged, 0 managers), 0 visits (0 open ones closed), 0 donations; "
        "8 already imported; 0 bad rows skipped."
    )
    assert (
        User.objects.count(),
        Visit.objects.count(),
        Donation.objects.count(),
        KarmaEntry.objects.count(),
    ) == (2, 3, 2, 3)


@pytest.mark.real_password_hashers
def test_members_log_in_with_their_old_password_upgraded_to_argon2(tmp_path, building):
    run(legacy_db(tmp_path / "old.db", CLEAN_USERS[:1]))
    member = authenticate(email="anna@example.org", password="old-secret-1")
    assert member is not None
    member.refresh_from_db()
    assert member.password.startswith("argon2$")
    assert authenticate(email="anna@example.org", password="wrong") is None


BAD_USERS = [
    *CLEAN_USERS[:1],
    (4, "not an email", HASH, "X", 0, 0, 0.0, "2023-01-01 10:00:00", 1),
    (5, "anna@example.org", HASH, "Dup", 0, 0, 0.0, "2023-01-01 10:00:00", 1),
    (6, "late@example.org", HASH, "Late", 0, 0, 0.0, "yesterday", 1),
]
BAD_VISITS = [
    (1, 1, "2024-03-01 09:00:00", "2024-03-01 10:00:00", 60),
    (2, 99, "2024-03-01 09:00:00", "2024-03-01 10:00:00", 60),
    (3, 1, "2024-03-01 12:00:00", "2024-03-01 11:00:00", 60),
    (4, 1, "01/03/2024 9am", None, None),
]
BAD_DONATIONS = [
    (1, 1, 300.0, "", "2024-01-02 12:00:00", 0),
    (2, 1, -5.0, "", "2024-01-02 12:00:00", 0),
    (3, 1, 0.0, "", "2024-01-02 12:00:00", 0),
    (4, 99, 100.0, "", "2024-01-02 12:00:00", 0),
    (5, 1, 100.0, "", "someday", 0),
]
BAD_REPORT = [
    "bad row users#4: not an email address: 'not an email'",
    "bad row users#5: duplicate email anna@example.org",
    "bad row users#6: malformed date or karma",
    "bad row donations#2: amount -5.00 is not positive",
    "bad row donations#3: amount 0.00 is not positive",
    "bad row donations#4: unknown user 99",
    "bad row donations#5: malformed amount or date",
    "bad row visits#2: unknown user 99",
    "bad row visits#3: check-out before check-in",
    "bad row visits#4: malformed date",
]


def test_every_kind_of_bad_row_is_reported_with_its_table_and_id_and_skipped(tmp_path, building):
    path = legacy_db(tmp_path / "bad.db", BAD_USERS, BAD_VISITS, BAD_DONATIONS)
    out, err = run(path)
    assert err.splitlines() == BAD_REPORT
    assert out.splitlines()[-1].endswith("0 already imported; 10 bad rows skipped.")
    assert (User.objects.count(), Visit.objects.count(), Donation.objects.count()) == (1, 1, 1)


def test_strict_fails_on_a_bad_row_and_writes_nothing(tmp_path, building):
    path = legacy_db(tmp_path / "bad.db", BAD_USERS, BAD_VISITS, BAD_DONATIONS)
    with pytest.raises(CommandError, match="10 bad rows and --strict: nothing imported"):
        run(path, "--strict")
    assert (
        User.objects.count(),
        Visit.objects.count(),
        Donation.objects.count(),
        LegacyRecord.objects.count(),
    ) == (0, 0, 0, 0)


def test_dry_run_reports_and_writes_nothing(tmp_path, building):
    path = legacy_db(tmp_path / "old.db", CLEAN_USERS, CLEAN_VISITS, CLEAN_DONATIONS)
    out, _err = run(path, "--dry-run")
    assert out.splitlines()[-1].startswith("Would import 2 members")
    assert out.splitlines()[-1].endswith("dry run: nothing written.")
    assert (
        User.objects.count(),
        Visit.objects.count(),
        Donation.objects.count(),
        LegacyRecord.objects.count(),
    ) == (0, 0, 0, 0)


def test_a_missing_file_or_building_fails_with_a_clear_message(tmp_path, building):
    with pytest.raises(CommandError, match="is not a readable SQLite database"):
        run(str(tmp_path / "nowhere.db"))
    with pytest.raises(CommandError, match="No single active building is called 'Nowhere'"):
        run(legacy_db(tmp_path / "old.db"), "--building", "Nowhere")


def test_a_hundred_thousand_visits_import_in_under_a_minute(tmp_path, building):
    users = [
        (n, f"m{n}@example.org", HASH, f"M {n}", 0, 0, 0.0, "2023-01-01 10:00:00", 1) for n in range(1, 101)
    ]
    start = dt.datetime(2020, 1, 1, 9)
    visits = [
        (
            n,
            n % 100 + 1,
            f"{start + dt.timedelta(hours=n):%Y-%m-%d %H:%M:%S}",
            f"{start + dt.timedelta(hours=n, minutes=30):%Y-%m-%d %H:%M:%S}",
            30,
        )
        for n in range(1, 100_001)
    ]
    path = legacy_db(tmp_path / "big.db", users, visits)
    began = time.monotonic()
    out, _err = run(path)
    elapsed = time.monotonic() - began
    assert "100000 visits" in out.splitlines()[-1]
    assert Visit.objects.count() == 100_000
    assert elapsed < 60

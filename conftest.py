"""Fixtures shared by every app's tests."""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from pathlib import Path

import pytest
import time_machine

# The task-queue fixtures (database_tasks, sink) for every app's tests.
pytest_plugins = ["coworking.tests.tasks_support"]

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from
# the same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", Path(__file__).parent / "artifacts"))
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Argon2 costs ~0.45 s per password set; tests that are not about hashing use MD5 in front
# (the real hashers stay behind it, so their hashes still verify).
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
_SERVER_STOPS = pytest.StashKey[int]()


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        metavar="INSTANT",
        type=_aware_instant,
        help="start every test at this instant, with the clock ticking from there "
        "(ISO 8601 with an offset, e.g. 2026-10-31T23:59:59+03:00): runs the suite at a chosen moment",
    )


def _aware_instant(value: str) -> dt.datetime:
    instant = dt.datetime.fromisoformat(value)
    if instant.utcoffset() is None:
        raise ValueError("give the UTC offset too, e.g. 2026-10-31T23:59:59+03:00")
    return instant


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Hold the shared test servers for the whole test, fixtures included: a test that stops
    one (tools.testenv) waits for the other xdist workers, and they wait for it."""
    from django.db import connections

    from tools import testenv

    stops = testenv.hold_servers()
    if stops != item.config.stash.get(_SERVER_STOPS, stops):
        connections.close_all()  # made before a restart, they are dead now
    item.config.stash[_SERVER_STOPS] = stops
    try:
        return (yield)
    finally:
        testenv.release_servers()


def pytest_configure(config):
    _bucket_per_xdist_worker()


def _bucket_per_xdist_worker() -> None:
    """Each xdist worker stores its files in its own bucket, so a test that lists the bucket
    sees only its own files."""
    from django.conf import settings
    from django.test import override_settings

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not (worker and settings.AWS_STORAGE_BUCKET_NAME):
        return
    from tools.testenv import SeaweedS3

    bucket = f"{settings.AWS_STORAGE_BUCKET_NAME}-{worker}"
    SeaweedS3.from_env().create_bucket(bucket)
    storages = {**settings.STORAGES}
    storages["default"] = {
        **storages["default"],
        "OPTIONS": {**storages["default"]["OPTIONS"], "bucket_name": bucket},
    }
    override_settings(STORAGES=storages, AWS_STORAGE_BUCKET_NAME=bucket).enable()


@pytest.fixture(autouse=True)
def _clock(request, monkeypatch):
    """With --clock, the test starts at that instant (before any other fixture reads the time).
    A test marked `within(period)` starts at least STEADY_MARGIN before the local day or
    month ends (at the next one's start otherwise): its expectations hold within one.
    Requests to S3 are still signed with the real time: the S3 server did not travel, and
    it refuses a signature more than 15 minutes off its own clock."""
    instant = request.config.getoption("clock")
    within = request.node.get_closest_marker("within")
    if within:
        instant = _away_from_the_end(instant or dt.datetime.now(dt.UTC), *within.args)
    if instant is None or request.node.get_closest_marker("real_clock"):
        yield
        return
    import botocore.auth
    import botocore.signers

    for module in (botocore.auth, botocore.signers):
        monkeypatch.setattr(module, "get_current_datetime", _real_utc_now)
    with time_machine.travel(instant, tick=True):
        yield


STEADY_MARGIN = dt.timedelta(minutes=10)


def _away_from_the_end(instant: dt.datetime, period: str) -> dt.datetime:
    """`instant`, or the start of the next local day or month when it is less than
    STEADY_MARGIN before the end of its own."""
    from django.conf import settings

    local = instant.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    next_day = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), local.tzinfo)
    if period == "month":
        next_start = next_day if next_day.day == 1 else None
    elif period == "day":
        next_start = next_day
    else:
        raise ValueError(f"within() takes 'day' or 'month', not {period!r}")
    if next_start is not None and next_start - local < STEADY_MARGIN:
        return next_start
    return instant


def _real_utc_now(remove_tzinfo: bool = True) -> dt.datetime:
    now = time_machine.escape_hatch.datetime.datetime.now(dt.UTC)
    return now.replace(tzinfo=None) if remove_tzinfo else now


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    if request.node.get_closest_marker("real_password_hashers") is None:
        settings.PASSWORD_HASHERS = [FAST_HASHER, *settings.PASSWORD_HASHERS]


@pytest.fixture(autouse=True)
def _default_language(settings):
    """Code run outside a request speaks the default language, whatever language an
    earlier test's request left active in this thread."""
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium; the networking flags keep it from stalling on a closed network."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ru-RU", "viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def log_in(live_server, password):
    """Log a user in through the real login form of the live server, then open next_url."""
    from django.urls import reverse
    from playwright.sync_api import expect

    def log_in(page, user, next_url: str = "/", password: str = password) -> None:
        page.goto(f"{live_server.url}{reverse('account_login')}?next={next_url}")
        page.fill("input[name=login]", user.email)
        page.fill("input[name=password]", password)
        page.locator("main form button[type=submit]").click()
        expect(page.get_by_test_id("logout")).to_be_visible()

    return log_in


@pytest.fixture
def password() -> str:
    return "correct-horse-battery-staple"


def _language(request) -> str:
    """The language of the people a test makes: Russian, or the module's `language` mark."""
    marker = request.node.get_closest_marker("language")
    return marker.args[0] if marker else "ru"


@pytest.fixture
def member(request, db, password):
    from accounts.tests.factories import UserFactory

    return UserFactory(password=password, language=_language(request))


@pytest.fixture
def staff(request, db, password):
    from accounts.tests.factories import UserFactory

    return UserFactory(
        password=password,
        is_staff=True,
        is_superuser=True,
        full_name="Staff Person",
        language=_language(request),
    )


@pytest.fixture
def staff_client(client, staff):
    """The test client signed in as `staff`."""
    client.force_login(staff)
    return client


@pytest.fixture
def admin_client(staff_client):
    """pytest-django's name for a signed-in superuser: here the project's own staff member."""
    return staff_client

"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The task-queue fixtures (database_tasks, sink) for every app's tests.
pytest_plugins = ["coworking.tests.tasks_support"]

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from
# the same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", Path(__file__).parent / "artifacts"))
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


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


@pytest.fixture
def member(db, password):
    from accounts.tests.factories import UserFactory

    return UserFactory(password=password)


@pytest.fixture
def staff(db, password):
    from accounts.tests.factories import UserFactory

    return UserFactory(password=password, is_staff=True, is_superuser=True, full_name="Staff Person")

"""Handles on the stack that tools/stacktest.py started (described in $STACK_STATE).

Every proof goes through nginx's public https address, as a browser's would. The ORM
(Django set up with the stack's own environment) only prepares data no page can make,
such as a booking that started 45 minutes ago, and reads the outcome back.
"""

from __future__ import annotations

import email
import email.header
import json
import mailbox
import os
import re
import time
import uuid
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter

STATE = json.loads(Path(os.environ["STACK_STATE"]).read_text())
for _name, _value in STATE["app_env"].items():
    if _name not in ("PATH", "HOME"):
        os.environ[_name] = _value
os.environ["DJANGO_SETTINGS_MODULE"] = "coworking.settings"

import django  # noqa: E402

django.setup()

from tools.stacktest import Process  # noqa: E402
from tools.testenv import Postgres  # noqa: E402

PASSWORD = "a-long-stack-test-password-42"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class SourceAddressAdapter(HTTPAdapter):
    """Connects from a chosen loopback address, so nginx sees two different clients."""

    def __init__(self, source: str):
        self.source = source
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


class Browser:
    """A browser's view of the site: cookies, CSRF tokens, one client address."""

    def __init__(self, source: str = "127.0.0.1"):
        self.site = STATE["site"]
        self.session = requests.Session()
        self.session.verify = STATE["ca"]
        self.session.mount("https://", SourceAddressAdapter(source))
        self.session.mount("http://", SourceAddressAdapter(source))
        self.last_request_id = ""

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        """Each request carries its own id, which nginx's access log records with the
        instance that answered."""
        self.last_request_id = uuid.uuid4().hex
        headers = {
            "X-Request-ID": self.last_request_id,
            "Referer": f"{self.site}/",
            **kwargs.pop("headers", {}),
        }
        url = path if path.startswith("http") else f"{self.site}{path}"
        kwargs.setdefault("allow_redirects", False)
        # Explicitly: a REQUESTS_CA_BUNDLE in the environment would win over session.verify.
        kwargs.setdefault("verify", STATE["ca"])
        return self.session.request(method, url, headers=headers, timeout=30, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, data: dict, files: dict | None = None) -> requests.Response:
        """GET the page for its CSRF token, then POST the form to it."""
        page = self.get(path)
        assert page.status_code == 200, (path, page.status_code)
        token = unescape(CSRF_INPUT.search(page.text)[1])
        return self.request("POST", path, data={**data, "csrfmiddlewaretoken": token}, files=files)

    def log_in(self, email_address: str, password: str = PASSWORD) -> requests.Response:
        return self.post_form("/accounts/login/", {"login": email_address, "password": password})


def wait_until(check: Callable[[], object], what: str, timeout: float = 30, every: float = 0.3):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {timeout:.0f}s")
        time.sleep(every)


def messages_to(address: str) -> list[email.message.Message]:
    """Every message the SMTP sink received for this address."""
    return [message for message in mailbox.Maildir(STATE["maildir"]) if address in message.get("To", "")]


def subjects_to(address: str) -> list[str]:
    """The decoded subjects of every message the SMTP sink received for this address."""
    return sorted(
        str(email.header.make_header(email.header.decode_header(message["Subject"])))
        for message in messages_to(address)
    )


def upstream_of(request_id: str) -> str:
    """The web instance that answered a request ("" if nginx answered itself), from nginx's
    JSON access log."""

    def find() -> dict | None:
        for line in Path(STATE["access_log"]).read_text().splitlines():
            entry = json.loads(line)
            if entry["request_id"] == request_id:
                return entry
        return None

    return wait_until(find, f"request {request_id} in nginx's access log", timeout=5)["upstream"]


def process(name: str) -> Process:
    return Process.from_description(STATE["processes"][name])


def postgres() -> Postgres:
    return Postgres(Path(STATE["postgres"]["root"]), STATE["postgres"]["port"])


@pytest.fixture
def browser() -> Browser:
    return Browser()


@pytest.fixture
def member():
    from accounts.tests.factories import UserFactory

    return UserFactory(password=PASSWORD, language="en")


@pytest.fixture
def staff():
    from accounts.tests.factories import UserFactory

    return UserFactory(password=PASSWORD, language="en", is_staff=True, is_superuser=True)


@pytest.fixture
def desk():
    import datetime as dt

    from bookings.tests.factories import DeskFactory

    desk = DeskFactory(room__building__open_daily=(dt.time(0), dt.time(23, 59)))
    return desk

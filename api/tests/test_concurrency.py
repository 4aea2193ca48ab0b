"""What must hold across threads and processes: the 50-way race for one desk through the
API, throttling counted in the shared cache by two server processes, CORS."""

from __future__ import annotations

import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from accounts.tests.factories import UserFactory
from api.models import Scope
from api.tests.conftest import TOMORROW, ApiClient
from api.tokens import create_personal_token
from bookings.models import Booking
from bookings.tests.factories import local
from coworking.testing import run_concurrently
from coworking.tests.tasks_support import process_env
from tools.testenv import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("noon")
def test_fifty_members_race_for_one_desk_through_the_api(desk):
    building = desk.room.building
    start, end = local(building, TOMORROW, 10), local(building, TOMORROW, 12)
    tokens = [create_personal_token(UserFactory(), name="race", scope=Scope.READ_WRITE)[1] for _ in range(50)]
    body = {"desk": desk.pk, "start": start.isoformat(), "end": end.isoformat()}

    def book(token: str):
        response = ApiClient(token).post("/api/v1/bookings", body)
        return response.status_code, response.json()["code"] if response.status_code != 201 else "created"

    outcomes = run_concurrently(book, tokens)

    crashes = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert not crashes, "".join(traceback.format_exception(crashes[0]))
    assert sorted(outcomes) == [(201, "created")] + [(409, "taken")] * 49
    assert Booking.objects.count() == 1


def _serve(port: int, **env: str) -> subprocess.Popen:
    """One worker of the shipped server (docker/web.sh's granian), on its own port."""
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "granian", "--interface", "wsgi", "--no-ws", "--workers", "1"),
            *("--host", "127.0.0.1", "--port", str(port), "coworking.wsgi:application"),
        ],
        cwd=ROOT,
        env=process_env(**env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _get(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10):
                return
        except OSError:  # refused until it listens
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)


@pytest.mark.real_clock  # the servers keep the real time
@pytest.mark.django_db(transaction=True)
def test_throttle_counts_across_two_server_processes(member):
    _token, raw = create_personal_token(member, name="busy", scope=Scope.READ)
    _other, other_raw = create_personal_token(member, name="other", scope=Scope.READ)
    connection.close()  # the servers need no lock of ours
    ports = [free_port(), free_port()]
    servers = [_serve(port, API_THROTTLE_RATE="4/m", DEBUG="true") for port in ports]
    try:
        for port in ports:
            _wait_until_up(port)
        codes = [_get(f"http://127.0.0.1:{ports[n % 2]}/api/v1/me", raw) for n in range(6)]
        other = _get(f"http://127.0.0.1:{ports[0]}/api/v1/me", other_raw)
    finally:
        for server in servers:
            server.terminate()
            server.wait()

    assert codes == [200, 200, 200, 200, 429, 429]
    assert other == 200  # counted per token


@pytest.mark.django_db
def test_cors_is_off_by_default(token_client):
    response = token_client.get("/api/v1/me", HTTP_ORIGIN="https://app.example.org")

    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.django_db
@override_settings(CORS_ALLOWED_ORIGINS=["https://app.example.org"])
def test_cors_answers_the_allowed_origins_only(token_client):
    allowed = token_client.get("/api/v1/me", HTTP_ORIGIN="https://app.example.org")
    other = token_client.get("/api/v1/me", HTTP_ORIGIN="https://evil.example.net")
    preflight = token_client.options(
        "/api/v1/bookings",
        HTTP_ORIGIN="https://app.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )
    page = token_client.get("/", HTTP_ORIGIN="https://app.example.org")

    assert allowed["Access-Control-Allow-Origin"] == "https://app.example.org"
    assert "Access-Control-Allow-Credentials" not in allowed
    assert "Access-Control-Allow-Origin" not in other
    assert preflight.status_code == 200
    assert "authorization" in preflight["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in page  # the site's pages never

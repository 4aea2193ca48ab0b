"""Fixtures for the API tests: a client that sends a bearer token, and places to book."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from api.models import Scope
from api.tokens import create_personal_token, obtain_pair
from bookings.tests.conftest import desk  # noqa: F401  (Desk A-1 in the open space "Hall")
from staff.tests.conftest import front_desk, manager  # noqa: F401  (staff in each role)

NOON = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)  # 12:00 in Moscow, a Tuesday
TOMORROW = dt.date(2026, 3, 11)


@pytest.fixture
def noon(time_machine):
    """A fixed noon: "tomorrow" is the same day when bookings are made and checked."""
    time_machine.move_to(NOON, tick=False)


class ApiClient(Client):
    """Django's test client with a bearer token on every request, JSON bodies by default."""

    def __init__(self, token: str | None = None, **defaults) -> None:
        if token:
            defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        super().__init__(**defaults)

    def post(self, path, data=None, content_type="application/json", **extra):
        return super().post(path, data, content_type=content_type, **extra)


@pytest.fixture
def token_client(member):
    """A client with a read-write personal access token of `member`."""
    _token, raw = create_personal_token(member, name="tests", scope=Scope.READ_WRITE)
    return ApiClient(raw)


@pytest.fixture
def jwt_client(member):
    return ApiClient(obtain_pair(member).access)


@pytest.fixture
def staff_token_client(staff):
    _token, raw = create_personal_token(staff, name="staff tests", scope=Scope.STAFF)
    return ApiClient(raw)


@pytest.fixture
def anonymous_client(db):
    return ApiClient()

"""Property-based tests from the live OpenAPI schema (schemathesis) against a real server
on PostgreSQL, with each kind of credential (the browser session too, with its CSRF
token): no 5xx for any input, and every answer conforms to the schema (status, content
type, body). Bounded: a few examples per operation, so the file runs in under 3 minutes."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
import schemathesis
from django.conf import settings as django_settings
from django.middleware.csrf import CSRF_SECRET_LENGTH
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.models import Scope
from api.tokens import create_personal_token, obtain_pair
from bookings.tests.factories import BookingFactory, DeskFactory, RoomFactory
from donations.tests.factories import DonationFactory
from visits.tests.factories import VisitFactory

pytestmark = [pytest.mark.real_clock, pytest.mark.django_db(transaction=True)]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 4


@pytest.fixture
def data(member, settings_for_fuzzing):
    """Some rows for the examples to find (their ids are small numbers)."""
    desk = DeskFactory()
    RoomFactory(building=desk.room.building)
    start = timezone.now() + dt.timedelta(days=1)
    BookingFactory(user=member, desk=desk, start=start, end=start + dt.timedelta(hours=1))
    VisitFactory(user=member, building=desk.room.building, closed=True)
    DonationFactory(donor=member)


def _session(member, live_server) -> dict[str, str]:
    """The site's login cookie and a CSRF token (cookie and header), as a same-origin page
    sends them; first checked to be needed: a write without the header is refused."""
    client = Client()
    client.force_login(member)
    csrf = get_random_string(CSRF_SECRET_LENGTH)
    cookies = (
        f"{django_settings.SESSION_COOKIE_NAME}={client.cookies[django_settings.SESSION_COOKIE_NAME].value}"
    )
    cookies += f"; {django_settings.CSRF_COOKIE_NAME}={csrf}"
    header = django_settings.CSRF_HEADER_NAME.removeprefix("HTTP_").replace("_", "-")
    calendar = f"{live_server.url}/api/v1/me/calendar"
    refused = requests.post(calendar, headers={"Cookie": cookies}, timeout=10)
    assert (refused.status_code, refused.json().get("code")) == (403, "csrf_failed")
    assert requests.post(calendar, headers={"Cookie": cookies, header: csrf}, timeout=10).status_code == 200
    return {"Cookie": cookies, header: csrf}


def _credentials(kind: str, member, staff, live_server) -> dict[str, str]:
    if kind == "session":
        return _session(member, live_server)
    if kind == "token":
        return {
            "Authorization": f"Bearer {create_personal_token(member, name='f', scope=Scope.READ_WRITE)[1]}"
        }
    if kind == "read-only token":
        return {"Authorization": f"Bearer {create_personal_token(member, name='f', scope=Scope.READ)[1]}"}
    if kind == "staff token":
        return {"Authorization": f"Bearer {create_personal_token(staff, name='f', scope=Scope.STAFF)[1]}"}
    if kind == "jwt":
        return {"Authorization": f"Bearer {obtain_pair(member).access}"}
    return {}


@pytest.fixture
def settings_for_fuzzing(settings):
    settings.API_THROTTLE_RATE = "100000/m"
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": False}


@pytest.mark.parametrize("kind", ["token", "read-only token", "staff token", "jwt", "session", "anonymous"])
def test_every_operation_conforms_and_never_fails(live_server, data, member, staff, kind):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    headers = _credentials(kind, member, staff, live_server)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30

    for operation in operations:

        @given(case=st.one_of(operation.as_strategy(), operation.as_strategy(GenerationMode.NEGATIVE)))
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
        )
        def conforms(case):
            case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS)

        conforms()

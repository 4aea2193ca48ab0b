"""Property-based tests from the live OpenAPI schema (schemathesis) against a real server
on PostgreSQL, with each kind of credential: no 5xx for any input, and every answer
conforms to the schema (status, content type, body). Bounded: a few examples per
operation, so it fits `make test`."""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from django.utils import timezone
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


def _credentials(kind: str, member, staff) -> dict[str, str]:
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


@pytest.mark.parametrize("kind", ["token", "read-only token", "staff token", "jwt", "anonymous"])
def test_every_operation_conforms_and_never_fails(live_server, data, member, staff, kind):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    headers = _credentials(kind, member, staff)
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

"""A NUL byte in an address answers 400: PostgreSQL refuses it in every text column."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_nul_byte_in_an_admin_filter_answers_bad_request(client, staff):
    client.force_login(staff)
    response = client.get(reverse("admin:bookings_booking_changelist"), {"status__exact": "a\x00b"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_nul_byte_in_a_path_answers_bad_request(client, member):
    client.force_login(member)
    response = client.get("/bookings/calendar/a%00b.ics")
    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.language("ru")
def test_an_api_client_is_refused_in_the_api_error_format(client, member):
    """Refused before the API sees it, the answer is still the API's problem+json."""
    client.force_login(member)
    page = client.get(reverse("bookings:find"), {"date": "a\x00b"})
    api = client.get("/api/v1/desks", {"cursor": "a\x00b"})
    assert (page.status_code, page["Content-Type"]) == (400, "text/html; charset=utf-8")
    assert (api.status_code, api["Content-Type"]) == (400, "application/problem+json")
    assert (api.json()["code"], api.json()["detail"]) == ("bad_request", "Некорректный запрос")

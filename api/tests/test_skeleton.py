"""/api/v1/: the schema, the docs page, errors as problem+json in the caller's language."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


def test_openapi_schema_lists_every_resource(anonymous_client):
    response = anonymous_client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    assert schema["info"]["version"] == "1"
    assert {
        "/api/v1/auth/token",
        "/api/v1/auth/token/refresh",
        "/api/v1/auth/token/revoke",
        "/api/v1/me",
        "/api/v1/buildings",
        "/api/v1/availability",
        "/api/v1/bookings",
        "/api/v1/bookings/{booking_id}/cancel",
        "/api/v1/visits/check-in",
        "/api/v1/visits/check-out",
        "/api/v1/presence",
        "/api/v1/donations",
        "/api/v1/donations/wall",
    } <= set(schema["paths"])
    errors = schema["paths"]["/api/v1/bookings"]["post"]["responses"]["409"]["content"]
    assert list(errors) == [PROBLEM]


def test_docs_page_uses_vendored_swagger_under_the_csp(anonymous_client):
    response = anonymous_client.get(reverse("api-v1:openapi-view"))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<script src="/static/api/swagger-ui/swagger-ui-bundle.js"></script>' in page
    assert '<script src="/static/api/docs.js"></script>' in page
    assert 'data-openapi-url="/api/v1/openapi.json"' in page
    assert "<script>" not in page  # no inline script: the CSP would block it
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "cdn" not in page.lower()


def test_anonymous_caller_gets_401_problem(anonymous_client):
    response = anonymous_client.get("/api/v1/me")

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {
        "type": "urn:coworking:problem:not_authenticated",
        "title": "Войдите или отправьте действительный токен.",
        "status": 401,
        "code": "not_authenticated",
        "detail": "Войдите или отправьте действительный токен.",
    }


def test_message_follows_accept_language(anonymous_client):
    response = anonymous_client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")

    assert response.json()["detail"] == "Log in or send a valid token."


def test_unknown_address_under_api_is_a_problem_404(token_client):
    response = token_client.get("/api/v1/no-such-thing", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "not_found"


def test_validation_error_names_the_field(token_client, desk):
    response = token_client.post(
        "/api/v1/bookings",
        {"desk": desk.pk, "start": "not a time", "end": "2026-12-01T10:00:00+03:00"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"] == "Some fields are not valid."
    assert [error["field"] for error in body["errors"]] == ["start"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": "2026-12-01T10:00:00", "end": "2026-12-01T12:00:00+03:00"}, "start"),  # no offset
        ({"start": "9999-12-31T10:00:00+03:00", "end": "9999-12-31T12:00:00+03:00"}, "start"),
        ({"start": "2026-12-01T10:00:00+03:00", "end": "2026-12-01T12:00:00+03:00", "desk": 2**70}, "desk"),
    ],
)
def test_hostile_values_are_422_not_500(token_client, desk, body, field):
    response = token_client.post("/api/v1/bookings", {"desk": desk.pk, **body}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]


def test_malformed_json_is_a_problem(token_client):
    response = token_client.post("/api/v1/bookings", "{not json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code in (400, 422)
    assert response["Content-Type"] == PROBLEM


def test_forged_cursor_is_422(token_client):
    cursor = "cD1ub3QtYS10aW1l"  # base64 of "p=not-a-time"
    response = token_client.get("/api/v1/bookings", {"cursor": cursor})

    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM


def test_session_post_without_csrf_is_refused(client, member, desk):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)

    response = browser.post("/api/v1/visits/check-out", "{}", content_type="application/json")

    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"


def test_session_get_works_with_the_site_login(client, member):
    client.force_login(member)

    response = client.get("/api/v1/me")

    assert response.status_code == 200
    assert json.loads(response.content)["scope"] == "read_write"

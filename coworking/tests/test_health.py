from __future__ import annotations

import os

import pytest
from django.db import connection
from django.urls import reverse

from accounts.tests.factories import UserFactory
from tools.testenv import Postgres, SeaweedS3

needs_servers = pytest.mark.skipif(
    "TEST_PG_ROOT" not in os.environ, reason="needs the servers started by `python -m tools.testenv`"
)


@pytest.mark.smoke
@pytest.mark.django_db
def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.smoke
@pytest.mark.django_db
def test_readyz_is_ok_when_database_and_storage_answer(client):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": ["database", "storage"]}


@needs_servers
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "member"])
def test_readyz_is_503_with_the_database_stopped(client, signed_in):
    if signed_in:
        # The session and the member's language are in the database: the probe must not
        # need them (a browser that is signed in opens /readyz too).
        client.force_login(UserFactory())
    postgres = Postgres.from_env()
    postgres.stop()
    try:
        connection.close()
        response = client.get(reverse("readyz"))
    finally:
        postgres.start()
        connection.close()
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "failed": {"database": "OperationalError"}}
    assert client.get(reverse("readyz")).status_code == 200


@needs_servers
@pytest.mark.django_db
def test_readyz_is_503_with_the_object_store_stopped(client):
    s3 = SeaweedS3.from_env()
    s3.stop()
    try:
        response = client.get(reverse("readyz"))
    finally:
        s3.start()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert list(body["failed"]) == ["storage"]
    assert client.get(reverse("readyz")).status_code == 200


def _wsgi_get(path: str, method: str = "GET", host: str = "10.0.0.7:8000") -> tuple[str, dict, bytes]:
    """The WSGI application gunicorn and granian serve, called as they call it."""
    from wsgiref.util import setup_testing_defaults

    from coworking.wsgi import application

    environ = {"PATH_INFO": path, "REQUEST_METHOD": method, "HTTP_HOST": host}
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=dict(headers))

    body = b"".join(application(environ, start_response))
    return answer["status"], answer["headers"], body


@pytest.mark.smoke
@pytest.mark.django_db
def test_the_served_application_answers_healthz_before_django(django_assert_num_queries, client):
    # No session, user or query, and an orchestrator probing by the pod's address needs
    # no allowed Host.
    with django_assert_num_queries(0):
        status, headers, body = _wsgi_get("/healthz")
    assert (status, body) == ("200 OK", client.get(reverse("healthz")).content)
    assert headers["Content-Type"] == "application/json"
    assert headers["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert _wsgi_get("/healthz", method="HEAD")[::2] == ("200 OK", b"")
    # Anything else is Django's, Host check included.
    assert _wsgi_get("/healthz/", host="10.0.0.7")[0].startswith("400")

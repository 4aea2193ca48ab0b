from __future__ import annotations

import json
import logging

import pytest
from django.urls import reverse

from coworking.logging import JsonFormatter


@pytest.fixture
def request_log(caplog):
    caplog.set_level(logging.INFO, logger="coworking.request")
    return caplog


def _json_lines(caplog) -> list[dict]:
    formatter = JsonFormatter()
    lines = []
    for record in caplog.records:
        if record.name == "coworking.request":
            lines.append(json.loads(formatter.format(record)))
    return lines


def test_request_id_is_taken_from_the_header_and_returned(client, request_log):
    response = client.get(reverse("healthz"), headers={"X-Request-ID": "abc-123"})
    assert response["X-Request-ID"] == "abc-123"
    [line] = _json_lines(request_log)
    assert line["request_id"] == "abc-123"
    assert line["method"] == "GET"
    assert line["path"] == "/healthz"
    assert line["status"] == 200
    assert line["user_id"] is None
    assert line["level"] == "INFO"
    assert isinstance(line["duration_ms"], float)
    assert line["time"].endswith("+00:00")


def test_request_id_is_generated_when_missing_or_unsafe(client, request_log):
    first = client.get(reverse("healthz"))
    second = client.get(reverse("healthz"), headers={"X-Request-ID": "bad id\nwith newline"})
    assert len(first["X-Request-ID"]) == 32
    assert len(second["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert [line["request_id"] for line in _json_lines(request_log)] == [
        first["X-Request-ID"],
        second["X-Request-ID"],
    ]


@pytest.mark.django_db
def test_request_log_names_the_logged_in_member(client, member, request_log):
    client.force_login(member)
    client.get(reverse("accounts:profile"))
    [line] = _json_lines(request_log)
    assert line["user_id"] == member.pk
    assert line["status"] == 200

"""/metrics: requests, queries, the task queue and domain events, for internal scrapers only."""

from __future__ import annotations

import pytest
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from bookings import services
from bookings.tests.factories import DeskFactory, local, tomorrow

pytestmark = pytest.mark.django_db


def _scrape(client, **headers) -> dict[tuple[str, tuple], float]:
    response = client.get(reverse("metrics"), headers=headers)
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def _book(member):
    desk = DeskFactory()
    building = desk.room.building
    day = tomorrow(building)
    return services.create_booking(
        user=member, resource=desk, start=local(building, day, 10), end=local(building, day, 12)
    )


def test_metrics_count_requests_by_view_and_time_queries(client, member):
    before = _scrape(client)
    client.force_login(member)
    assert client.get(reverse("home")).status_code == 200
    assert client.get("/no-such-page/").status_code == 404
    after = _scrape(client)

    def delta(name, **labels):
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert delta("django_http_requests_total", method="GET", view="home", status="200") == 1
    assert delta("django_http_requests_total", method="GET", view="<unresolved>", status="404") == 1
    assert delta("django_http_request_duration_seconds_count", method="GET", view="home") == 1
    assert delta("django_db_query_duration_seconds_count", alias="default", vendor="postgresql") >= 1


def test_metrics_count_bookings_when_they_commit(client, member, django_capture_on_commit_callbacks):
    before = _scrape(client)
    with django_capture_on_commit_callbacks(execute=True):
        booking = _book(member)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_booking(booking, by=member, reason="")
    after = _scrape(client)
    events = ("created", "cancelled", "released")
    added = [
        _value(after, "coworking_bookings_total", event=event)
        - _value(before, "coworking_bookings_total", event=event)
        for event in events
    ]
    assert added == [1, 1, 0]


@pytest.mark.django_db(transaction=True)
def test_metrics_show_the_task_queue(database_tasks, client, member):
    _book(member)
    samples = _scrape(client)
    statuses = ("ready", "running", "failed")
    assert [_value(samples, "coworking_tasks", status=status) for status in statuses] == [1, 0, 0]
    assert _value(samples, "coworking_notifications_failed") == 0


@pytest.mark.parametrize(
    ("remote_addr", "headers"),
    [
        ("203.0.113.7", {}),  # a public address
        ("127.0.0.1", {"X-Forwarded-For": "203.0.113.7"}),  # came through the proxy
        ("10.0.0.5", {"Forwarded": "for=203.0.113.7"}),
        ("not-an-address", {}),
    ],
)
def test_metrics_are_not_found_from_outside(client, remote_addr, headers):
    response = client.get(reverse("metrics"), headers=headers, REMOTE_ADDR=remote_addr)
    assert response.status_code == 404


def test_metrics_token_is_required_when_set(client, settings):
    settings.METRICS_TOKEN = "s3cret"
    assert client.get(reverse("metrics")).status_code == 404
    assert client.get(reverse("metrics"), headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert client.get(reverse("metrics"), headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_metrics_allowed_networks_come_from_settings(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["192.0.2.0/24"]
    assert client.get(reverse("metrics"), REMOTE_ADDR="192.0.2.10").status_code == 200
    assert client.get(reverse("metrics"), REMOTE_ADDR="127.0.0.1").status_code == 404

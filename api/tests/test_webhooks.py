"""Webhooks: a real receiver on loopback gets signed JSON from the background worker,
after the commit, retried with backoff when it fails."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.utils import timezone

from api.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from bookings import services as booking_services
from bookings.attendance import release_no_shows
from bookings.tests.factories import BookingFactory, local, tomorrow
from coworking.tests.tasks_support import run_worker
from donations.services import confirm_donation
from donations.tests.factories import DonationFactory
from visits import services as visit_services

pytestmark = [pytest.mark.real_clock, pytest.mark.django_db(transaction=True)]
SECRET = "s3cret-for-tests"


class Receiver:
    """An HTTP server on loopback that records what it is sent and answers the status
    codes it is told to, one per request (then 200)."""

    def __init__(self, answers: list[int] | None = None) -> None:
        self.answers = list(answers or [])
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.answers.pop(0) if receiver.answers else 200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def events(self) -> list[str]:
        return [json.loads(item["body"])["event"] for item in self.received]


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.stop()


def _verify(item: dict, secret: str = SECRET) -> dict:
    """What a receiver does: recompute the signature over the raw body."""
    fields = dict(part.split("=", 1) for part in item["headers"]["X-Coworking-Signature"].split(","))
    expected = hmac.new(
        secret.encode(), f"{fields['t']}.".encode() + item["body"], hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(fields["v1"], expected)
    assert abs(int(fields["t"]) - time.time()) < 60
    return json.loads(item["body"])


def _endpoint(url: str, *events: str) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(url=url, secret=SECRET, events=list(events))


def test_booking_events_are_signed_and_sent_by_the_worker(database_tasks, receiver, member, desk):
    _endpoint(receiver.url, WebhookEvent.BOOKING_CREATED, WebhookEvent.BOOKING_CANCELLED)
    building = desk.room.building
    start, end = local(building, tomorrow(building), 10), local(building, tomorrow(building), 11)

    booking = booking_services.create_booking(user=member, resource=desk, start=start, end=end)
    assert receiver.received == []  # not in the request: the worker sends it
    run_worker()

    assert receiver.events() == ["booking.created"]
    payload = _verify(receiver.received[0])
    delivery = WebhookDelivery.objects.get()
    assert payload == {
        "id": delivery.pk,
        "event": "booking.created",
        "created_at": delivery.created_at.isoformat(),
        "data": {
            "id": booking.pk,
            "member": member.pk,
            "building": building.pk,
            "desk": desk.pk,
            "room": None,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "status": "confirmed",
            "checked_in_at": None,
        },
    }
    assert receiver.received[0]["headers"]["X-Coworking-Event"] == "booking.created"
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)

    booking_services.cancel_booking(booking, by=member)
    run_worker()

    assert receiver.events() == ["booking.created", "booking.cancelled"]
    assert _verify(receiver.received[1])["data"]["status"] == "cancelled"


def test_a_failing_receiver_is_retried_with_backoff(database_tasks, receiver, member, desk, settings):
    settings.TASK_RETRY_DELAY_SECONDS = 0  # the backoff's first wait, doubling after
    receiver.answers = [500, 503]
    _endpoint(receiver.url, WebhookEvent.VISIT_STARTED)

    visit_services.check_in(member, desk.room.building)
    for _ in range(3):
        run_worker()

    assert receiver.events() == ["visit.started"] * 3
    bodies = [_verify(item) for item in receiver.received]
    assert bodies[0] == bodies[1] == bodies[2]  # the same delivery, signed anew each time
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 200)


def test_gives_up_after_the_last_attempt(database_tasks, receiver, member, desk, settings):
    settings.TASK_RETRY_DELAY_SECONDS = 0
    receiver.answers = [500, 500, 500, 500]
    _endpoint(receiver.url, WebhookEvent.VISIT_STARTED)

    visit_services.check_in(member, desk.room.building)
    for _ in range(4):
        run_worker()

    assert len(receiver.received) == 3  # TASK_MAX_ATTEMPTS in the database_tasks fixture
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        "failed",
        3,
        500,
        "HTTP 500",
    )


def test_nothing_is_sent_for_a_rolled_back_booking(database_tasks, receiver, member, desk):
    _endpoint(receiver.url, WebhookEvent.BOOKING_CREATED)
    building = desk.room.building

    with pytest.raises(RuntimeError), transaction.atomic():
        booking_services.create_booking(
            user=member,
            resource=desk,
            start=local(building, tomorrow(building), 10),
            end=local(building, tomorrow(building), 11),
        )
        raise RuntimeError("rolled back")
    run_worker()

    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


def test_only_subscribed_events_and_active_endpoints(database_tasks, receiver, member, staff, desk):
    _endpoint(receiver.url, WebhookEvent.DONATION_CONFIRMED, WebhookEvent.VISIT_ENDED)
    WebhookEndpoint.objects.create(
        url=receiver.url + "/off", secret=SECRET, events=["donation.confirmed"], is_active=False
    )
    donation = DonationFactory(donor=member)

    visit_services.check_in(member, desk.room.building)  # not subscribed
    visit_services.check_out(member)
    confirm_donation(donation, confirmed_by=staff, notify=False)
    run_worker()

    assert sorted(receiver.events()) == ["donation.confirmed", "visit.ended"]
    confirmed = next(_verify(item) for item in receiver.received if b"donation.confirmed" in item["body"])
    donation.refresh_from_db()
    assert confirmed["data"]["receipt_number"] == donation.receipt_number


def test_booking_check_in_is_an_event(database_tasks, receiver, member, desk, settings):
    _endpoint(receiver.url, WebhookEvent.BOOKING_CHECKED_IN)
    now = timezone.now()

    booking = BookingFactory(user=member, desk=desk, start=now, end=now + dt.timedelta(hours=1))

    visit_services.check_in(member, desk.room.building)
    run_worker()

    assert receiver.events() == ["booking.checked_in"]
    assert _verify(receiver.received[0])["data"]["id"] == booking.pk


def test_a_no_show_is_an_event_and_a_release_a_cancellation(database_tasks, receiver, member, desk):
    _endpoint(receiver.url, WebhookEvent.BOOKING_NO_SHOW, WebhookEvent.BOOKING_CANCELLED)
    now = timezone.now()
    missed = BookingFactory(
        user=member, desk=desk, start=now - dt.timedelta(hours=2), end=now - dt.timedelta(minutes=30)
    )
    # Past the cut-off: the member says they won't come (no penalty, not a no-show).
    wont_come = BookingFactory(
        user=member, desk=desk, start=now + dt.timedelta(minutes=30), end=now + dt.timedelta(hours=1)
    )

    assert release_no_shows() == [missed]
    booking_services.release_booking(wont_come, by=member)
    run_worker()

    assert receiver.events() == ["booking.no_show", "booking.cancelled"]
    no_show, cancelled = (_verify(item) for item in receiver.received)
    assert (no_show["data"]["id"], no_show["data"]["status"], no_show["data"]["checked_in_at"]) == (
        missed.pk,
        "released",
        None,
    )
    assert (cancelled["data"]["id"], cancelled["data"]["status"]) == (wont_come.pk, "cancelled")
    assert list(WebhookDelivery.objects.order_by("pk").values_list("event", "status", "attempts")) == [
        ("booking.no_show", "delivered", 1),
        ("booking.cancelled", "delivered", 1),
    ]

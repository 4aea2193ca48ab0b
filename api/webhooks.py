"""Webhooks: external systems told about bookings, visits and donations.

Staff register endpoints in the admin. An event is turned into one delivery per endpoint
that wants it once the transaction that caused it commits, and the background worker
POSTs it (api.tasks.deliver_webhook), retrying with the same backoff as emails.

Each delivery is a JSON body `{"id", "event", "created_at", "data"}` with headers
`X-Coworking-Event`, `X-Coworking-Delivery` and
`X-Coworking-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the
endpoint's secret>`. Receivers recompute it over the raw body and refuse a `t` far
from their clock (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request

from django.db import transaction
from django.utils import timezone

from api.models import WebhookDelivery, WebhookEndpoint
from coworking.tasks import enqueue

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10


class DeliveryFailed(Exception):
    def __init__(self, attempts: int):
        super().__init__(attempts)
        self.attempts = attempts


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def booking_data(booking) -> dict:
    return {
        "id": booking.pk,
        "member": booking.user_id,
        "building": booking.building_id,
        "desk": booking.desk_id,
        "room": booking.room_id,
        "start": _iso(booking.start),
        "end": _iso(booking.end),
        "status": booking.status,
        "checked_in_at": _iso(booking.checked_in_at),
    }


def visit_data(visit) -> dict:
    return {
        "id": visit.pk,
        "member": visit.user_id,
        "building": visit.building_id,
        "booking": visit.booking_id,
        "checked_in_at": _iso(visit.checked_in_at),
        "checked_out_at": _iso(visit.checked_out_at),
        "duration_minutes": visit.duration_minutes,
    }


def donation_data(donation) -> dict:
    return {
        "id": donation.pk,
        "member": donation.donor_id,
        "is_anonymous": donation.is_anonymous,
        "amount": str(donation.amount),
        "currency": donation.currency,
        "receipt_number": donation.receipt_number,
        "confirmed_at": _iso(donation.confirmed_at),
    }


def emit(event: str, data: dict) -> None:
    """Queue `event` for every active endpoint that wants it, once the current
    transaction commits (nothing is sent for work a rollback undid)."""

    def dispatch() -> None:
        from api.tasks import deliver_webhook

        for endpoint in WebhookEndpoint.objects.filter(is_active=True):
            if event in endpoint.events:
                delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=event, payload=data)
                enqueue(deliver_webhook, delivery.pk)

    transaction.on_commit(dispatch, robust=True)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def body_of(delivery: WebhookDelivery) -> bytes:
    document = {
        "id": delivery.pk,
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode()


def deliver(delivery_id: int) -> bool:
    """POST one delivery; False when there is nothing to do, DeliveryFailed on failure."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return False
        delivery.attempts += 1
        body = body_of(delivery)
        # The URL is http(s) only (the model's validator); staff set it in the admin.
        request = urllib.request.Request(  # noqa: S310
            delivery.endpoint.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "coworking-webhooks/1",
                "X-Coworking-Event": delivery.event,
                "X-Coworking-Delivery": str(delivery.pk),
                "X-Coworking-Signature": sign(delivery.endpoint.secret, int(time.time()), body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                delivery.last_status_code = response.status
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.last_error = ""
        except urllib.error.HTTPError as error:
            delivery.last_status_code = error.code
            delivery.last_error = f"HTTP {error.code}"
        except (OSError, ValueError) as error:  # refused, timed out, bad address
            delivery.last_status_code = None
            delivery.last_error = str(error)[:500] or type(error).__name__
        delivery.save()
    if delivery.status != WebhookDelivery.Status.DELIVERED:
        logger.warning("webhook delivery %s failed: %s", delivery.pk, delivery.last_error)
        raise DeliveryFailed(delivery.attempts)
    return True


def give_up(delivery_id: int) -> None:
    WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED
    )

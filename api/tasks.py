from __future__ import annotations

from django.tasks import task

from api import webhooks
from coworking.tasks import retry_later


@task
def deliver_webhook(delivery_id: int, request_id: str = "") -> bool:
    """POST one webhook delivery; when the receiver fails, try again later with backoff
    (TASK_MAX_ATTEMPTS tries, then the delivery shows as failed in the admin)."""
    try:
        return webhooks.deliver(delivery_id)
    except webhooks.DeliveryFailed as failure:
        if not retry_later(deliver_webhook, failure.attempts, delivery_id, request_id=request_id):
            webhooks.give_up(delivery_id)
        raise

"""Background tasks for bookings: sending their emails (see bookings.notifications)."""

from __future__ import annotations

from django.tasks import task

from bookings import notifications
from coworking.tasks import retry_later


@task
def deliver_notification(notification_id: int, request_id: str = "") -> bool:
    """Send one booking email; when the mail server fails, try again later with backoff.

    The failed try raises, so it shows as failed in the task admin with its traceback;
    the next try is already queued unless TASK_MAX_ATTEMPTS has been reached.
    """
    try:
        return notifications.deliver(notification_id)
    except notifications.DeliveryFailed as failure:
        retry_later(deliver_notification, failure.attempts, notification_id, request_id=request_id)
        raise

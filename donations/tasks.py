"""Background tasks for donations: the thank-you email with the receipt."""

from __future__ import annotations

from django.tasks import task

from coworking.tasks import retry_later
from donations.models import Donation


class ReceiptNotSent(Exception):
    """The mail server failed; the receipt is tried again later (see donations.services.send_receipt)."""


@task
def deliver_receipt(donation_id: int, attempt: int = 1, request_id: str = "") -> bool:
    """Send a confirmed donation's receipt; when the mail server fails, try again later."""
    from donations.services import send_receipt  # the services enqueue this task

    if send_receipt(donation_id):
        return True
    donation = Donation.objects.get(pk=donation_id)
    if not donation.is_confirmed or not donation.recipient_email or donation.receipt_emailed_at:
        return False  # nothing to send
    retry_later(deliver_receipt, attempt, donation_id, attempt=attempt + 1, request_id=request_id)
    raise ReceiptNotSent(f"receipt of donation {donation_id}, attempt {attempt}")

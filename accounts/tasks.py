"""Background tasks for accounts: sending the emails allauth renders (see accounts.adapter)."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.tasks import task

from coworking.tasks import retry_later


@task
def send_email(message: dict, attempt: int = 1, request_id: str = "") -> None:
    """Send a rendered message; when the mail server fails, try again later with backoff."""
    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        from_email=message["from_email"],
        to=message["to"],
        headers=message["headers"],
    )
    email.content_subtype = message["content_subtype"]
    for content, mimetype in message["alternatives"]:
        email.attach_alternative(content, mimetype)
    try:
        email.send()
    except Exception:
        retry_later(send_email, attempt, message, attempt=attempt + 1, request_id=request_id)
        raise

"""allauth's emails (sign-up confirmation, password reset) leave the request."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.utils import timezone, translation

from accounts.tasks import send_email
from coworking.tasks import enqueue


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """With SSO_ONLY, members arrive through an identity provider, never a sign-up form."""
        return not settings.SSO_ONLY

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render the message now (it needs the request), send it from the worker.

        Enqueued at once rather than on commit: the message needs no row of this
        transaction, and in the database queue the task commits or rolls back with it.
        """
        request = allauth_context.request
        context = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        message = self.render_mail(template_prefix, email, context)
        enqueue(send_email, serialize(message))

    def send_notification_mail(self, template_prefix: str, user, context=None, email=None) -> None:
        """Security emails (a new device, a changed password or second factor) in the
        member's language, whichever language the browser that caused them speaks, with
        times in their home building's zone."""
        zone = user.home_building.zone if user.home_building_id else timezone.get_current_timezone()
        with translation.override(user.language or translation.get_language()), timezone.override(zone):
            super().send_notification_mail(template_prefix, user, context, email)


def serialize(message) -> dict:
    """The parts of a rendered EmailMessage a task argument can carry (JSON)."""
    return {
        "subject": message.subject,
        "body": message.body,
        "content_subtype": message.content_subtype,
        "from_email": message.from_email,
        "to": list(message.to),
        "headers": dict(message.extra_headers),
        "alternatives": [[content, mimetype] for content, mimetype in getattr(message, "alternatives", [])],
    }

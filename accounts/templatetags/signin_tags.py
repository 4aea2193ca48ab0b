from __future__ import annotations

from allauth.mfa.models import Authenticator
from django import template
from django.conf import settings
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def second_factors(user) -> list[str]:
    """The member's second factors, for the profile's security card (one query)."""
    if not settings.MFA_SUPPORTED_TYPES:
        return []
    types = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    labels = {Authenticator.Type.TOTP: _("Authenticator app"), Authenticator.Type.WEBAUTHN: _("Passkey")}
    return [label for kind, label in labels.items() if kind in types]


@register.simple_tag
def recent_sign_ins(user) -> list:
    """The member's last sign-ins and failed tries, for the profile's security card."""
    from accounts.signins import recent_sign_ins as recent

    return recent(user)


@register.filter
def device(user_agent: str) -> str:
    """ "Chrome 140 · Linux" for a session's user agent, as the recent sign-ins show it."""
    from accounts.signins import device_label

    return device_label(user_agent or "")

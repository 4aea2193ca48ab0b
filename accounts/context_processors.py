from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def signin(request: HttpRequest) -> dict:
    """Which sign-in features are configured, for the login page and the settings tabs."""
    return {
        "MFA_ENABLED": bool(settings.MFA_SUPPORTED_TYPES),
        "SSO_ENABLED": bool(settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]),
        "SSO_ONLY": settings.SSO_ONLY,
    }

"""Signing in through an OpenID Connect provider that cannot be reached."""

from __future__ import annotations

import logging

import requests
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.openid_connect.views import login as allauth_oidc_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)


def oidc_login(request: HttpRequest, provider_id: str) -> HttpResponse:
    """allauth's provider login, which reads the provider's configuration first: when the
    provider does not answer, the visitor learns so (and may use a password) instead of
    getting an error page."""
    try:
        return allauth_oidc_login(request, provider_id)
    except requests.RequestException as error:
        logger.warning("OpenID Connect provider %s is unreachable: %s", provider_id, error)
        provider = get_adapter().get_provider(request, provider_id)
        return render(request, "socialaccount/provider_down.html", {"provider": provider}, status=503)

"""Sign-in the way organizations run it: second factor for staff, identity providers' roles."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import Group
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import User

logger = logging.getLogger(__name__)

# Pages a staff member without a second factor may still open: sign-in, sign-out and the
# enrolment itself (all of allauth), the language switch and what machines ask for.
MFA_EXEMPT_VIEWS = {"healthz", "readyz", "metrics", "accounts:set_language"}
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
STAFF_ROLE = "staff"


def needs_second_factor(user: User) -> bool:
    """Whether this user must enrol a second factor before using the site."""
    return (
        settings.MFA_REQUIRED_FOR_STAFF
        and user.is_authenticated
        and (user.is_staff or user.is_superuser)
        and not Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()
    )


class StaffMFAMiddleware:
    """With MFA_REQUIRED_FOR_STAFF, staff without a second factor are sent to enrol it from
    every page but sign-in and enrolment: the admin, the staff pages and the member pages,
    which offer staff powers too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        exempt = view_func.__module__.startswith(("allauth.", "django.views"))
        if exempt or request.resolver_match.view_name in MFA_EXEMPT_VIEWS:
            return None
        if not needs_second_factor(request.user):
            return None
        messages.warning(request, _("Staff accounts need a second factor. Set one up to continue."))
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(reverse("mfa_index"))
        return redirect("mfa_index")


class LoginForm(AllauthLoginForm):
    """allauth's login form. When the LDAP directory could not be reached (accounts.directory)
    it says so rather than "wrong password"; local accounts sign in all the same. With
    SSO_ONLY it lets only superusers in with a password."""

    def clean(self):
        try:
            cleaned_data = super().clean()
        except forms.ValidationError:
            if getattr(self.request, "directory_unreachable", False):
                raise forms.ValidationError(
                    _("The directory cannot be reached right now, so directory accounts cannot sign in.")
                ) from None
            raise
        # With SSO_ONLY only administrators keep a password, for when the provider is down.
        if settings.SSO_ONLY and not self.user.is_superuser:
            raise forms.ValidationError(_("Sign in with your organization's account."))
        return cleaned_data


def apply_roles(user: User, values: Iterable[str], roles: dict[str, str]) -> None:
    """Give the user the roles the identity provider grants and take away the mapped ones it
    no longer grants: `roles` maps a claim or directory group value to "staff" or to the
    name of a role's group. Without a mapping the site decides roles itself."""
    if not roles:
        return
    granted = {roles[value] for value in values if value in roles}
    managed = {role for role in roles.values() if role != STAFF_ROLE}
    groups = {group.name: group for group in Group.objects.filter(name__in=managed)}
    for missing in managed - groups.keys():
        logger.warning("role %r has no group of that name", missing)
    user.groups.remove(*(group for name, group in groups.items() if name not in granted))
    user.groups.add(*(group for name, group in groups.items() if name in granted))
    is_staff = bool(granted) or user.is_superuser
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


def provider_claims(sociallogin) -> dict:
    """The claims of the ID token and the userinfo answer (the latter wins)."""
    data = sociallogin.account.extra_data or {}
    if "id_token" not in data and "userinfo" not in data:
        return data
    return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Members from an OpenID Connect provider: name from the claims, roles from a claim."""

    def populate_user(self, request, sociallogin, data) -> User:
        user = super().populate_user(request, sociallogin, data)
        claims = provider_claims(sociallogin)
        name = claims.get("name") or " ".join(
            part for part in (claims.get("given_name"), claims.get("family_name")) if part
        )
        user.full_name = (name or user.email.split("@")[0])[:150]
        user.language = request.LANGUAGE_CODE
        return user

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return True


def sync_provider_roles(sender, request, user, sociallogin=None, **kwargs) -> None:
    """After every sign-in through a provider: its roles claim decides the mapped roles."""
    if sociallogin is None:
        return
    app_settings = sociallogin.account.get_provider().app.settings or {}
    claim = app_settings.get("roles_claim")
    if not claim:
        return
    values = provider_claims(sociallogin).get(claim) or []
    if isinstance(values, str):
        values = [values]
    apply_roles(sociallogin.user, values, app_settings.get("roles") or {})

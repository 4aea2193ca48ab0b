"""Sign-in against an LDAP / Active Directory (django-auth-ldap), with the email address
members type on the login form. Loaded only when LDAP_SERVER_URI is set."""

from __future__ import annotations

import ldap
from allauth.account.models import EmailAddress
from django.conf import settings
from django_auth_ldap.backend import LDAPBackend as BaseLDAPBackend
from django_auth_ldap.backend import ldap_error

from accounts.models import normalize_email
from accounts.signin import apply_roles

UNREACHABLE = (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.CONNECT_ERROR)


class LDAPBackend(BaseLDAPBackend):
    """The directory decides who may sign in (LDAP_USER_FILTER: a locked or removed entry
    finds no one), their name and email (LDAP_ATTR_MAP) and, with LDAP_ROLES, their roles.
    Members it creates have no local password, so a removed entry cannot sign in at all."""

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        return super().authenticate(request, username=username or email, password=password, **kwargs)

    def ldap_to_django_username(self, username: str) -> str:
        return normalize_email(username)

    def authenticate_ldap_user(self, ldap_user, password):
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is not None:
            apply_roles(user, ldap_user.group_names, settings.LDAP_ROLES)
            # The directory vouches for the address, as a provider's email_verified does.
            if not EmailAddress.objects.filter(email__iexact=user.email).exclude(user=user).exists():
                EmailAddress.objects.update_or_create(
                    user=user, email=user.email, defaults={"verified": True, "primary": True}
                )
        return user


def remember_unreachable_directory(sender, context, user, request=None, exception=None, **kwargs) -> None:
    """The login form says "the directory is unreachable" instead of "wrong password"."""
    if request is not None and isinstance(exception, UNREACHABLE):
        request.directory_unreachable = True


ldap_error.connect(remember_unreachable_directory, dispatch_uid="accounts.directory.unreachable")

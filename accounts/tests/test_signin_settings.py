"""Sign-in configuration: SSO-only mode and the environment variables that set providers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from coworking.settings import envmap, oidc_apps

ISSUER = "https://sso.example.org/realms/coworking"


@pytest.fixture
def sso_only(settings):
    settings.SSO_ONLY = True
    app = {"provider_id": "corp", "name": "Corp SSO", "client_id": "c", "secret": "s"}
    app["settings"] = {"server_url": ISSUER}
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": [app]}}


@pytest.mark.django_db
def test_sso_only_hides_password_login_and_sign_up(client, sso_only):
    page = client.get(reverse("account_login")).content.decode()
    assert "Войдите с учётной записью вашей организации." in page
    assert 'action="/accounts/oidc/corp/login/?process=login"' in page
    assert "Войти через Corp SSO" in page
    assert "Администраторам: вход по паролю" in page
    assert "зарегистрируйтесь" not in page
    response = client.get(reverse("account_signup"))
    assert "Регистрация закрыта" in response.content.decode()


@pytest.mark.django_db
def test_sso_only_refuses_members_passwords_but_not_a_superusers(client, sso_only, member, staff, password):
    response = client.post(reverse("account_login"), {"login": member.email, "password": password})
    assert response.status_code == 200
    assert "Войдите с учётной записью вашей организации." in response.content.decode()
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("account_login"), {"login": staff.email, "password": password})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_providers_come_from_the_environment(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("OIDC_KEYCLOAK_NAME", "Keycloak")
    monkeypatch.setenv("OIDC_KEYCLOAK_ISSUER", ISSUER)
    monkeypatch.setenv("OIDC_KEYCLOAK_CLIENT_ID", "coworking")
    monkeypatch.setenv("OIDC_KEYCLOAK_CLIENT_SECRET_FILE", str(secret))
    monkeypatch.setenv("OIDC_KEYCLOAK_ROLES_CLAIM", "groups")
    monkeypatch.setenv("OIDC_KEYCLOAK_ROLES", "coworking-desk=Front desk, coworking-managers=Manager")
    assert oidc_apps(["keycloak"]) == [
        {
            "provider_id": "keycloak",
            "name": "Keycloak",
            "client_id": "coworking",
            "secret": "s3cret",
            "settings": {
                "server_url": ISSUER,
                "token_auth_method": "client_secret_basic",
                "scope": ["openid", "profile", "email"],
                "roles_claim": "groups",
                "roles": {"coworking-desk": "Front desk", "coworking-managers": "Manager"},
            },
        }
    ]
    monkeypatch.delenv("OIDC_KEYCLOAK_ISSUER")
    with pytest.raises(ImproperlyConfigured, match="OIDC_KEYCLOAK_ISSUER"):
        oidc_apps(["keycloak"])


def test_a_role_map_without_a_role_is_refused(monkeypatch):
    monkeypatch.setenv("LDAP_ROLES", "coworking-staff")
    with pytest.raises(ImproperlyConfigured, match="LDAP_ROLES"):
        envmap("LDAP_ROLES")

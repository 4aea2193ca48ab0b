"""Passkeys (WebAuthn) through Chromium's virtual authenticator (DevTools WebAuthn domain)."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def authenticator(page: Page) -> str:
    """A platform authenticator with user verification (a phone or laptop with a PIN)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    page.cdp = cdp
    return added["authenticatorId"]


def _url(live_server, name: str) -> str:
    # WebAuthn refuses an IP address as the site's identity: the browser goes to "localhost".
    return live_server.url.replace("127.0.0.1", "localhost") + reverse(name)


def _submit(page: Page) -> None:
    page.locator("main form.form button[type=submit]").first.click()


def test_member_adds_a_passkey_then_signs_in_with_it_alone(
    page: Page, live_server, member, password, authenticator, artifacts_dir
):
    page.goto(_url(live_server, "account_login"))
    page.fill("input[name=login]", member.email)
    page.fill("input[name=password]", password)
    _submit(page)
    expect(page.get_by_test_id("logout")).to_be_visible()

    page.goto(_url(live_server, "mfa_add_webauthn"))
    page.fill("input[name=password]", password)  # adding a key asks for the password again
    _submit(page)
    page.fill("input[name=name]", "Ноутбук")
    page.check("input[name=passwordless]")
    page.screenshot(path=artifacts_dir / "passkey-add.png", full_page=True)
    page.locator("#mfa_webauthn_add").click()

    # The first key comes with recovery codes, as an authenticator app does.
    expect(page.locator("#recovery_codes")).to_be_visible()
    key = Authenticator.objects.get(user=member, type=Authenticator.Type.WEBAUTHN)
    assert (key.wrap().name, key.wrap().is_passwordless) == ("Ноутбук", True)
    credentials = page.cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(credentials) == 1

    page.get_by_test_id("logout").click()
    page.goto(_url(live_server, "account_login"))
    page.screenshot(path=artifacts_dir / "passkey-login.png", full_page=True)
    page.get_by_role("button", name="Войти с ключом доступа").click()
    expect(page.get_by_test_id("logout")).to_be_visible()
    page.goto(_url(live_server, "accounts:profile"))
    expect(page.locator("h1.card-title")).to_have_text(member.full_name)
    # Recent sign-ins: the password, then the passkey alone.
    expect(page.get_by_test_id("recent-sign-ins").locator("tbody tr td:nth-child(4)")).to_have_text(
        ["Ключ доступа", "Пароль"]
    )


def test_a_password_login_asks_for_the_passkey_as_second_factor(
    page: Page, live_server, member, password, authenticator
):
    page.goto(_url(live_server, "account_login"))
    page.fill("input[name=login]", member.email)
    page.fill("input[name=password]", password)
    _submit(page)
    page.goto(_url(live_server, "mfa_add_webauthn"))
    page.fill("input[name=password]", password)
    _submit(page)
    page.fill("input[name=name]", "Ключ")
    page.locator("#mfa_webauthn_add").click()
    expect(page.locator("#recovery_codes")).to_be_visible()
    page.get_by_test_id("logout").click()

    page.goto(_url(live_server, "account_login"))
    page.fill("input[name=login]", member.email)
    page.fill("input[name=password]", password)
    _submit(page)
    expect(page).to_have_url(_url(live_server, "mfa_authenticate"))
    expect(page.get_by_test_id("logout")).to_have_count(0)
    page.locator("#mfa_webauthn_authenticate").click()
    expect(page.get_by_test_id("logout")).to_be_visible()

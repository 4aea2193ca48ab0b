"""Single sign-on through OpenID Connect, against a real provider (oidc-provider from npm)
on loopback, through Chromium."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.csp import CSP
from playwright.sync_api import Page, expect

from accounts.models import SignIn, User
from accounts.tests.factories import UserFactory
from accounts.tests.idp import OIDCProvider
from coworking.settings import oidc_origins
from tools.testenv import free_port

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROVIDER_ID = "corp"
IDP_PASSWORD = "idp-password"
ACCOUNTS = {
    "ivan": {
        "password": IDP_PASSWORD,
        "claims": {
            "email": "Ivan.Petrov@corp.example",
            "email_verified": True,
            "name": "Иван Петров",
            "groups": ["coworking-desk", "everyone"],
        },
    },
    "anna": {
        "password": IDP_PASSWORD,
        "claims": {"email": "anna@example.org", "email_verified": True, "name": "Anna P.", "groups": []},
    },
    # Claims someone else's address without the provider having verified it.
    "mallory": {
        "password": IDP_PASSWORD,
        "claims": {"email": "victim@example.org", "email_verified": False, "name": "Mallory", "groups": []},
    },
}


@pytest.fixture(scope="module")
def idp(live_server, tmp_path_factory):
    callback = reverse("openid_connect_callback", kwargs={"provider_id": PROVIDER_ID})
    provider = OIDCProvider(
        tmp_path_factory.mktemp("oidc"),
        client={
            "client_id": "coworking",
            "client_secret": "coworking-secret",
            "redirect_uris": [live_server.url + callback],
        },
        accounts=ACCOUNTS,
    )
    provider.start()
    yield provider
    provider.stop()


def _app(issuer: str) -> dict:
    return {
        "provider_id": PROVIDER_ID,
        "name": "Corp SSO",
        "client_id": "coworking",
        "secret": "coworking-secret",
        "settings": {
            "server_url": issuer,
            "token_auth_method": "client_secret_basic",
            "roles_claim": "groups",
            "roles": {"coworking-desk": "Front desk", "coworking-admins": "staff"},
        },
    }


def _configure(settings, issuer: str) -> None:
    """What OIDC_PROVIDERS=corp and OIDC_CORP_* would configure."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": [_app(issuer)]}
    }
    settings.SECURE_CSP = {
        **settings.SECURE_CSP,
        "form-action": [CSP.SELF, *oidc_origins(settings.SOCIALACCOUNT_PROVIDERS)],
    }


@pytest.fixture
def sso(idp, settings):
    _configure(settings, idp.issuer)
    return idp


def _sign_in_at_idp(page: Page, live_server, login: str, decision: str = "Allow") -> None:
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_role("button", name="Войти через Corp SSO").click()
    expect(page.locator("h1")).to_have_text("Test IdP sign-in")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", IDP_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Test IdP consent")
    page.get_by_role("button", name=decision).click()


def test_first_sign_in_creates_the_member_from_the_claims_with_the_mapped_role(
    page: Page, live_server, sso, artifacts_dir
):
    desk = Group.objects.get(name="Front desk")  # a role of staff.roles
    page.goto(live_server.url + reverse("account_login"))
    page.screenshot(path=artifacts_dir / "sso-login.png", full_page=True)
    _sign_in_at_idp(page, live_server, "ivan")

    expect(page.get_by_test_id("logout")).to_be_visible()
    user = User.objects.get()
    assert (user.email, user.full_name, user.is_staff) == ("ivan.petrov@corp.example", "Иван Петров", True)
    assert list(user.groups.all()) == [desk]
    assert list(SocialAccount.objects.values_list("user", "provider", "uid")) == [
        (user.pk, PROVIDER_ID, "ivan")
    ]
    assert user.emailaddress_set.get().verified is True

    page.get_by_test_id("logout").click()
    expect(page.get_by_role("banner").get_by_role("link", name="Войти")).to_be_visible()
    # The role left the directory: the next sign-in takes it away.
    ivan = ACCOUNTS["ivan"]
    sso.set_accounts({**ACCOUNTS, "ivan": {**ivan, "claims": {**ivan["claims"], "groups": ["everyone"]}}})
    try:
        # oidc-provider remembers the session and the consent: straight back to the site.
        page.goto(live_server.url + reverse("account_login"))
        page.get_by_role("button", name="Войти через Corp SSO").click()
        expect(page.get_by_test_id("logout")).to_be_visible()
    finally:
        sso.set_accounts(ACCOUNTS)
    user.refresh_from_db()
    assert (User.objects.count(), user.is_staff, list(user.groups.all())) == (1, False, [])
    # The profile's recent sign-ins name the provider.
    assert [s.method_label for s in SignIn.objects.all()] == ["Corp SSO", "Corp SSO"]


def test_a_verified_email_links_the_existing_member(page: Page, live_server, sso, password):
    anna = UserFactory(email="anna@example.org", full_name="Анна Петрова", password=password)
    _sign_in_at_idp(page, live_server, "anna")

    expect(page.get_by_test_id("logout")).to_be_visible()
    assert User.objects.get() == anna
    anna.refresh_from_db()
    assert anna.full_name == "Анна Петрова"  # her own name stays
    assert list(SocialAccount.objects.values_list("user", "uid")) == [(anna.pk, "anna")]


def test_an_unverified_email_never_signs_in_as_the_member_who_owns_it(
    page: Page, live_server, sso, artifacts_dir
):
    victim = UserFactory(email="victim@example.org")
    _sign_in_at_idp(page, live_server, "mallory")
    # allauth asks for the sign-up details instead; the address stays taken.
    page.fill("input[name=full_name]", "Mallory")
    page.locator("main form.form button[type=submit]").click()
    expect(page.locator(".field-error")).to_contain_text(
        "Учетная запись с таким адресом электронной почты уже существует."
    )
    page.screenshot(path=artifacts_dir / "sso-unverified.png", full_page=True)

    expect(page.get_by_test_id("logout")).to_have_count(0)
    assert not SocialAccount.objects.filter(user=victim).exists()
    assert User.objects.get() == victim


def test_denied_consent_leaves_the_visitor_signed_out_with_a_message(
    page: Page, live_server, sso, artifacts_dir
):
    _sign_in_at_idp(page, live_server, "ivan", decision="Deny")
    expect(page.locator("main")).to_contain_text("Авторизация отменена")
    page.screenshot(path=artifacts_dir / "sso-denied.png", full_page=True)
    expect(page.get_by_test_id("logout")).to_have_count(0)
    assert User.objects.count() == 0


def test_a_provider_that_is_down_says_so_and_password_login_still_works(
    page: Page, live_server, settings, member, password, artifacts_dir
):
    dead = f"http://127.0.0.1:{free_port()}"
    _configure(settings, dead)
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_role("button", name="Войти через Corp SSO").click()
    expect(page.locator("main")).to_contain_text("Corp SSO сейчас не отвечает")
    page.screenshot(path=artifacts_dir / "sso-down.png", full_page=True)

    page.goto(live_server.url + reverse("account_login"))
    page.fill("input[name=login]", member.email)
    page.fill("input[name=password]", password)
    page.locator("main form.form button[type=submit]").first.click()
    expect(page.get_by_test_id("logout")).to_be_visible()

"""Two-factor sign-in: authenticator app codes (computed here, RFC 6238), recovery codes,
the rate limit on code attempts, and staff who must enrol a second factor."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import struct
import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import SignIn
from accounts.tests.factories import UserFactory

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp(secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows (RFC 6238: HMAC-SHA1, 30 s, 6 digits)."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


@pytest.fixture(autouse=True)
def start_of_a_code_period():
    """Each test starts a second into a fresh 30 s period, so the code it computes is
    still the server's current one: a code taken at 29.9 s and checked at 30.0 s fails,
    as the server accepts only the current period."""
    now = time.time()
    with time_machine.travel(now - now % 30 + 31, tick=True):
        yield


def test_totp_matches_the_rfc_6238_test_vector():
    # RFC 6238 appendix B, SHA-1 secret "12345678901234567890", T = 59 s: 94287082 (8 digits).
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, at=59) == "287082"


def _with_totp(user, secret: str = SECRET) -> list[str]:
    TOTP.activate(user, secret)
    return RecoveryCodes.activate(user).get_unused_codes()


def _password_step(client, user, password: str) -> None:
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


def _code_step(client, code: str):
    return client.post(reverse("mfa_authenticate"), {"code": code})


@pytest.mark.django_db
def test_login_with_totp_asks_for_the_code_after_the_password(client, member, password):
    _with_totp(member)
    _password_step(client, member, password)

    response = _code_step(client, "000000" if totp(SECRET) != "000000" else "111111")
    assert response.status_code == 200
    assert "Неверный код." in response.content.decode()
    assert "_auth_user_id" not in client.session

    response = _code_step(client, totp(SECRET))
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)
    assert [s.method_label for s in SignIn.objects.all()] == ["Пароль + второй фактор"]


@pytest.mark.django_db
def test_recovery_codes_work_once_each_until_exhausted(client, member, password, settings):
    settings.MFA_RECOVERY_CODE_COUNT = 3
    codes = _with_totp(member)
    assert len(codes) == 3
    for code in codes:
        _password_step(client, member, password)
        assert _code_step(client, code).status_code == 302
        assert client.session["_auth_user_id"] == str(member.pk)
        client.logout()

    # Every code is spent: none of them opens the account again.
    _password_step(client, member, password)
    response = _code_step(client, codes[0])
    assert response.status_code == 200
    assert "Неверный код." in response.content.decode()
    assert "_auth_user_id" not in client.session
    recovery = Authenticator.objects.get(user=member, type=Authenticator.Type.RECOVERY_CODES)
    assert recovery.wrap().get_unused_codes() == []


@pytest.mark.django_db
def test_code_attempts_are_rate_limited(client, member, password):
    _with_totp(member)
    _password_step(client, member, password)
    wrong = "000000" if totp(SECRET) != "000000" else "111111"
    for _ in range(5):
        assert "Неверный код." in _code_step(client, wrong).content.decode()

    # The sixth try is refused even with the right code.
    response = _code_step(client, totp(SECRET))
    assert response.status_code == 200
    assert "Слишком много неудачных попыток входа" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_staff_without_a_second_factor_are_sent_to_enrol(client, staff, member, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client.force_login(staff)
    for url in (reverse("admin:index"), reverse("visits:front_desk"), reverse("home")):
        response = client.get(url)
        assert (response.status_code, response.url) == (302, reverse("mfa_index")), url
    assert client.get(reverse("mfa_index")).status_code == 200
    # Enrolment asks for the password again (force_login left no sign-in time), not for MFA.
    response = client.get(reverse("mfa_activate_totp"))
    assert (response.status_code, response.url.split("?")[0]) == (302, reverse("account_reauthenticate"))
    assert client.get(response.url).status_code == 200
    response = client.get(reverse("visits:front_desk"), headers={"HX-Request": "true"})
    assert (response.status_code, response["HX-Redirect"]) == (200, reverse("mfa_index"))

    _with_totp(staff)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("visits:front_desk")).status_code == 200

    # Members are never asked; nor is staff while the switch is off.
    client.force_login(member)
    assert client.get(reverse("home")).status_code == 200
    settings.MFA_REQUIRED_FOR_STAFF = False
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:index")).status_code == 200


# Committed as in production, where allauth sends the email once the enrolment commits.
@pytest.mark.django_db(transaction=True)
def test_enrolling_an_authenticator_app_emails_the_member(client, member, password, settings, mailoutbox):
    settings.ACCOUNT_EMAIL_NOTIFICATIONS = True
    client.post(reverse("account_login"), {"login": member.email, "password": password})
    client.post(reverse("account_reauthenticate"), {"password": password})
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp(secret)})
    assert (response.status_code, response.url) == (302, reverse("mfa_view_recovery_codes"))
    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([member.email], "[Коворкинг] Активировано приложение для проверки подлинности")
    ]


@pytest.mark.django_db
def test_profile_security_card_names_the_second_factors(client, member):
    client.force_login(member)
    assert _security_status(client) == "Выключена"
    _with_totp(member)
    assert _security_status(client) == "Приложение-аутентификатор"


def _security_status(client) -> str:
    page = client.get(reverse("accounts:profile")).content.decode()
    return re.search(r'data-testid="mfa-status">([^<]*)<', page)[1]


def _submit(page: Page) -> None:
    page.locator("main form.form button[type=submit]").first.click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_enrol_an_authenticator_app_then_sign_in_with_its_code(
    page: Page, live_server, staff, password, settings, artifacts_dir
):
    settings.MFA_REQUIRED_FOR_STAFF = True
    page.goto(f"{live_server.url}{reverse('account_login')}?next={reverse('admin:index')}")
    page.fill("input[name=login]", staff.email)
    page.fill("input[name=password]", password)
    _submit(page)

    # The admin sends staff without a second factor to enrol one.
    expect(page).to_have_url(live_server.url + reverse("mfa_index"))
    expect(page.locator(".alert-warning")).to_have_text(
        "Для учётных записей сотрудников нужен второй фактор. Настройте его, чтобы продолжить."
    )
    page.screenshot(path=artifacts_dir / "mfa-required.png", full_page=True)
    page.get_by_role("link", name="Активировать").click()
    # Enrolment asks for the password once more.
    page.fill("input[name=password]", password)
    _submit(page)
    expect(page.locator("img.qr-code")).to_be_visible()
    secret = page.locator("#authenticator_secret").input_value()
    page.fill("input[name=code]", totp(secret))
    page.screenshot(path=artifacts_dir / "mfa-totp-activate.png", full_page=True)
    _submit(page)

    # Recovery codes are shown right after enrolment.
    codes = re.findall(r"\d{8}", page.locator("#recovery_codes").input_value())
    assert len(codes) == 10
    assert codes == Authenticator.objects.get(user=staff, type="recovery_codes").wrap().get_unused_codes()
    page.screenshot(path=artifacts_dir / "mfa-recovery-codes.png", full_page=True)
    page.goto(live_server.url + reverse("admin:index"))
    expect(page.locator("#site-name")).to_be_visible()

    page.goto(live_server.url + reverse("home"))
    page.get_by_test_id("logout").click()
    page.goto(f"{live_server.url}{reverse('account_login')}?next={reverse('admin:index')}")
    page.fill("input[name=login]", staff.email)
    page.fill("input[name=password]", password)
    _submit(page)
    expect(page).to_have_url(live_server.url + reverse("mfa_authenticate"))
    # A code is good once: the one used to enrol is spent, so take the next period's.
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30), tick=True):
        page.fill("input[name=code]", totp(secret))
        page.screenshot(path=artifacts_dir / "mfa-authenticate.png", full_page=True)
        _submit(page)
        expect(page.locator("#site-name")).to_be_visible()
    assert page.url == live_server.url + reverse("admin:index")

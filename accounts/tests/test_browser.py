from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-and-unusual-passphrase-7"


def _submit(page: Page) -> None:
    page.locator("main form.form button[type=submit]").click()


def test_member_signs_up_logs_in_switches_language_and_logs_out(page: Page, live_server, artifacts_dir):
    page.goto(live_server.url + reverse("account_signup"))
    expect(page.locator("h1")).to_have_text("Зарегистрируйтесь")
    page.fill("input[name=email]", "anna@example.org")
    page.fill("input[name=full_name]", "Анна Петрова")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.screenshot(path=artifacts_dir / "accounts-signup.png", full_page=True)
    _submit(page)

    expect(page.locator("h1")).to_have_text("Здравствуйте, Анна!")
    assert User.objects.get().full_name == "Анна Петрова"

    page.get_by_test_id("logout").click()
    expect(page.get_by_role("banner").get_by_role("link", name="Войти")).to_be_visible()

    page.goto(live_server.url + reverse("account_login"))
    page.fill("input[name=login]", "ANNA@example.org")
    page.fill("input[name=password]", PASSWORD)
    _submit(page)
    expect(page.locator("h1")).to_have_text("Здравствуйте, Анна!")
    page.screenshot(path=artifacts_dir / "accounts-home.png", full_page=True)

    page.get_by_role("link", name="Профиль").first.click()
    expect(page.get_by_test_id("karma")).to_have_text("0")
    expect(page.locator("h2.section-title").first).to_have_text("Ваши данные")
    page.screenshot(path=artifacts_dir / "accounts-profile-ru.png", full_page=True)

    page.get_by_test_id("lang-en").click()
    expect(page.locator("h2.section-title").first).to_have_text("Your details")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert User.objects.get().language == "en"
    page.screenshot(path=artifacts_dir / "accounts-profile-en.png", full_page=True)

    page.get_by_test_id("lang-ru").click()
    expect(page.locator("h2.section-title").first).to_have_text("Ваши данные")
    assert User.objects.get().language == "ru"

    page.get_by_test_id("logout").click()
    expect(page.get_by_role("banner").get_by_role("link", name="Войти")).to_be_visible()
    page.goto(live_server.url + reverse("accounts:profile"))
    expect(page).to_have_url(
        f"{live_server.url}{reverse('account_login')}?next={reverse('accounts:profile')}"
    )


def test_profile_fits_a_phone_screen(page: Page, live_server, artifacts_dir, member):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + reverse("account_login"))
    page.fill("input[name=login]", member.email)
    page.fill("input[name=password]", "correct-horse-battery-staple")
    _submit(page)
    page.goto(live_server.url + reverse("accounts:profile"))
    expect(page.get_by_test_id("karma")).to_be_visible()
    # Nothing sticks out sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=artifacts_dir / "accounts-profile-phone.png", full_page=True)

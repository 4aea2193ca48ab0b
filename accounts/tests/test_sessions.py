"""A member's signed-in devices: listed on the "Sessions" tab, the others signed out from it."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db

FIREFOX_ON_A_PHONE = "Mozilla/5.0 (Android 14; Mobile; rv:140.0) Gecko/140.0 Firefox/140.0"
CHROME_ON_A_LAPTOP = "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0"


def _log_in(member, password: str, browser: str) -> Client:
    client = Client(headers={"user-agent": browser})
    response = client.post(reverse("account_login"), {"login": member.email, "password": password})
    assert response.status_code == 302
    return client


def test_member_sees_their_sessions_and_signs_the_others_out(member, password, staff):
    phone = _log_in(member, password, FIREFOX_ON_A_PHONE)
    laptop = _log_in(member, password, CHROME_ON_A_LAPTOP)
    _log_in(staff, password, "Someone else's browser")

    page = laptop.get(reverse("usersessions_list"))
    current = laptop.session.session_key
    assert [(s.user_agent, s.session_key == current) for s in page.context["sessions"]] == [
        (FIREFOX_ON_A_PHONE, False),
        (CHROME_ON_A_LAPTOP, True),
    ]
    html = page.content.decode()
    assert "Выйти из других сеансов" in html
    # Each browser by name, its whole user agent on hover.
    assert re.findall(r'<span title="(Mozilla[^"]*)">([^<]*)</span>', html) == [
        (FIREFOX_ON_A_PHONE, "Firefox Mobile 140 · Android"),
        (CHROME_ON_A_LAPTOP, "Chrome 140 · Linux"),
    ]

    assert laptop.post(reverse("usersessions_list")).status_code == 302
    assert "_auth_user_id" not in phone.session
    assert phone.get(reverse("accounts:profile")).status_code == 302
    assert laptop.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sessions_page_fits_a_phone(page, live_server, log_in, member, artifacts_dir):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, member, reverse("usersessions_list"))
    assert page.locator("main table tbody tr").count() == 1
    # Nothing sticks out sideways on a phone (the settings tabs scroll within themselves),
    # and each session folds into a block: nothing of it is hidden in a sideways scroll.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    badge = page.locator(".session-current .badge").bounding_box()
    assert badge["x"] + badge["width"] <= 390
    expect(page.locator(".session-ip")).to_be_in_viewport()
    page.screenshot(path=artifacts_dir / "sessions-phone.png", full_page=True)

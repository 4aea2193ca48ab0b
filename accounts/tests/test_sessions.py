"""A member's signed-in devices: listed on the "Sessions" tab, the others signed out from it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _log_in(member, password: str, browser: str) -> Client:
    client = Client(headers={"user-agent": browser})
    response = client.post(reverse("account_login"), {"login": member.email, "password": password})
    assert response.status_code == 302
    return client


def test_member_sees_their_sessions_and_signs_the_others_out(member, password, staff):
    phone = _log_in(member, password, "Mozilla/5.0 (Linux; Android 14) Firefox/140.0")
    laptop = _log_in(member, password, "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0")
    _log_in(staff, password, "Someone else's browser")

    page = laptop.get(reverse("usersessions_list"))
    current = laptop.session.session_key
    assert [(s.user_agent, s.session_key == current) for s in page.context["sessions"]] == [
        ("Mozilla/5.0 (Linux; Android 14) Firefox/140.0", False),
        ("Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0", True),
    ]
    assert "Выйти из других сеансов" in page.content.decode()

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
    # Nothing sticks out sideways on a phone (the settings tabs scroll within themselves).
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=artifacts_dir / "sessions-phone.png", full_page=True)

"""A member who follows a staff link or a dead link sees the site, not a bare error."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def test_member_meets_the_staff_and_missing_pages(page: Page, live_server, log_in, member, artifacts_dir):
    log_in(page, member)
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)

        page.goto(live_server.url + reverse("visits:statistics"))
        expect(page.locator("h1")).to_have_text("Эта страница для сотрудников")
        expect(page.get_by_test_id("logout")).to_be_attached()
        page.screenshot(path=artifacts_dir / f"errors-403-{size}.png", full_page=True)

        page.goto(live_server.url + "/no-such-page/")
        expect(page.locator("h1")).to_have_text("Страница не найдена")
        page.screenshot(path=artifacts_dir / f"errors-404-{size}.png", full_page=True)

    page.get_by_role("link", name="На главную").click()
    expect(page).to_have_url(live_server.url + reverse("home"))

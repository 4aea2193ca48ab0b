"""The donors wall in a real Chromium: a long wall pages newer and older, on a phone too."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.tests.factories import UserFactory
from donations.tests.factories import MonthlyGoalFactory, confirmed_donation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def test_the_wall_pages_newer_and_older(page: Page, log_in, live_server, artifacts_dir, member):
    MonthlyGoalFactory()
    donor = UserFactory(full_name="Вера Щедрая", visible_to_members=True)
    for n in range(23):
        confirmed_donation(donor=donor, message=f"Спасибо за кофе №{n}")
    log_in(page, member, reverse("donations:wall"))

    expect(page.get_by_test_id("wall-item")).to_have_count(20)
    expect(page.locator("nav.pagination")).to_have_text("Старше →")
    page.screenshot(path=artifacts_dir / "donations-wall-pages.png", full_page=True)

    page.get_by_role("link", name="Старше →").click()
    assert page.url.endswith("?page=2")
    expect(page.get_by_test_id("wall-item")).to_have_count(3)
    expect(page.locator("nav.pagination")).to_have_text("← Новее")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=artifacts_dir / "donations-wall-pages-phone.png", full_page=True)

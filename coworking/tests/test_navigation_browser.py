"""The header on a 360 px phone, in a real Chromium: the five sections and the staff
links fold behind buttons (nothing scrolls sideways), a skip link comes first, and the
focus is visible."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NARROW = {"width": 360, "height": 740}


def test_menu_and_staff_links_fold_on_a_phone(page: Page, log_in, artifacts_dir, staff):
    log_in(page, staff, reverse("bookings:mine"))
    page.set_viewport_size(NARROW)
    page.reload()

    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    sections = page.get_by_role("navigation", name="Основное меню")
    expect(sections).to_be_hidden()
    page.screenshot(path=artifacts_dir / "nav-phone-closed.png")
    page.get_by_test_id("menu-toggle").click()
    expect(sections).to_be_visible()
    expect(sections.get_by_role("link")).to_have_count(5)
    expect(page.get_by_test_id("menu-toggle")).to_have_attribute("aria-expanded", "true")
    staff_button = page.get_by_role("button", name="Страницы персонала")
    staff_button.click()
    expect(page.locator("#staff-links").get_by_role("link", name="Администрирование")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    page.screenshot(path=artifacts_dir / "nav-phone-open.png", full_page=True)
    page.keyboard.press("Escape")
    expect(sections).to_be_hidden()


def test_skip_link_comes_first_and_focus_shows(page: Page, log_in, member):
    log_in(page, member, reverse("bookings:mine"))
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Перейти к содержимому")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    assert focused.evaluate("element => element.closest('main') !== null")
    assert focused.evaluate("element => getComputedStyle(element).outlineStyle") == "solid"

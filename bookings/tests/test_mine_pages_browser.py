"""My bookings in a real Chromium: a long history pages newer and older, on a phone too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from bookings.tests.factories import BookingFactory, DeskFactory, local, tomorrow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def test_my_bookings_page_through_both_lists(page: Page, log_in, live_server, artifacts_dir, member):
    desk = DeskFactory(
        label="A-7", room__name="Большой опенспейс", room__building__name="Коворкинг на Покровке"
    )
    building = desk.room.building
    day = tomorrow(building)
    for n in range(23):
        for when in (day + dt.timedelta(days=n), day - dt.timedelta(days=3 + n)):
            BookingFactory(
                user=member, desk=desk, start=local(building, when, 10), end=local(building, when, 13)
            )
    log_in(page, member, reverse("bookings:mine"))

    upcoming = page.get_by_test_id("upcoming-pages")
    history = page.get_by_test_id("history-pages")
    expect(page.get_by_test_id("upcoming-booking")).to_have_count(20)
    expect(upcoming).to_have_text("Позже →")
    expect(history).to_have_text("Старше →")
    page.screenshot(path=artifacts_dir / "bookings-mine-pages.png", full_page=True)

    history.get_by_role("link", name="Старше →").click()
    expect(page.get_by_test_id("history").locator("tbody tr")).to_have_count(3)
    upcoming.get_by_role("link", name="Позже →").click()
    # Each list moved on its own; the other kept its page.
    assert page.url.endswith("?page=2&upcoming=2")
    expect(page.get_by_test_id("upcoming-booking")).to_have_count(3)
    expect(upcoming).to_have_text("← Раньше")
    expect(history).to_have_text("← Новее")

    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=artifacts_dir / "bookings-mine-pages-phone.png", full_page=True)

    page.goto(live_server.url + reverse("bookings:mine") + "?page=9")
    expect(page.get_by_test_id("past-the-end")).to_have_text("На этой странице ничего нетК первой странице")
    page.get_by_role("link", name="К первой странице").click()
    expect(page.get_by_test_id("history").locator("tbody tr")).to_have_count(20)

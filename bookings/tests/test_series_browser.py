"""A member's series page in a real Chromium: cancel one date, the rest, extend it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from bookings import services
from bookings.models import BookingSeries
from bookings.tests.factories import BuildingFactory, DeskFactory, OpenSpaceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOW = dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC)  # Monday, 12:00 in Moscow
AXE = Axe()
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
TEXTS = {
    "ru": {
        "cancelled_one": "Отменено 1 бронирование серии.",
        "cancelled_rest": "Отменено 3 бронирования серии.",
        "until": "До даты (включительно)",
        "extended": "Серия продлена. Забронировано: 2, пропущено: 0.",
    },
    "en": {
        "cancelled_one": "1 booking of the series cancelled.",
        "cancelled_rest": "3 bookings of the series cancelled.",
        "until": "Until (inclusive)",
        "extended": "Series extended. Booked: 2, skipped: 0.",
    },
}


def _shoot(page: Page, path, size: dict) -> None:
    """A screenshot at this size, after checking the page fits it and that axe-core finds
    nothing serious or critical."""
    page.set_viewport_size(size)
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    violations = AXE.run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in {"serious", "critical"}] == []
    page.screenshot(path=path, full_page=True)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_member_cancels_a_date_extends_and_cancels_the_rest_of_a_series(
    page: Page, log_in, live_server, artifacts_dir, member, language
):
    member.language = language
    member.save(update_fields=["language"])
    desk = DeskFactory(
        label="A-1", room=OpenSpaceFactory(name="Зал", building=BuildingFactory(name="Покровка"))
    )
    with time_machine.travel(NOW):
        series, _occurrences = services.book_series(
            user=member,
            resource=desk,
            frequency=BookingSeries.Frequency.WEEKLY,
            weekdays=[0],
            first=dt.date(2027, 3, 8),
            until=None,
            count=3,
            start_time=dt.time(10),
            end_time=dt.time(11),
        )
        page.set_viewport_size(PHONE)
        log_in(page, member, next_url=reverse("bookings:mine"))
        page.get_by_test_id("series-link").first.click()
        rows = page.get_by_test_id("series-occurrence")
        expect(rows).to_have_count(3)

        rows.nth(1).get_by_test_id("series-cancel-one").click()
        expect(page.locator(".messages")).to_contain_text(TEXTS[language]["cancelled_one"])
        expect(rows.nth(1)).to_have_attribute("data-status", "cancelled")
        expect(rows.nth(1).get_by_test_id("series-cancel-one")).to_have_count(0)

        page.get_by_label(TEXTS[language]["until"]).fill("2027-04-05")
        page.get_by_test_id("series-extend-submit").click()
        expect(page.locator(".messages")).to_contain_text(TEXTS[language]["extended"])
        expect(rows).to_have_count(5)
        _shoot(page, artifacts_dir / f"series-{language}-390.png", PHONE)
        _shoot(page, artifacts_dir / f"series-{language}-1280.png", DESKTOP)

        rows.nth(2).get_by_test_id("series-cancel-rest").click()
        expect(page.locator(".messages")).to_contain_text(TEXTS[language]["cancelled_rest"])
        statuses = [rows.nth(i).get_attribute("data-status") for i in range(5)]
        assert statuses == ["confirmed", "cancelled", "cancelled", "cancelled", "cancelled"]
        assert list(series.bookings.order_by("start").values_list("status", flat=True)) == statuses

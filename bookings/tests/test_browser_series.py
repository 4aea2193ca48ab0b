"""A member books a recurring desk in a real Chromium: preview, one conflict, the free ones booked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.tests.factories import UserFactory
from bookings.models import Booking
from bookings.tests.factories import (
    BookingFactory,
    BuildingFactory,
    DeskFactory,
    OpenSpaceFactory,
    RoomFactory,
    local,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def scroll_to_top(page: Page) -> None:
    """Full-page screenshots draw the sticky header where the page is scrolled to."""
    page.evaluate("window.scrollTo(0, 0)")


def test_member_books_a_weekly_desk_and_gets_the_free_dates(
    page: Page, log_in, live_server, artifacts_dir, member, password
):
    building = BuildingFactory(name="Коворкинг на Покровке", address="Москва, ул. Покровка, 27")
    hall = OpenSpaceFactory(building=building, name="Большой опенспейс", floor=2)
    desk = DeskFactory(room=hall, label="A-1")
    DeskFactory(room=hall, label="A-2")
    RoomFactory(building=building, name="Переговорная «Чистые пруды»")
    today = building.local_today()
    first = today + dt.timedelta(days=2 + (2 - (today + dt.timedelta(days=2)).weekday()) % 7)  # a Wednesday
    taken_day = first + dt.timedelta(weeks=2)
    BookingFactory(
        user=UserFactory(),
        desk=desk,
        start=local(building, taken_day, 10),
        end=local(building, taken_day, 12),
    )

    url = f"{reverse('bookings:series_new')}?desk={desk.pk}"
    log_in(page, member, url)
    form = page.get_by_test_id("series-form")
    expect(form.locator("select[name=place]")).to_have_value(f"desk-{desk.pk}")
    form.locator("input[name=first]").fill(first.isoformat())
    form.locator("input[name=start_time]").fill("09:00")
    form.locator("input[name=end_time]").fill("11:00")
    form.locator("input[name=frequency][value=weekly]").check()
    # The form ticks today's weekday to start with: only Wednesdays are wanted.
    weekdays = form.locator("input[name=weekdays]")
    for i in range(weekdays.count()):
        weekdays.nth(i).set_checked(weekdays.nth(i).get_attribute("value") == str(first.weekday()))
    form.locator("input[name=count]").fill("4")
    page.screenshot(path=artifacts_dir / "bookings-series-form.png", full_page=True)
    page.get_by_test_id("preview").click()

    occurrences = page.get_by_test_id("occurrence")
    expect(occurrences).to_have_count(4)
    statuses = [occurrences.nth(i).get_attribute("data-status") for i in range(4)]
    assert statuses == ["free", "free", "taken", "free"]
    expect(page.get_by_test_id("occurrence-time")).to_have_text(["09:00–11:00"] * 4)
    assert Booking.objects.filter(user=member).count() == 0
    scroll_to_top(page)
    page.screenshot(path=artifacts_dir / "bookings-series-preview.png", full_page=True)
    page.set_viewport_size(PHONE)
    scroll_to_top(page)
    page.screenshot(path=artifacts_dir / "bookings-series-preview-phone.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_test_id("confirm").click()
    expect(page).to_have_url(live_server.url + reverse("bookings:mine"))
    booked = list(Booking.objects.filter(user=member).order_by("start").values_list("start", flat=True))
    assert booked == [local(building, first + dt.timedelta(weeks=w), 9) for w in (0, 1, 3)]
    expect(page.get_by_test_id("upcoming-booking")).to_have_count(3)
    expect(page.locator(".messages .alert-success")).to_be_visible()
    page.screenshot(path=artifacts_dir / "bookings-series-mine.png", full_page=True)

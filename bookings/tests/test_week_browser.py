"""A room's week in a real Chromium, on desktop and phone: the kept table reads like the
one rendered for the first viewer, with the viewer's own booking marked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.tests.factories import UserFactory
from bookings.tests.factories import BookingFactory, BuildingFactory, RoomFactory, local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def test_room_week_on_desktop_and_phone(page: Page, log_in, live_server, artifacts_dir, member, password):
    building = BuildingFactory(name="Коворкинг на Покровке", address="Москва, ул. Покровка, 27")
    room = RoomFactory(building=building, name="Переговорная «Чистые пруды»", capacity=8)
    today = building.local_today()
    monday = today - dt.timedelta(days=today.weekday())
    thursday = monday + dt.timedelta(days=3)
    BookingFactory(
        user=member, room=room, start=local(building, thursday, 10), end=local(building, thursday, 12)
    )
    BookingFactory(room=room, start=local(building, thursday, 13), end=local(building, thursday, 14, 30))
    url = live_server.url + reverse("bookings:room_week", args=[room.pk]) + f"?date={thursday}"

    # Someone else first: the table they get is kept, the member then gets their own.
    other = UserFactory(password=password, language=member.language)
    log_in(page, other, reverse("bookings:mine"))
    page.goto(url)
    expect(page.locator("td.c-taken")).to_have_count(2)
    expect(page.locator("td.c-mine")).to_have_count(0)
    page.context.clear_cookies()

    log_in(page, member, reverse("bookings:mine"))
    page.goto(url)
    grid = page.get_by_test_id("week-grid")
    expect(grid.locator("td.c-mine")).to_have_count(1)
    expect(grid.locator("td.c-taken")).to_have_count(1)
    expect(grid.locator("thead th.week-day")).to_have_count(7)
    page.screenshot(path=artifacts_dir / "bookings-week.png", full_page=True)

    page.set_viewport_size(PHONE)
    page.goto(url)
    # The page never scrolls sideways; the week scrolls inside its own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=artifacts_dir / "bookings-week-phone.png", full_page=True)

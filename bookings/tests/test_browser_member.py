"""A member's booking journey in a real Chromium: find, book, see, cancel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.tests.factories import UserFactory
from bookings.models import Booking
from bookings.tests.factories import (
    AmenityFactory,
    BookingFactory,
    BuildingFactory,
    DeskFactory,
    OpenSpaceFactory,
    RoomFactory,
    local,
    tomorrow,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def _space():
    """A building that looks lived in: two open spaces, meeting rooms, neighbours' bookings."""
    building = BuildingFactory(name="Коворкинг на Покровке", address="Москва, ул. Покровка, 27")
    monitor, window = AmenityFactory(name="монитор"), AmenityFactory(name="у окна")
    hall = OpenSpaceFactory(building=building, name="Большой опенспейс", floor=2)
    hall.amenities.add(window)
    quiet = OpenSpaceFactory(building=building, name="Тихий зал", floor=3)
    desks = [DeskFactory(room=hall, label=f"A-{n}") for n in range(1, 13)]
    desks += [DeskFactory(room=quiet, label=f"Т-{n}") for n in range(1, 7)]
    for desk in desks[:4]:
        desk.amenities.add(monitor)
    RoomFactory(building=building, name="Переговорная «Чистые пруды»", capacity=8).amenities.add(monitor)
    RoomFactory(building=building, name="Кабинет 301", kind="private_office", capacity=3, floor=3)
    day = tomorrow(building)
    neighbours = UserFactory.create_batch(3)
    for index, desk in enumerate(desks[1:9]):
        start = local(building, day, 8 + index % 5)
        BookingFactory(user=neighbours[index % 3], desk=desk, start=start, end=start + dt.timedelta(hours=3))
    return building, day


def test_member_finds_books_sees_and_cancels_a_desk(
    page: Page, log_in, live_server, artifacts_dir, member, password
):
    building, day = _space()
    log_in(page, member, reverse("bookings:mine"))

    page.goto(live_server.url + reverse("bookings:find"))
    form = page.get_by_test_id("find-form")
    form.locator("input[name=date]").fill(day.isoformat())
    form.locator("input[name=start_time]").fill("10:00")
    form.locator("input[name=end_time]").fill("13:00")
    # htmx swaps the results in place as the filters change, and keeps the URL in step.
    expect(page.get_by_test_id("results")).to_contain_text("10:00–13:00")
    expect(page).to_have_url(
        f"{live_server.url}{reverse('bookings:find')}?building={building.pk}"
        f"&date={day.isoformat()}&start_time=10%3A00&end_time=13%3A00&min_capacity="
    )
    expect(page.get_by_test_id("book-desk").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=artifacts_dir / "bookings-find.png", full_page=True)

    page.get_by_test_id("book-desk").first.click()
    expect(page.get_by_test_id("place-card")).to_contain_text("A-1")
    page.screenshot(path=artifacts_dir / "bookings-new.png", full_page=True)
    page.get_by_test_id("confirm-booking").click()
    # htmx posts the form and then follows the redirect to the booking.
    expect(page.locator(".alert-success")).to_be_visible()

    booking = Booking.objects.get(user=member)
    assert (booking.desk.label, booking.start, booking.end) == (
        "A-1",
        local(building, day, 10),
        local(building, day, 13),
    )
    expect(page).to_have_url(live_server.url + reverse("bookings:detail", args=[booking.pk]))
    expect(page.locator(".alert-success")).to_be_visible()
    page.screenshot(path=artifacts_dir / "bookings-confirmation.png", full_page=True)

    page.goto(live_server.url + reverse("bookings:mine"))
    expect(page.get_by_test_id("upcoming-booking")).to_have_count(1)
    expect(page.get_by_test_id("upcoming-booking")).to_contain_text("10:00–13:00")
    page.screenshot(path=artifacts_dir / "bookings-mine.png", full_page=True)

    page.get_by_test_id("upcoming-booking").get_by_role("link", name="Расписание дня").click()
    expect(page.get_by_test_id("day-title")).to_be_visible()
    mine = page.locator("td.c-mine")
    expect(mine).to_have_count(1)
    expect(mine).to_have_attribute("colspan", "6")
    page.screenshot(path=artifacts_dir / "bookings-day.png", full_page=True)

    # Next day and back, without reloading the page.
    page.evaluate("window.__kept = true")
    page.get_by_test_id("next-day").click()
    expect(page).to_have_url(
        f"{live_server.url}{reverse('bookings:day', args=[building.pk])}?date={day + dt.timedelta(days=1)}"
    )
    expect(page.locator("td.c-mine")).to_have_count(0)
    page.get_by_test_id("previous-day").click()
    expect(page.locator("td.c-mine")).to_have_count(1)
    assert page.evaluate("window.__kept") is True

    page.goto(live_server.url + reverse("bookings:mine"))
    page.get_by_test_id("cancel-open").click()
    page.get_by_test_id("cancel-one").click()
    expect(page.get_by_test_id("no-upcoming")).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    expect(page.get_by_test_id("history")).to_contain_text("Отменено")


def test_member_pages_fit_a_phone(page: Page, log_in, live_server, artifacts_dir, member, password):
    building, day = _space()
    booking = BookingFactory(
        user=member,
        desk=building.rooms.get(name="Тихий зал").desks.get(label="Т-2"),
        start=local(building, day, 14),
        end=local(building, day, 18),
    )
    log_in(page, member, reverse("bookings:mine"))
    pages = {
        "find": reverse("bookings:find")
        + f"?building={building.pk}&date={day}&start_time=10:00&end_time=12:00",
        "day": reverse("bookings:day", args=[building.pk]) + f"?date={day}",
        "mine": reverse("bookings:mine"),
        "confirmation": reverse("bookings:detail", args=[booking.pk]),
    }
    page.set_viewport_size(PHONE)
    for name, url in pages.items():
        page.goto(live_server.url + url)
        # The page never scrolls sideways; the day grid scrolls inside its own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
        page.screenshot(path=artifacts_dir / f"bookings-{name}-phone.png", full_page=True)
    page.goto(live_server.url + pages["day"])
    assert page.locator(".day-scroll").evaluate("box => box.scrollWidth > box.clientWidth")

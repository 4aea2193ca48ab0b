"""Staff in a real Chromium: the bookings list, then cancelling one with a reason."""

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
    tomorrow,
)
from bookings.tests.test_browser_series import PHONE, scroll_to_top

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_filters_the_list_and_cancels_a_booking_with_a_reason(
    page: Page, log_in, live_server, artifacts_dir, staff, password
):
    building = BuildingFactory(name="Коворкинг на Покровке", address="Москва, ул. Покровка, 27")
    hall = OpenSpaceFactory(building=building, name="Большой опенспейс")
    meeting = RoomFactory(building=building, name="Переговорная «Чистые пруды»")
    day = tomorrow(building)
    people = [
        UserFactory(full_name="Анна Петрова", email="anna@example.org"),
        UserFactory(full_name="Дмитрий Соколов", email="dmitry@example.org"),
        UserFactory(full_name="Елена Кузнецова", email="elena@example.org"),
    ]
    for index, person in enumerate(people):
        start = local(building, day, 9 + 2 * index)
        BookingFactory(
            user=person,
            desk=DeskFactory(room=hall, label=f"A-{index + 1}"),
            start=start,
            end=start + dt.timedelta(hours=3),
        )
    BookingFactory(
        user=people[0],
        room=meeting,
        desk=None,
        start=local(building, day, 15),
        end=local(building, day, 16, 30),
        rules_overridden=True,
    )
    BookingFactory(
        user=people[1],
        desk=DeskFactory(room=hall, label="A-9"),
        status=Booking.Status.CANCELLED,
        cancel_reason="Заболел",
    )

    log_in(page, staff, reverse("bookings:staff_list"))
    expect(page.get_by_test_id("booking-row")).to_have_count(5)

    filters = page.get_by_test_id("filters")
    filters.locator("select[name=building]").select_option(str(building.pk))
    filters.locator("input[name=day]").fill(day.isoformat())
    filters.locator("button[type=submit]").click()
    expect(page.get_by_test_id("booking-row")).to_have_count(5)
    scroll_to_top(page)
    page.screenshot(path=artifacts_dir / "bookings-staff-list.png", full_page=True)
    page.set_viewport_size(PHONE)
    scroll_to_top(page)
    page.screenshot(path=artifacts_dir / "bookings-staff-list-phone.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    filters.locator("input[name=member]").fill("петрова")
    filters.locator("button[type=submit]").click()
    expect(page.get_by_test_id("booking-row")).to_have_count(2)
    page.get_by_test_id("staff-cancel").first.click()
    page.get_by_test_id("staff-cancel-submit").click()
    expect(page.locator(".field-error")).to_be_visible()
    page.fill("textarea[name=reason]", "В зале ремонт, перенесли вас на завтра.")
    page.screenshot(path=artifacts_dir / "bookings-staff-cancel.png", full_page=True)
    page.get_by_test_id("staff-cancel-submit").click()
    expect(page.locator(".messages .alert-success")).to_be_visible()
    cancelled = Booking.objects.get(user=people[0], desk__label="A-1")
    assert (cancelled.status, cancelled.cancel_reason) == (
        Booking.Status.CANCELLED,
        "В зале ремонт, перенесли вас на завтра.",
    )

    page.get_by_test_id("staff-new").click()
    form = page.get_by_test_id("staff-new-form")
    form.get_by_test_id("member-query").fill("КУЗНЕЦ")  # any case, in Cyrillic too
    expect(form.get_by_test_id("member-choice")).to_have_text(["Елена Кузнецова · elena@example.org"])
    form.get_by_test_id("member-choice").click()
    form.locator("input[name=day]").fill(day.isoformat())
    form.locator("input[name=start_time]").fill("20:00")
    form.locator("input[name=end_time]").fill("21:00")
    page.wait_for_load_state("networkidle")  # the places free then have been offered
    form.locator("select[name=place]").select_option(f"room-{meeting.pk}")
    page.get_by_test_id("staff-book").click()
    expect(page.locator(".alert-error")).to_be_visible()
    form.locator("input[name=override_rules]").check()
    scroll_to_top(page)
    page.screenshot(path=artifacts_dir / "bookings-staff-new.png", full_page=True)
    page.get_by_test_id("staff-book").click()
    expect(page.locator(".messages .alert-success")).to_be_visible()
    booked = Booking.objects.get(user=people[2], room=meeting)
    assert (booked.rules_overridden, booked.created_by) == (True, staff)
    expect(page.locator(f"#booking-{booked.pk}")).to_contain_text("20:00–21:00")

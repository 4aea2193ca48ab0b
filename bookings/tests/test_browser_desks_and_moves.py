"""In a real Chromium: the find page names the desk a member already holds; staff move a booking."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from bookings.models import Booking
from bookings.tests.factories import (
    BookingFactory,
    BuildingFactory,
    DeskFactory,
    RoomFactory,
    local,
    tomorrow,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_find_page_tells_the_member_which_desk_they_already_hold(page: Page, log_in, artifacts_dir, member):
    pokrovka, arbat = BuildingFactory(name="Покровка"), BuildingFactory(name="Арбат")
    DeskFactory(room__building=pokrovka, label="A-1")
    RoomFactory(building=pokrovka, name="Переговорная «Чистые пруды»")
    day = tomorrow(pokrovka)
    held = BookingFactory(
        user=member,
        desk=DeskFactory(room__building=arbat, room__name="Зал", label="B-7"),
        start=local(arbat, day, 10),
        end=local(arbat, day, 13),
    )
    query = f"?building={pokrovka.pk}&date={day.isoformat()}&start_time=11:00&end_time=12:00"
    log_in(page, member, quote(reverse("bookings:find") + query))
    note = page.get_by_test_id("held-desks")
    expect(note).to_contain_text("Место B-7, Зал (Арбат)")
    expect(page.get_by_test_id("book-desk")).to_have_count(0)
    expect(page.get_by_test_id("book-room")).to_have_count(1)
    page.screenshot(path=artifacts_dir / "bookings-find-held-desk.png", full_page=True)
    note.get_by_role("link").click()
    expect(page).to_have_url(f"{page.url.split('/bookings/')[0]}{reverse('bookings:detail', args=[held.pk])}")


def test_staff_move_a_booking_from_the_list(page: Page, log_in, artifacts_dir, staff, member):
    building = BuildingFactory(name="Покровка")
    desk = DeskFactory(room__building=building, room__name="Зал", label="A-1")
    day = tomorrow(building)
    booking = BookingFactory(
        user=member, desk=desk, start=local(building, day, 10), end=local(building, day, 11)
    )
    log_in(
        page, staff, quote(f"{reverse('bookings:staff_list')}?building={building.pk}&day={day.isoformat()}")
    )
    page.get_by_test_id("staff-move").click()
    form = page.get_by_test_id("staff-move-form")
    form.locator("input[name=start_time]").fill("19:00")
    form.locator("input[name=end_time]").fill("21:00")
    page.get_by_test_id("staff-move-submit").click()
    expect(page.locator(".alert-error")).to_contain_text("Здание закрыто")
    page.screenshot(path=artifacts_dir / "bookings-staff-move.png", full_page=True)
    form.locator("input[name=end_time]").fill("20:00")
    page.get_by_test_id("staff-move-submit").click()
    expect(page.locator(".messages .alert-success")).to_be_visible()
    booking.refresh_from_db()
    assert (booking.start, booking.end, booking.sequence, booking.status) == (
        local(building, day, 19),
        local(building, day, 20),
        1,
        Booking.Status.CONFIRMED,
    )

"""In a real Chromium: which 02:00 on the night the clocks go back; "I won't come"."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import Page, expect

from bookings.models import Booking
from bookings.tests.factories import BookingFactory, BuildingFactory, DeskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MIDNIGHT = dt.time(0)


def test_member_chooses_which_two_oclock_on_the_night_the_clocks_go_back(
    page: Page, log_in, live_server, artifacts_dir, member
):
    building = BuildingFactory(name="Mitte", time_zone="Europe/Berlin", open_daily=(MIDNIGHT, MIDNIGHT))
    desk = DeskFactory(label="B-1", room__name="Loft", room__building=building)
    with time_machine.travel(dt.datetime(2027, 10, 30, 10, tzinfo=dt.UTC)):
        log_in(page, member, reverse("bookings:mine"))
        page.goto(f"{live_server.url}{reverse('bookings:new')}?desk={desk.pk}")
        form = page.get_by_test_id("booking-form")
        form.locator("input[name=date]").fill("2027-10-31")
        form.locator("input[name=start_time]").fill("02:00")
        form.locator("input[name=end_time]").fill("03:00")
        page.get_by_test_id("confirm-booking").click()

        choice = page.get_by_test_id("start_pass")
        expect(choice).to_contain_text("02:00 CEST")
        expect(choice).to_contain_text("02:00 CET")
        assert Booking.objects.count() == 0
        page.screenshot(path=artifacts_dir / "booking-repeated-hour.png", full_page=True)

        choice.get_by_label("02:00 CET", exact=False).check()
        page.get_by_test_id("confirm-booking").click()

        expect(page.get_by_test_id("booking-when")).to_have_text("Вс, 31 октября · 02:00 CET–03:00")
        booking = Booking.objects.get()
        assert (booking.start, booking.end) == (
            dt.datetime(2027, 10, 31, 1, tzinfo=dt.UTC),
            dt.datetime(2027, 10, 31, 2, tzinfo=dt.UTC),
        )
        page.screenshot(path=artifacts_dir / "booking-repeated-hour-booked.png", full_page=True)


def test_member_releases_a_booking_too_late_to_cancel(page: Page, log_in, live_server, artifacts_dir, member):
    now = dt.datetime(2027, 6, 1, 6, tzinfo=dt.UTC)
    start = now + dt.timedelta(minutes=8)
    booking = BookingFactory(user=member, start=start, end=start + dt.timedelta(hours=2), created_at=now)
    with time_machine.travel(now):
        log_in(page, member, reverse("bookings:mine"))
        page.goto(live_server.url + reverse("bookings:detail", args=[booking.pk]))

        expect(page.get_by_test_id("release-card")).to_be_visible()
        expect(page.get_by_test_id("cancel-open")).to_have_count(0)
        page.screenshot(path=artifacts_dir / "booking-release.png", full_page=True)
        page.get_by_test_id("release").click()

        expect(page.locator(".messages, [role=status], .alert").first).to_contain_text("Место снова свободно")
        expect(page.get_by_test_id("status")).to_have_text("Отменено")
        page.screenshot(path=artifacts_dir / "booking-released.png", full_page=True)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED

"""The day grid in a real Chromium: a range by dragging, by two taps or by the keyboard,
the "now" line, the phone layout; and the three-interaction booking from the home page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.tests.factories import UserFactory
from bookings.models import Booking
from bookings.tests.factories import BookingFactory, BuildingFactory, DeskFactory, OpenSpaceFactory, local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Tuesday 1 June 2027, 12:10 in Moscow.
NOW = dt.datetime(2027, 6, 1, 9, 10, tzinfo=dt.UTC)
PHONE = {"width": 390, "height": 844}


def _moscow():
    """The member's home "Москва" (open 08:00–20:00) next to a "Berlin" that sorts first."""
    BuildingFactory(name="Berlin", time_zone="Europe/Berlin")
    moscow = BuildingFactory(name="Москва")
    hall = OpenSpaceFactory(building=moscow, name="Зал", floor=1)
    desks = [DeskFactory(room=hall, label=f"A-{n}") for n in (1, 2, 10)]
    return moscow, desks


class Interactions:
    """Counts what a person does: clicks, taps, drags, key presses that submit."""

    def __init__(self, page: Page):
        self.page = page
        self.count = 0

    def click(self, locator) -> None:
        self.count += 1
        locator.click()

    def drag(self, source, target) -> None:
        self.count += 1
        source.drag_to(target)


def _cell(page: Page, desk, start: dt.datetime):
    value = f"desk-{desk.pk},{start.astimezone(dt.UTC):%Y-%m-%dT%H:%M}Z,"
    return page.locator(f'table:visible button[value^="{value}"]')


def test_a_desk_for_tomorrow_10_to_13_takes_three_interactions_from_home(
    page: Page, log_in, live_server, artifacts_dir, member
):
    moscow, (desk, *_others) = _moscow()
    member.home_building = moscow
    member.save()
    tomorrow = dt.date(2027, 6, 2)
    with time_machine.travel(NOW):
        log_in(page, member, reverse("home"))
        act = Interactions(page)

        act.click(page.get_by_test_id("book-tomorrow"))
        expect(page.get_by_test_id("day-title")).to_contain_text("2 июня")
        act.drag(
            _cell(page, desk, local(moscow, tomorrow, 10)), _cell(page, desk, local(moscow, tomorrow, 12, 30))
        )
        form = page.get_by_test_id("booking-form")
        expect(form.locator("input[name=start_time]")).to_have_value("10:00")
        expect(form.locator("input[name=end_time]")).to_have_value("13:00")
        act.click(page.get_by_test_id("confirm-booking"))

        expect(page.get_by_test_id("booking-when")).to_contain_text("10:00–13:00")
        page.screenshot(path=artifacts_dir / "three-interactions-booked.png", full_page=True)
    booking = Booking.objects.get()
    assert (booking.desk, booking.start, booking.end) == (
        desk,
        local(moscow, tomorrow, 10),
        local(moscow, tomorrow, 13),
    )
    assert act.count <= 3


def test_day_grid_opens_at_now_and_books_a_range_by_keyboard(
    page: Page, log_in, live_server, artifacts_dir, member
):
    moscow, (desk, second, _third) = _moscow()
    today = dt.date(2027, 6, 1)
    mine = BookingFactory(
        user=member, desk=second, start=local(moscow, today, 15), end=local(moscow, today, 16)
    )
    BookingFactory(
        user=UserFactory(), desk=desk, start=local(moscow, today, 17), end=local(moscow, today, 18)
    )
    with time_machine.travel(NOW):
        log_in(page, member, reverse("bookings:day", args=[moscow.pk]))
        page.set_viewport_size({"width": 800, "height": 700})
        page.reload()

        line = page.locator(".now-line")
        expect(line).to_have_count(1)
        scroller = page.locator(".day-scroll")
        assert scroller.evaluate("box => box.scrollLeft") > 0
        taken = page.locator("td.c-taken")
        expect(taken).to_have_attribute("title", "Занято до 18:00")
        expect(page.locator("td.c-mine a")).to_have_attribute(
            "href", reverse("bookings:detail", args=[mine.pk])
        )
        page.screenshot(path=artifacts_dir / "day-grid-now.png")

        # One tab stop: the first free slot from now (12:00 has begun: A-1 at 12:30).
        stop = page.locator("button[name=slot][tabindex='0']")
        expect(stop).to_have_attribute("aria-label", "A-1 · 12:30")
        stop.focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowDown")
        expect(page.locator("button[name=slot]:focus")).to_have_attribute("aria-label", "A-2 · 13:00")
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("day-selection")).to_contain_text("A-2 · 13:00")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")

        form = page.get_by_test_id("booking-form")
        expect(form.locator("select[name=place]")).to_have_value(f"desk-{second.pk}")
        expect(form.locator("input[name=start_time]")).to_have_value("13:00")
        expect(form.locator("input[name=end_time]")).to_have_value("15:00")


def test_day_grid_on_a_phone_runs_time_down_and_books_by_two_taps(
    page: Page, log_in, live_server, artifacts_dir, member
):
    moscow, (desk, _second, third) = _moscow()
    today = dt.date(2027, 6, 1)
    with time_machine.travel(NOW):
        log_in(page, member, reverse("bookings:day", args=[moscow.pk]))
        page.set_viewport_size(PHONE)
        page.reload()

        tall = page.locator("table.day-table-tall")
        expect(tall).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # Time runs down: A-10's 14:00 lies below its 13:00, in the same column.
        first, last = (
            _cell(page, third, local(moscow, today, 13)),
            _cell(page, third, local(moscow, today, 14)),
        )
        one, two = first.bounding_box(), last.bounding_box()
        assert (one["x"], one["y"] < two["y"]) == (two["x"], True)
        expect(page.locator(".now-line-across")).to_have_count(1)
        page.screenshot(path=artifacts_dir / "day-grid-phone.png")

        first.click()
        last.click()

        form = page.get_by_test_id("booking-form")
        expect(form.locator("select[name=place]")).to_have_value(f"desk-{third.pk}")
        expect(form.locator("input[name=start_time]")).to_have_value("13:00")
        expect(form.locator("input[name=end_time]")).to_have_value("14:30")
    assert desk.pk != third.pk


def test_changing_the_start_moves_the_end_with_it(page: Page, log_in, live_server, member):
    _moscow_building, (desk, *_others) = _moscow()
    with time_machine.travel(NOW):
        log_in(page, member, reverse("bookings:mine"))
        page.goto(
            f"{live_server.url}{reverse('bookings:new')}?slot=desk-{desk.pk},2027-06-02T07:00Z,2027-06-02T10:00Z"
        )
        form = page.get_by_test_id("booking-form")
        form.locator("input[name=start_time]").fill("11:30")
        expect(form.locator("input[name=end_time]")).to_have_value("14:30")
        form.locator("input[name=start_time]").fill("22:00")
        expect(form.locator("input[name=end_time]")).to_have_value("01:00")


def test_the_next_day_swapped_in_by_htmx_keeps_the_range_choice(page: Page, log_in, live_server, member):
    moscow, (desk, *_others) = _moscow()
    with time_machine.travel(NOW):
        log_in(page, member, reverse("bookings:day", args=[moscow.pk]))
        page.evaluate("window.__kept = true")
        page.get_by_test_id("next-day").click()
        expect(page.get_by_test_id("day-title")).to_contain_text("2 июня")

        _cell(page, desk, local(moscow, dt.date(2027, 6, 2), 9)).click()

        expect(page.get_by_test_id("day-selection")).to_contain_text("A-1 · 09:00")
        assert page.evaluate("window.__kept") is True
        _cell(page, desk, local(moscow, dt.date(2027, 6, 2), 9, 30)).click()
        expect(page.get_by_test_id("booking-form").locator("input[name=end_time]")).to_have_value("10:00")

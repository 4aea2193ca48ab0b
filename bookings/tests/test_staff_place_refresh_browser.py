"""A place the front desk chooses while the places offered are being refreshed (a time was
just changed) is not lost when the refresh lands, in a real Chromium: the refresh is held
until the place is chosen, so the race CI once met happens every time."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, Route, expect

from accounts.models import User
from accounts.tests.factories import UserFactory
from bookings.forms import place_key
from bookings.models import Booking
from bookings.tests.factories import BookingFactory, DeskFactory, local, tomorrow
from staff.roles import FRONT_DESK

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOT_FREE = "The place you chose is not free at this time: choose another."


@pytest.fixture
def desks():
    """A-1 taken from 10:00 to 12:00 tomorrow, A-2 free: (taken, free, day)."""
    taken = DeskFactory(label="A-1")
    free = DeskFactory(label="A-2", room=taken.room)
    building = taken.room.building
    day = tomorrow(building)
    BookingFactory(desk=taken, start=local(building, day, 10), end=local(building, day, 12))
    return taken, free, day


def _choose_place_during_refresh(page: Page, live_server, log_in, password, day, place) -> User:
    """Open the form for a member, set the day and start, then type the end time and choose
    `place` while the refresh that end time asks for is held back. Returns the member."""
    front_desk = UserFactory(password=password, is_staff=True)
    front_desk.groups.add(Group.objects.get(name=FRONT_DESK))
    member = UserFactory(full_name="Ёлкина Мария", email="elkina@example.org")
    log_in(page, front_desk, reverse("bookings:staff_new"))
    page.goto(live_server.url + reverse("bookings:staff_new"))
    page.get_by_test_id("member-query").fill("ёлкина")
    page.get_by_test_id("member-choice").click()
    page.fill("input[name=day]", day.isoformat())
    page.fill("input[name=start_time]", "10:00")
    expect(page.locator(".htmx-request")).to_have_count(0)

    def choose_then_answer(route: Route) -> None:
        # The refresh left without a place; the place is chosen before its answer comes.
        page.select_option("select[name=place]", place_key(place))
        route.continue_()

    page.route(
        lambda url: parse_qs(urlsplit(url).query).get("end_time") == ["11:00"], choose_then_answer, times=1
    )
    page.fill("input[name=end_time]", "11:00")
    expect(page.get_by_test_id("free-count")).to_be_visible()
    expect(page.locator(".htmx-request")).to_have_count(0)
    return member


def test_a_place_chosen_during_the_refresh_is_kept_when_still_free(
    page: Page, log_in, live_server, password, desks
):
    _taken, free, day = desks
    member = _choose_place_during_refresh(page, live_server, log_in, password, day, free)

    expect(page.locator("select[name=place] option[value^=desk]")).to_have_count(1)
    expect(page.locator("select[name=place]")).to_have_value(place_key(free))
    expect(page.get_by_test_id("place-not-free")).to_be_hidden()
    page.get_by_test_id("staff-book").click()
    expect(page.locator(".messages")).to_be_visible()

    booking = Booking.objects.get(user=member)
    assert (booking.desk, booking.start, booking.end) == (
        free,
        local(free.room.building, day, 10),
        local(free.room.building, day, 11),
    )


def test_a_place_chosen_during_the_refresh_and_taken_then_is_not_kept(
    page: Page, log_in, live_server, password, artifacts_dir, desks
):
    taken, free, day = desks
    _choose_place_during_refresh(page, live_server, log_in, password, day, taken)

    expect(page.locator("select[name=place]")).to_have_value("")
    expect(page.locator("select[name=place] option[value^=desk]")).to_have_count(1)
    expect(page.get_by_test_id("place-not-free")).to_be_visible()
    with translation.override("ru"):
        expect(page.get_by_test_id("place-not-free")).to_have_text(gettext(NOT_FREE))
    page.screenshot(path=artifacts_dir / "bookings-staff-place-not-free.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=artifacts_dir / "bookings-staff-place-not-free-phone.png", full_page=True)

    # Choosing a free place answers the message.
    page.select_option("select[name=place]", place_key(free))
    expect(page.get_by_test_id("place-not-free")).to_be_hidden()

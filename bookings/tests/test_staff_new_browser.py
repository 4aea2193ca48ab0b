"""The front desk books for a member in a real Chromium: finds her by a lower-case part of
her name, picks a time, and is offered only the places free then."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.tests.factories import UserFactory
from bookings.forms import place_key
from bookings.models import Booking
from bookings.tests.factories import BookingFactory, DeskFactory, local, tomorrow
from staff.roles import FRONT_DESK

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_front_desk_finds_a_member_and_books_a_free_desk(
    page: Page, log_in, live_server, artifacts_dir, password
):
    front_desk = UserFactory(password=password, is_staff=True, full_name="Фронт Деск")
    front_desk.groups.add(Group.objects.get(name=FRONT_DESK))
    member = UserFactory(full_name="Ёлкина Мария", email="elkina@example.org")
    UserFactory(full_name="Иван Петров")
    taken = DeskFactory(label="A-1")
    free = DeskFactory(label="A-2", room=taken.room)
    building = taken.room.building
    day = tomorrow(building)
    # The holder is named too: a random name could also match the search ("Марина").
    holder = UserFactory(full_name="Пётр Сидоров")
    BookingFactory(user=holder, desk=taken, start=local(building, day, 10), end=local(building, day, 12))

    log_in(page, front_desk, reverse("bookings:staff_new"))
    page.goto(live_server.url + reverse("bookings:staff_new"))
    page.get_by_test_id("member-query").fill("мар")
    expect(page.get_by_test_id("member-choice")).to_have_text(["Ёлкина Мария · elkina@example.org"])
    page.get_by_test_id("member-choice").click()
    page.fill("input[name=day]", day.isoformat())
    page.fill("input[name=start_time]", "10:00")
    page.fill("input[name=end_time]", "11:00")
    # Leaving the field fires its change too: only once no refresh of the places is on its
    # way (htmx marks the element asking with .htmx-request until the answer is swapped in)
    # is one chosen, or a late answer would replace the list and clear the choice.
    page.locator("input[name=end_time]").dispatch_event("change")
    page.locator("input[name=end_time]").blur()
    expect(page.locator(".htmx-request")).to_have_count(0)
    expect(page.get_by_test_id("free-count")).to_contain_text("1")
    options = page.locator("select[name=place] option[value^=desk]")
    expect(options).to_have_count(1)
    page.select_option("select[name=place]", place_key(free))
    expect(page.locator("select[name=place]")).to_have_value(place_key(free))
    page.screenshot(path=artifacts_dir / "bookings-staff-new-search.png", full_page=True)
    page.get_by_test_id("staff-book").click()
    expect(page.locator(".messages, .messagelist, [data-testid=messages]").first).to_be_visible()

    booking = Booking.objects.get(user=member)
    assert (booking.desk, booking.start, booking.created_by) == (free, local(building, day, 10), front_desk)
    assert booking.end - booking.start == dt.timedelta(hours=1)

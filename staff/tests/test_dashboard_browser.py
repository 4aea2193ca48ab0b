"""The staff home in a real Chromium: today's board on phone and desktop, refreshed by htmx."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from accounts.tests.factories import UserFactory
from bookings.tests.factories import BookingFactory, BuildingFactory, DeskFactory, OpenSpaceFactory
from staff.roles import MANAGER
from visits.tests.factories import VisitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MIDNIGHT = dt.time(0)


def test_the_staff_home_shows_today_and_refreshes_itself(page: Page, log_in, artifacts_dir, password):
    manager = UserFactory(password=password, is_staff=True, full_name="Мария Менеджер")
    manager.groups.add(Group.objects.get(name=MANAGER))
    moscow = BuildingFactory(name="Покровка, 12", open_daily=(MIDNIGHT, MIDNIGHT))
    berlin = BuildingFactory(name="Kreuzberg", time_zone="Europe/Berlin", open_daily=(MIDNIGHT, MIDNIGHT))
    for building in (moscow, berlin):
        room = OpenSpaceFactory(building=building)
        desks = [DeskFactory(room=room) for _ in range(4)]
        VisitFactory(building=building)
        now = dt.datetime.now(dt.UTC)
        BookingFactory(desk=desks[0], start=now + dt.timedelta(minutes=20), end=now + dt.timedelta(hours=2))
    page.clock.install()
    log_in(page, manager)

    board = page.get_by_test_id("today-board")
    expect(board.get_by_test_id("board-building")).to_have_count(2)
    pokrovka = board.locator('[data-testid="board-building"]', has_text="Покровка, 12")
    expect(pokrovka.get_by_test_id("present")).to_contain_text("1")
    expect(pokrovka.get_by_test_id("arrivals")).to_contain_text("1")
    page.screenshot(path=artifacts_dir / "staff-today-desktop.png", full_page=True)

    # Someone arrives; within a minute the board says so, without a reload.
    VisitFactory(building=moscow)
    page.clock.fast_forward("01:01")
    expect(pokrovka.get_by_test_id("present").locator(".figure-value")).to_have_text("2")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.get_by_test_id("today-board")).to_be_visible()
    page.screenshot(path=artifacts_dir / "staff-today-phone.png", full_page=True)

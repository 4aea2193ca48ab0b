"""Member and front-desk journeys in a real Chromium."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import UserFactory
from bookings.tests.factories import BuildingFactory, DeskFactory
from visits.models import Visit
from visits.tests.factories import BookingFactory, VisitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MIDNIGHT = dt.time(0)


def test_member_checks_in_sees_the_timer_checks_out_and_finds_the_visit(
    page: Page, log_in, live_server, artifacts_dir, member, password
):
    building = BuildingFactory(name="Ленина, 1", open_daily=(MIDNIGHT, MIDNIGHT))
    BuildingFactory(name="Заводская, 5", open_daily=(MIDNIGHT, MIDNIGHT))
    VisitFactory(user=UserFactory(full_name="Анна Кузнецова", visible_to_members=True), building=building)
    VisitFactory(
        user=member,
        building=building,
        checked_in_at=timezone.now() - dt.timedelta(days=1, hours=3),
        closed=True,
    )
    page.clock.install()
    log_in(page, member)

    card = page.get_by_test_id("visit-card")
    expect(page.get_by_test_id("check-in-building")).to_have_value(str(building.pk))
    page.screenshot(path=artifacts_dir / "visits-home-out.png", full_page=True)
    page.get_by_test_id("check-in").click()
    expect(card.get_by_test_id("visit-notice")).to_have_text("Приход отмечен: Ленина, 1. Хорошего дня!")
    expect(page.get_by_test_id("visit-elapsed")).to_have_text("0 мин")
    here = page.get_by_test_id("presence-card").locator("li", has_text="Ленина, 1")
    expect(here.get_by_test_id("presence-count")).to_have_text("2 человека")
    page.screenshot(path=artifacts_dir / "visits-home-in.png", full_page=True)

    # The timer ticks every 30 s from the server's figure.
    page.clock.fast_forward("02:01")
    expect(page.get_by_test_id("visit-elapsed")).to_have_text("2 мин")

    page.get_by_test_id("check-out").click()
    expect(card.get_by_test_id("visit-notice")).to_contain_text(
        "Уход отмечен: Ленина, 1, вы провели здесь 0 мин."
    )
    expect(page.get_by_test_id("check-in")).to_be_visible()
    visit = Visit.objects.get(user=member, duration_minutes=0)
    assert visit.checked_out_by == member

    page.get_by_role("link", name="Ваши посещения").click()
    rows = page.get_by_test_id("visit-row")
    expect(rows).to_have_count(2)
    expect(rows.first.get_by_test_id("visit-duration")).to_have_text("0 мин")
    expect(rows.nth(1).get_by_test_id("visit-duration")).to_have_text("1 ч 30 мин")
    page.screenshot(path=artifacts_dir / "visits-history.png", full_page=True)

    page.get_by_role("link", name="Кто на месте").click()
    expect(page.get_by_test_id("present-member").locator(".presence-name")).to_have_text(["Анна Кузнецова"])
    page.screenshot(path=artifacts_dir / "visits-who-is-in.png", full_page=True)
    page.go_back()

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=artifacts_dir / "visits-history-phone.png", full_page=True)
    page.goto(live_server.url + reverse("home"))
    page.get_by_test_id("check-in").click()
    expect(page.get_by_test_id("check-out")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=artifacts_dir / "visits-home-phone.png", full_page=True)


def test_member_checks_in_without_javascript(browser, log_in, live_server, member, password, artifacts_dir):
    BuildingFactory(name="Ленина, 1")
    context = browser.new_context(java_script_enabled=False, locale="ru-RU")
    page = context.new_page()
    log_in(page, member)
    page.get_by_test_id("check-in").click()
    expect(page.locator(".messages")).to_contain_text("Приход отмечен: Ленина, 1.")
    expect(page.get_by_test_id("visit-elapsed")).to_have_text("0 мин")
    page.get_by_test_id("check-out").click()
    expect(page.locator(".messages")).to_contain_text("Уход отмечен")
    assert Visit.objects.get().duration_minutes == 0
    context.close()


def test_front_desk_checks_a_member_in_and_sees_them_in(
    page: Page, log_in, live_server, artifacts_dir, staff, password
):
    building = BuildingFactory(name="Ленина, 1")
    guest = UserFactory(full_name="Дмитрий Соколов", email="dmitry@example.org")
    VisitFactory(user=UserFactory(full_name="Елена Новак"), building=building)
    log_in(page, staff)
    page.get_by_role("link", name="Ресепшен").click()

    page.fill("input[name=q]", "соко")
    member_row = page.get_by_test_id("desk-member")
    expect(member_row).to_have_count(1)  # found as one types, by htmx
    expect(member_row).to_contain_text("dmitry@example.org")
    page.screenshot(path=artifacts_dir / "visits-desk-search.png", full_page=True)
    member_row.get_by_test_id("desk-check-in").click()

    expect(page.locator(".messages")).to_contain_text("Дмитрий Соколов: приход отмечен, Ленина, 1.")
    present = page.get_by_test_id("present-member")
    expect(present).to_have_count(2)
    expect(present.filter(has_text="Дмитрий Соколов")).to_contain_text("с ")
    assert Visit.objects.get(user=guest).checked_in_by == staff
    page.screenshot(path=artifacts_dir / "visits-desk.png", full_page=True)

    present.filter(has_text="Дмитрий Соколов").get_by_test_id("desk-check-out").click()
    expect(page.locator(".messages")).to_contain_text("Дмитрий Соколов: уход отмечен.")
    expect(page.get_by_test_id("present-member")).to_have_count(1)


def test_statistics_page_draws_its_charts(page: Page, log_in, live_server, artifacts_dir, staff, password):
    building = BuildingFactory(name="Ленина, 1")
    members = UserFactory.create_batch(4)
    today = timezone.localdate()
    for offset in range(1, 29):
        for index, member in enumerate(members):
            if (offset + index) % 3 == 0:
                continue
            start = timezone.make_aware(
                dt.datetime.combine(today - dt.timedelta(days=offset), dt.time(8 + (offset * 3 + index) % 9))
            )
            VisitFactory(
                user=member,
                building=building,
                checked_in_at=start,
                checked_out_at=start + dt.timedelta(minutes=30 + 37 * ((offset + index) % 9)),
            )
    desk = DeskFactory(room__building=building)
    for offset in range(2, 12):
        start = timezone.now() - dt.timedelta(days=offset)
        BookingFactory(user=members[0], desk=desk, start=start, checked_in_at=start if offset % 4 else None)
    log_in(page, staff)
    page.goto(live_server.url + reverse("visits:statistics"))
    expect(page.get_by_test_id("chart-days").locator("rect")).to_have_count(30)
    expect(page.get_by_test_id("chart-heat").locator("rect")).to_have_count(7 * 24)
    page.screenshot(path=artifacts_dir / "visits-statistics.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=artifacts_dir / "visits-statistics-phone.png", full_page=True)

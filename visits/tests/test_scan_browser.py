"""Check-in by QR code in a real Chromium: a phone opens a desk's code."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.tests.factories import UserFactory
from bookings.models import Booking
from bookings.tests.factories import BuildingFactory, DeskFactory, OpenSpaceFactory, RoomFactory, local
from visits.models import PlaceCode, Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DAY = dt.date(2027, 3, 3)
AXE = Axe()
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
TEXTS = {
    "ru": {"in": "Вы отметились здесь.", "booked": "Место A-1, Зал — ваше до 14:00, приход отмечен."},
    "en": {
        "in": "You are checked in here.",
        "booked": "Desk A-1, Зал is yours until 14:00, and you are checked in.",
    },
}


def _shoot(page: Page, path, size: dict, *, axe: bool = True) -> None:
    """A screenshot at this size, after checking the page fits it and that axe-core finds
    nothing serious or critical (axe-core never finishes where scripts are off)."""
    page.set_viewport_size(size)
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    if axe:
        violations = AXE.run(page).response["violations"]
        assert [v["id"] for v in violations if v["impact"] in {"serious", "critical"}] == []
    page.screenshot(path=path, full_page=True)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_member_scans_a_free_desk_on_a_phone_after_logging_in_and_is_checked_in(
    page: Page, log_in, live_server, artifacts_dir, member, language
):
    member.language = language
    member.save(update_fields=["language"])
    building = BuildingFactory(name="Ленина, 1")
    desk = DeskFactory(label="A-1", room=OpenSpaceFactory(name="Зал", building=building))
    code = PlaceCode.objects.create(desk=desk)
    scan_url = reverse("scan", args=[code.token])
    page.set_viewport_size(PHONE)
    with time_machine.travel(local(building, DAY, 10, 10)):
        # Not logged in yet: the login page, then back to the scan, which checks in by itself.
        log_in(page, member, next_url=scan_url)
        expect(page.get_by_test_id("scan")).to_have_attribute("data-state", "in")
        expect(page.get_by_test_id("scan-status")).to_have_text("✓ " + TEXTS[language]["in"])
        expect(page.locator(".messages")).to_contain_text(TEXTS[language]["booked"])
        booking = Booking.objects.get(user=member)
        assert (booking.desk, booking.start, booking.end) == (
            desk,
            local(building, DAY, 10),
            local(building, DAY, 14),
        )
        assert Visit.objects.get(user=member).booking == booking
        _shoot(page, artifacts_dir / f"scan-checked-in-{language}-390.png", PHONE)
        _shoot(page, artifacts_dir / f"scan-checked-in-{language}-1280.png", DESKTOP)

        # Someone else's desk: until when, other places, no name.
        other = DeskFactory(label="B-1", room=desk.room)
        Booking.objects.create(
            user=UserFactory(full_name="Ирина Занятая"),
            building=building,
            desk=other,
            start=local(building, DAY, 10),
            end=local(building, DAY, 12),
        )
        DeskFactory(label="C-1", room=desk.room)
        page.goto(live_server.url + reverse("scan", args=[PlaceCode.objects.create(desk=other).token]))
        expect(page.get_by_test_id("scan")).to_have_attribute("data-state", "taken")
        expect(page.get_by_test_id("scan-free-at")).to_contain_text("12:00")
        expect(page.get_by_test_id("scan-alternatives").locator("a")).to_have_count(1)
        expect(page.locator("main")).not_to_contain_text("Ирина")
        _shoot(page, artifacts_dir / f"scan-taken-{language}-390.png", PHONE)
        _shoot(page, artifacts_dir / f"scan-taken-{language}-1280.png", DESKTOP)

        page.goto(live_server.url + reverse("scan", args=["no-such-code"]))
        expect(page.get_by_test_id("scan-unknown")).to_be_visible()
        _shoot(page, artifacts_dir / f"scan-unknown-{language}-390.png", PHONE)
        _shoot(page, artifacts_dir / f"scan-unknown-{language}-1280.png", DESKTOP)


def test_member_scans_their_booked_desk_and_is_checked_into_the_booking(
    page: Page, log_in, live_server, member
):
    building = BuildingFactory(name="Ленина, 1")
    desk = DeskFactory(label="A-1", room=OpenSpaceFactory(name="Зал", building=building))
    booking = Booking.objects.create(
        user=member,
        building=building,
        desk=desk,
        start=local(building, DAY, 10),
        end=local(building, DAY, 12),
    )
    code = PlaceCode.objects.create(desk=desk)
    page.set_viewport_size(PHONE)
    with time_machine.travel(local(building, DAY, 9, 55)):
        log_in(page, member)
        page.goto(live_server.url + reverse("scan", args=[code.token]))
        expect(page.get_by_test_id("scan")).to_have_attribute("data-state", "in")
        booking.refresh_from_db()
        assert booking.checked_in_at is not None
        assert Visit.objects.get(user=member).booking == booking
        assert Booking.objects.count() == 1


@pytest.mark.parametrize(("language", "desk"), [("ru", "Место"), ("en", "Desk")])
def test_staff_prints_the_qr_sheet_of_a_building(
    page: Page, log_in, live_server, artifacts_dir, staff, language, desk
):
    staff.language = language
    staff.save(update_fields=["language"])
    building = BuildingFactory(name="Ленина, 1")
    room = OpenSpaceFactory(name="Зал", building=building)
    for label in ("A-1", "A-2", "A-10", "B-1"):
        DeskFactory(label=label, room=room)
    RoomFactory(name="Переговорная «Синяя»", building=building)
    log_in(page, staff)
    page.goto(live_server.url + reverse("admin:spaces_building_change", args=[building.pk]))
    page.get_by_test_id("qr-sheet-link").click()
    cards = page.get_by_test_id("qr-card")
    expect(cards).to_have_count(5)
    expect(cards.locator(".qr-name")).to_have_text(
        [
            f"{desk} A-1, Зал",
            f"{desk} A-2, Зал",
            f"{desk} A-10, Зал",
            f"{desk} B-1, Зал",
            "Переговорная «Синяя»",
        ]
    )
    page.emulate_media(media="print")
    _shoot(page, artifacts_dir / f"qr-sheet-print-{language}-1280.png", DESKTOP)
    page.emulate_media(media="screen")
    _shoot(page, artifacts_dir / f"qr-sheet-{language}-390.png", PHONE)
    _shoot(page, artifacts_dir / f"qr-sheet-{language}-1280.png", DESKTOP)


def test_member_scans_without_javascript_and_presses_the_button(
    browser, log_in, live_server, member, artifacts_dir
):
    building = BuildingFactory(name="Ленина, 1")
    desk = DeskFactory(label="A-1", room=OpenSpaceFactory(name="Зал", building=building))
    code = PlaceCode.objects.create(desk=desk)
    context = browser.new_context(java_script_enabled=False, locale="ru-RU", viewport=PHONE)
    page = context.new_page()
    with time_machine.travel(local(building, DAY, 10, 10)):
        log_in(page, member)
        page.goto(live_server.url + reverse("scan", args=[code.token]))
        expect(page.get_by_test_id("scan")).to_have_attribute("data-state", "free")
        expect(page.get_by_test_id("scan-check-in")).to_have_text("Забронировать до 14:00 и отметиться")
        assert Booking.objects.count() == 0
        _shoot(page, artifacts_dir / "scan-free-ru-390.png", PHONE, axe=False)
        _shoot(page, artifacts_dir / "scan-free-ru-1280.png", DESKTOP, axe=False)
        page.get_by_test_id("scan-check-in").click()
        expect(page.get_by_test_id("scan")).to_have_attribute("data-state", "in")
        assert Visit.objects.get(user=member).booking == Booking.objects.get(user=member)
    context.close()

"""Floor plans in a real Chromium: staff place desks by dragging them on the admin page;
members book from the plan by mouse, by touch and by keyboard, on a phone and a desktop."""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from accounts.tests.factories import UserFactory
from bookings.grid import utc_param
from bookings.tests.factories import BookingFactory, local, tomorrow
from spaces import demo
from spaces.models import Building, Desk, Room
from spaces.tests.conftest import needs_s3
from spaces.tests.factories import FloorPlanFactory

pytestmark = [
    needs_s3,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.within("day"),
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _pokrovka() -> tuple[Building, dt.date]:
    """The demo spaces, with neighbours at A-2 (10:00–13:00, name shown) and A-6 (9:00–15:00)."""
    demo.seed(io.StringIO())
    building = Building.objects.get(name="Коворкинг на Покровке")
    day = tomorrow(building)
    desks = {desk.label: desk for desk in Desk.objects.filter(room__name="Большой опенспейс")}
    shown = UserFactory(full_name="Вера Открытая", visible_to_members=True)
    BookingFactory(
        user=shown, desk=desks["A-2"], start=local(building, day, 10), end=local(building, day, 13)
    )
    BookingFactory(desk=desks["A-6"], start=local(building, day, 9), end=local(building, day, 15))
    return building, day


def _find_url(live_server, building: Building, day: dt.date, start: str = "10:00", end: str = "13:00") -> str:
    query = f"?building={building.pk}&date={day.isoformat()}&start_time={start}&end_time={end}"
    return live_server.url + reverse("bookings:find") + query


def _booking_query(page: Page) -> dict[str, str]:
    expect(page).to_have_url(re.compile(re.escape(reverse("bookings:new")) + r"\?"))
    return {key: values[0] for key, values in parse_qs(urlsplit(page.url).query).items()}


def _shoot(page: Page, artifacts_dir, name: str) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=artifacts_dir / f"floor-plan-{name}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], name


def _serious_axe_violations(page: Page) -> list[str]:
    """What axe-core finds serious or critical on the page, as "rule: first target"."""
    found = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['nodes'][0]['target']}" for v in found if v["impact"] in {"serious", "critical"}]


def _plan_loaded(page: Page) -> None:
    """The plan image loads from the object store under the page's CSP (img-src)."""
    size = page.evaluate(
        """() => new Promise(resolve => {
            const picture = new Image();
            picture.onload = () => resolve([picture.naturalWidth, picture.naturalHeight]);
            picture.onerror = () => resolve(null);
            picture.src = document.querySelector('.plan-svg image').getAttribute('href');
        })"""
    )
    assert size == [1200, 750]


def test_staff_drag_desks_onto_the_plan_and_save_them_as_fractions(
    page: Page, log_in, live_server, staff, artifacts_dir
):
    demo.seed(io.StringIO())
    quiet = Room.objects.get(name="Тихий зал")
    FloorPlanFactory(room=quiet, size=(1600, 1000))
    log_in(page, staff)
    page.goto(live_server.url + reverse("admin:spaces_room_change", args=[quiet.pk]))
    editor = page.get_by_test_id("plan-editor")
    editor.scroll_into_view_if_needed()
    image = editor.locator("svg image").bounding_box()

    # By mouse: Т-1 from the tray below the plan to a quarter across, 40 % down.
    marker = editor.locator('[data-label="Т-1"]')
    box = marker.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    target = (image["x"] + image["width"] * 0.25, image["y"] + image["height"] * 0.4)
    page.mouse.move(*target, steps=12)
    page.mouse.up()
    expect(marker).to_have_attribute("aria-label", "Т-1: на плане")
    # By keyboard: Т-2 onto the middle of the plan, then a step right.
    second = editor.locator('[data-label="Т-2"]')
    second.focus()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowRight")
    _shoot(page, artifacts_dir, "admin-editor")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    positions = {
        label: (x, y) for label, x, y in quiet.desks.values_list("label", "plan_x", "plan_y") if x is not None
    }
    assert set(positions) == {"Т-1", "Т-2"}
    assert positions["Т-1"] == pytest.approx((0.25, 0.4), abs=0.01)
    assert positions["Т-2"] == (0.51, 0.5)
    # The saved desk comes back where it was dropped.
    moved = page.get_by_test_id("plan-editor").locator('[data-label="Т-1"]').bounding_box()
    image = page.get_by_test_id("plan-editor").locator("svg image").bounding_box()
    centre = (moved["x"] + moved["width"] / 2 - image["x"], moved["y"] + moved["height"] / 2 - image["y"])
    assert centre == pytest.approx((image["width"] * 0.25, image["height"] * 0.4), abs=3)


def test_member_books_from_the_plan_with_the_mouse(page: Page, log_in, live_server, member, artifacts_dir):
    building, day = _pokrovka()
    log_in(page, member)
    page.goto(_find_url(live_server, building, day))
    plan = page.get_by_test_id("room-plan").filter(has_text="Большой опенспейс")
    expect(plan.get_by_test_id("plan-desk")).to_have_count(16)
    _plan_loaded(page)
    expect(plan).to_contain_text("14 из 16 мест свободно")
    taken = plan.locator('[data-desk="A-2"]')
    expect(taken).to_have_attribute("data-state", "taken")
    expect(taken).to_contain_text("до 13:00")
    expect(taken).to_have_attribute(
        "aria-label", "Место A-2 (док-станция, монитор): занято (Вера Открытая) до 13:00. Посмотреть неделю"
    )
    # Tiles of a room on the plan only repeat it: they are hidden while the plan is shown.
    expect(page.get_by_test_id("desk-group").filter(has_text="Большой опенспейс")).to_be_hidden()

    assert _serious_axe_violations(page) == []

    free = plan.locator('[data-desk="A-1"]')
    free.hover()
    expect(plan.get_by_role("tooltip")).to_contain_text("док-станция")
    _shoot(page, artifacts_dir, "find-ru-desktop")
    free.click()

    query = _booking_query(page)
    desk = Desk.objects.get(room__name="Большой опенспейс", label="A-1")
    assert query == {
        "desk": str(desk.pk),
        "start": utc_param(local(building, day, 10)),
        "end": utc_param(local(building, day, 13)),
    }
    expect(page.get_by_test_id("place-card")).to_contain_text("A-1")

    page.goto(f"{live_server.url}{reverse('bookings:day', args=[building.pk])}?date={day.isoformat()}")
    _plan_loaded(page)
    _shoot(page, artifacts_dir, "day-ru-desktop")


def test_member_switches_between_the_plan_and_the_list(page: Page, log_in, live_server, member):
    building, day = _pokrovka()
    log_in(page, member)
    page.goto(_find_url(live_server, building, day))
    hall_tiles = page.get_by_test_id("desk-group").filter(has_text="Большой опенспейс")

    page.get_by_role("button", name="Списком").click()
    expect(page.get_by_test_id("room-plan")).to_have_count(1)
    expect(page.get_by_test_id("room-plan").first).to_be_hidden()
    expect(hall_tiles).to_be_visible()
    # Remembered on this device.
    page.reload()
    expect(page.get_by_role("button", name="Списком")).to_have_attribute("aria-pressed", "true")
    expect(hall_tiles).to_be_visible()
    page.get_by_role("button", name="На плане").click()
    expect(page.get_by_test_id("room-plan").first).to_be_visible()
    expect(hall_tiles).to_be_hidden()
    # Another time: htmx swaps the results in, plan and all, and the plan's script runs again.
    page.get_by_test_id("find-form").locator("input[name=end_time]").fill("11:00")
    expect(page.get_by_test_id("results")).to_contain_text("10:00–11:00")
    expect(page.get_by_test_id("room-plan").locator('[data-desk="A-1"]')).to_have_attribute(
        "aria-label", re.compile("10:00–11:00")
    )
    expect(page.get_by_role("button", name="Списком")).to_be_visible()
    expect(hall_tiles).to_be_hidden()


def test_member_books_from_the_plan_by_touch_on_a_phone(
    browser: Browser, log_in, live_server, member, artifacts_dir
):
    building, day = _pokrovka()
    context = browser.new_context(has_touch=True, is_mobile=True, viewport=PHONE, locale="ru-RU")
    page = context.new_page()
    log_in(page, member)
    ten = utc_param(local(building, day, 10))
    page.goto(
        f"{live_server.url}{reverse('bookings:day', args=[building.pk])}?date={day.isoformat()}&at={ten}"
    )
    plan = page.get_by_test_id("room-plan").filter(has_text="Большой опенспейс")
    _plan_loaded(page)
    expect(plan.locator('[data-desk="A-6"]')).to_have_attribute("data-state", "taken")
    for marker in plan.get_by_test_id("plan-desk").all():
        box = marker.locator(".plan-spot-hit").bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44
    assert _serious_axe_violations(page) == []
    _shoot(page, artifacts_dir, "day-ru-phone")
    page.goto(_find_url(live_server, building, day))
    _plan_loaded(page)
    _shoot(page, artifacts_dir, "find-ru-phone")
    page.go_back()

    page.get_by_test_id("room-plan").filter(has_text="Большой опенспейс").locator('[data-desk="A-5"]').tap()

    desk = Desk.objects.get(room__name="Большой опенспейс", label="A-5")
    assert _booking_query(page) == {
        "desk": str(desk.pk),
        "start": ten,
        "end": utc_param(local(building, day, 10, 30)),
    }
    context.close()


@pytest.mark.language("en")
def test_member_books_from_the_plan_with_the_keyboard(page: Page, log_in, live_server, member, artifacts_dir):
    building, day = _pokrovka()
    log_in(page, member)
    page.goto(_find_url(live_server, building, day))
    _plan_loaded(page)
    _shoot(page, artifacts_dir, "find-en-desktop")

    for _press in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.testid") == "plan-desk":
            break
    focused = page.evaluate("[document.activeElement.dataset.desk, document.activeElement.dataset.state]")
    assert focused == ["A-1", "free"]
    expect(page.get_by_role("tooltip").first).to_contain_text("Desk A-1")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.desk") == "A-2"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")

    desk = Desk.objects.get(room__name="Большой опенспейс", label="A-1")
    assert _booking_query(page)["desk"] == str(desk.pk)

    page.goto(f"{live_server.url}{reverse('bookings:day', args=[building.pk])}?date={day.isoformat()}")
    _plan_loaded(page)
    assert _serious_axe_violations(page) == []
    _shoot(page, artifacts_dir, "day-en-desktop")
    page.set_viewport_size(PHONE)
    _shoot(page, artifacts_dir, "day-en-phone")
    page.goto(_find_url(live_server, building, day))
    _plan_loaded(page)
    _shoot(page, artifacts_dir, "find-en-phone")
    page.set_viewport_size(DESKTOP)

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from spaces import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def _loaded(page: Page, selector: str) -> bool:
    """The first image matching `selector` loads (from the object store, under the CSP)."""
    page.locator(selector).first.wait_for()
    page.wait_for_function(
        "selector => { const img = document.querySelector(selector); return img && img.complete; }",
        arg=selector,
        timeout=10_000,
    )
    return page.locator(selector).first.evaluate("img => img.naturalWidth > 0")


def _shoot(page: Page, artifacts_dir, name: str) -> None:
    # Scroll through once so lazy images further down load before the full-page shot.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_load_state("networkidle")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=artifacts_dir / f"spaces-{name}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_member_browses_buildings_then_a_building_then_a_room(
    page: Page, log_in, live_server, artifacts_dir, member, password
):
    demo.seed(io.StringIO())
    log_in(page, member)

    page.get_by_role("navigation", name="Основное меню").get_by_role("link", name="Пространства").click()
    expect(page.locator("h1")).to_have_text("Наши пространства")
    expect(page.get_by_test_id("building-card")).to_have_count(2)
    berlin = page.get_by_test_id("building-card").filter(has_text="Berlin Hub")
    expect(berlin.get_by_test_id("open-status")).to_have_text("Открыто круглосуточно")
    expect(berlin.get_by_test_id("hours-today")).to_have_text("круглосуточно")
    assert _loaded(page, ".space-cover")
    _shoot(page, artifacts_dir, "buildings")

    page.get_by_test_id("building-card").filter(has_text="Коворкинг на Покровке").click()
    expect(page.locator("h1")).to_have_text("Коворкинг на Покровке")
    expect(page.get_by_test_id("time-zone")).to_contain_text("Europe/Moscow, UTC+03:00")
    expect(page.locator(".floor-title")).to_have_text(["Этаж 2", "Этаж 3"])
    assert _loaded(page, ".gallery img")
    _shoot(page, artifacts_dir, "building")

    page.get_by_test_id("room-card").filter(has_text="Большой опенспейс").click()
    expect(page.locator("h1")).to_have_text("Большой опенспейс")
    expect(page.get_by_test_id("desk")).to_have_count(16)
    expect(page.get_by_test_id("desk").first).to_contain_text("A-1")
    _shoot(page, artifacts_dir, "room")

    page.set_viewport_size(PHONE)
    for name, url in [
        ("room-phone", page.url),
        ("building-phone", page.locator(".crumbs a").nth(1).get_attribute("href")),
        ("buildings-phone", reverse("spaces:building_list")),
    ]:
        page.goto(url if url.startswith("http") else live_server.url + url)
        expect(page.locator("h1")).to_be_visible()
        _shoot(page, artifacts_dir, name)

"""Every member page in both languages, in a real Chromium: axe-core (vendored in
axe-playwright-python, no CDN) finds nothing serious or critical, no page scrolls
sideways on a phone, and a screenshot at 390×844 and 1280×800 of each is saved under
artifacts/member-pages/ for a person to look at.

One browser context per language, one page reused for every address: the test stays
quick however many pages there are.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from accounts.tests.factories import UserFactory
from bookings.tests.factories import (
    BookingFactory,
    BuildingFactory,
    DeskFactory,
    OpenSpaceFactory,
    RoomFactory,
    local,
)
from visits.tests.factories import VisitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Tuesday 1 June 2027, 12:10 in Moscow.
NOW = dt.datetime(2027, 6, 1, 9, 10, tzinfo=dt.UTC)
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
SERIOUS = {"serious", "critical"}
# Pages whose phone layout is built differently (the menu button, the turned day grid),
# so axe looks at them on the phone too; the others only reflow.
PHONE_AXE = {"home", "day"}


def _member_pages(member) -> dict[str, str]:
    """A lived-in space and the address of every page a member sees."""
    BuildingFactory(name="Berlin", time_zone="Europe/Berlin")
    moscow = BuildingFactory(name="Москва", address="Москва, ул. Покровка, 27")
    hall = OpenSpaceFactory(building=moscow, name="Большой зал", floor=2)
    desks = [DeskFactory(room=hall, label=f"A-{n}") for n in range(1, 9)]
    room = RoomFactory(building=moscow, name="Переговорная", capacity=8)
    member.home_building = moscow
    member.save()
    today, tomorrow = dt.date(2027, 6, 1), dt.date(2027, 6, 2)
    upcoming = BookingFactory(
        user=member, desk=desks[0], start=local(moscow, tomorrow, 10), end=local(moscow, tomorrow, 13)
    )
    past = BookingFactory(
        user=member,
        desk=desks[1],
        start=local(moscow, today - dt.timedelta(days=3), 9),
        end=local(moscow, today - dt.timedelta(days=3), 12),
    )
    neighbour = UserFactory()
    for index, desk in enumerate(desks[2:6]):
        BookingFactory(
            user=neighbour,
            desk=desk,
            start=local(moscow, today, 13 + index),
            end=local(moscow, today, 15 + index),
        )
    VisitFactory(user=member, building=moscow, checked_in_at=NOW - dt.timedelta(days=2), closed=True)
    return {
        "home": reverse("home"),
        "profile": reverse("accounts:profile"),
        "leaderboard": reverse("accounts:leaderboard"),
        "spaces": reverse("spaces:building_list"),
        "building": reverse("spaces:building_detail", args=[moscow.pk]),
        "room": reverse("spaces:room_detail", args=[hall.pk]),
        "find": reverse("bookings:find"),
        "day": reverse("bookings:day", args=[moscow.pk]),
        "desk-week": reverse("bookings:desk_week", args=[desks[0].pk]),
        "room-week": reverse("bookings:room_week", args=[room.pk]),
        "new": reverse("bookings:new") + f"?desk={desks[6].pk}",
        "series-new": reverse("bookings:series_new"),
        "booking": reverse("bookings:detail", args=[upcoming.pk]),
        "past-booking": reverse("bookings:detail", args=[past.pk]),
        "mine": reverse("bookings:mine"),
        "calendar": reverse("bookings:feed_settings"),
        "visits": reverse("visits:history"),
        "who-is-in": reverse("visits:who_is_in"),
        "donations": reverse("donations:wall"),
        "donate": reverse("donations:donate"),
    }


def test_member_pages_pass_axe_fit_a_phone_and_are_photographed(
    browser, live_server, artifacts_dir, member, password
):
    pages = _member_pages(member)
    folder = artifacts_dir / "member-pages"
    folder.mkdir(exist_ok=True)
    axe = Axe()
    problems: dict[str, list[str]] = {}
    too_wide: list[str] = []
    with time_machine.travel(NOW):
        for language in ("ru", "en"):
            member.language = language
            member.save(update_fields=["language"])
            context = browser.new_context(locale=language, viewport=VIEWPORTS["desktop"])
            page = context.new_page()
            page.goto(f"{live_server.url}{reverse('account_login')}")
            page.fill("input[name=login]", member.email)
            page.fill("input[name=password]", password)
            page.locator("main form button[type=submit]").click()
            page.get_by_test_id("logout").wait_for()
            for name, url in pages.items():
                page.set_viewport_size(VIEWPORTS["desktop"])
                response = page.goto(live_server.url + url)
                if response.status != 200:
                    problems.setdefault(f"{name} ({language})", []).append(f"HTTP {response.status}")
                for size, viewport in VIEWPORTS.items():
                    page.set_viewport_size(viewport)
                    page.screenshot(path=folder / f"{name}-{language}-{size}.png", full_page=True)
                    if (
                        size == "phone"
                        and page.evaluate("document.documentElement.scrollWidth") > viewport["width"]
                    ):
                        too_wide.append(f"{name} ({language})")
                    if size == "phone" and name not in PHONE_AXE:
                        continue
                    found = axe.run(page).response["violations"]
                    for violation in found:
                        if violation["impact"] in SERIOUS:
                            targets = [", ".join(node["target"]) for node in violation["nodes"]][:3]
                            problems.setdefault(f"{name} ({language}, {size})", []).append(
                                f"{violation['id']}: {targets}"
                            )
            context.close()
    assert (problems, too_wide) == ({}, [])

"""A member reads on their booking's page, in a real Chromium, that staff moved it and why."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from audit import trail
from audit.models import Action
from bookings.tests.factories import BookingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}])
def test_a_member_reads_the_history_of_their_booking(
    page: Page, log_in, live_server, artifacts_dir, member, staff, viewport
):
    booking = BookingFactory(user=member)
    trail.record(
        Action.BOOKING_MOVED, booking, actor=staff, member=member, reason="Ремонт в зале, перенесли на час"
    )
    page.set_viewport_size(viewport)
    url = reverse("bookings:detail", args=[booking.pk])
    log_in(page, member, url)
    page.goto(live_server.url + url)
    expect(page.get_by_test_id("history-entry")).to_have_count(1)
    expect(page.get_by_test_id("history-reason")).to_have_text("Ремонт в зале, перенесли на час")
    page.screenshot(path=artifacts_dir / f"booking-history-{viewport['width']}.png", full_page=True)

"""Staff cancel bookings from the admin in a real Chromium: the action asks for a reason first."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import Page, expect

from bookings.models import Booking
from bookings.tests.factories import BookingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_cancel_bookings_from_the_admin_with_a_reason(
    page: Page, log_in, live_server, artifacts_dir, staff, password
):
    bookings = [BookingFactory(), BookingFactory()]
    kept = BookingFactory()
    changelist = reverse("admin:bookings_booking_changelist")
    log_in(page, staff, reverse("bookings:staff_list"))
    page.goto(live_server.url + changelist)
    page.screenshot(path=artifacts_dir / "bookings-admin-list.png", full_page=True)
    for booking in bookings:
        page.locator(f"input[name=_selected_action][value='{booking.pk}']").check()
    page.locator("select[name=action]").select_option("cancel_selected")
    page.locator("button[name=index]").click()

    expect(page.locator("textarea[name=reason]")).to_be_visible()
    page.fill("textarea[name=reason]", "Плановая уборка зала.")
    page.screenshot(path=artifacts_dir / "bookings-admin-cancel.png", full_page=True)
    page.locator("#content form input[type=submit]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    assert set(Booking.objects.filter(status=Booking.Status.CANCELLED).values_list("pk", flat=True)) == {
        b.pk for b in bookings
    }
    kept.refresh_from_db()
    assert kept.status == Booking.Status.CONFIRMED
    assert sorted(email.to[0] for email in mail.outbox) == sorted(b.user.email for b in bookings)
    assert all("Плановая уборка зала." in email.body for email in mail.outbox)

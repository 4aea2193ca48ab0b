"""Any filtered admin list downloads as CSV, streamed, with formulas defused."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from bookings.models import Booking
from bookings.tests.factories import BookingFactory
from donations.tests.factories import DonationFactory
from visits.tests.factories import VisitFactory

pytestmark = pytest.mark.django_db


def export(client, changelist: str, query: str = "") -> list[list[str]]:
    """ "Select all" across the filtered list, as the admin's page sends it (with the
    visible page's first row ticked)."""
    response = client.post(
        f"{reverse(changelist)}{query}",
        {"action": "export_csv", "select_across": "1", "index": "0", "_selected_action": ["0"]},
    )
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_filtered_bookings_come_out_and_only_they(client, staff):
    kept = BookingFactory(
        user=UserFactory(full_name='=HYPERLINK("http://evil")'), status=Booking.Status.CANCELLED
    )
    BookingFactory()
    client.force_login(staff)
    rows = export(client, "admin:bookings_booking_changelist", "?status__exact=cancelled")
    assert rows[0][:3] == ["участник", "email", "здание"]
    assert len(rows) == 2
    assert rows[1][0] == '\'=HYPERLINK("http://evil")'
    assert rows[1][1] == kept.user.email
    assert rows[1][6] == "Отменено"


def test_visits_donations_and_members_export_too(client, staff):
    VisitFactory.create_batch(3)
    DonationFactory(amount=Decimal("250.00"), message="+cmd")
    client.force_login(staff)
    assert len(export(client, "admin:visits_visit_changelist")) == 1 + 3
    donations = export(client, "admin:donations_donation_changelist")
    assert len(donations) == 2 and "'+cmd" in donations[1] and "250.00" in donations[1]
    members = export(client, "admin:accounts_user_changelist", f"?q={staff.email}")
    assert members[1][:2] == [staff.email, "Staff Person"]


def test_the_front_desk_exports_bookings_but_not_donations(client, front_desk):
    BookingFactory()
    DonationFactory()
    client.force_login(front_desk)
    assert len(export(client, "admin:bookings_booking_changelist")) == 2
    response = client.post(
        reverse("admin:donations_donation_changelist"),
        {"action": "export_csv", "select_across": "1", "index": "0"},
    )
    assert response.status_code == 403

"""The Russian admin speaks Russian and lists read at a glance."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bookings.tests.factories import BookingFactory, BuildingFactory
from donations.tests.factories import DonationFactory

pytestmark = pytest.mark.django_db


def test_a_booking_page_names_every_field_in_russian(client, staff):
    booking = BookingFactory()
    client.force_login(staff)
    page = client.get(reverse("admin:bookings_booking_change", args=[booking.pk])).text
    for label in ("Серия", "Кем создано", "Версия в календаре", "Кем отменено"):
        assert f"<label>{label}:</label>" in page
    for english in ("Series", "Created by", "Sequence", "Cancelled by"):
        assert english not in page


def test_the_date_drill_down_and_empty_choices_speak_russian(client, staff):
    BookingFactory()
    client.force_login(staff)
    assert "Фильтр по полю" in client.get(reverse("admin:bookings_booking_changelist")).text
    page = client.get(reverse("admin:spaces_desk_add")).text
    assert "— Выберите —" in page and "Select an option" not in page


def test_the_donations_list_numbers_rows_without_a_raw_pk_header(client, staff):
    donation = DonationFactory()
    client.force_login(staff)
    page = client.get(reverse("admin:donations_donation_changelist")).text
    assert f">#{donation.pk}</a>" in page
    assert "column-number" in page and "column-pk" not in page


def test_opening_hours_read_08_00(client, staff):
    building = BuildingFactory()
    client.force_login(staff)
    page = client.get(reverse("admin:spaces_building_change", args=[building.pk])).text
    assert 'value="08:00"' in page and 'value="08:00:00"' not in page

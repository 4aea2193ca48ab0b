"""A member's booking page lists what staff did to that booking and why ("History"): only
entries about that member, never another's, in a fixed number of queries."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from audit import trail
from audit.models import Action
from bookings import services as bookings
from bookings.tests.factories import BookingFactory, DeskFactory, local, tomorrow

pytestmark = pytest.mark.django_db


def _history(html: str) -> list[str]:
    """Each entry's action and reason, as the member reads them."""
    entries = re.findall(r'data-testid="history-entry">(.*?)</li>', html, re.S)
    return [
        " ".join(re.findall(r'data-testid="history-(?:action|reason)">([^<]*)<', entry)) for entry in entries
    ]


def test_a_member_sees_what_staff_did_to_their_booking(client, staff, member):
    desk = DeskFactory()
    building = desk.room.building
    day = tomorrow(building)
    booking = bookings.create_booking(
        user=member, resource=desk, start=local(building, day, 10), end=local(building, day, 11), by=staff
    )
    bookings.reschedule_booking(
        booking, start=local(building, day, 12), end=local(building, day, 13), by=staff
    )
    client.force_login(member)
    page = client.get(reverse("bookings:detail", args=[booking.pk])).text
    assert _history(page) == ["Бронирование перенесено", "Забронировано за участника"]
    assert "Staff Person" in page.split('data-testid="history"')[1]


def test_another_members_entries_never_show(client, staff, member):
    booking = BookingFactory(user=member)
    other = BookingFactory()
    bookings.cancel_booking(other, by=staff, reason="Чужая причина")
    # An entry about this very booking, but about someone else: not this member's to read.
    trail.record(Action.BOOKING_MOVED, booking, actor=staff, member=other.user, reason="Не вам")
    trail.record(Action.BOOKING_MOVED, booking, actor=staff, member=member, reason="Вам")
    client.force_login(member)
    page = client.get(reverse("bookings:detail", args=[booking.pk])).text
    assert _history(page) == ["Бронирование перенесено Вам"]
    assert "Чужая причина" not in page and "Не вам" not in page


def test_a_booking_staff_never_touched_has_no_history(client, member):
    booking = BookingFactory(user=member)
    client.force_login(member)
    page = client.get(reverse("bookings:detail", args=[booking.pk])).text
    assert 'data-testid="history"' not in page


@pytest.mark.parametrize("count", [1, 3])
def test_the_booking_page_query_count_is_fixed(client, staff, member, django_assert_num_queries, count):
    booking = BookingFactory(user=member)
    for number in range(count):
        trail.record(Action.BOOKING_MOVED, booking, actor=staff, member=member, reason=f"Причина {number}")
    client.force_login(member)
    url = reverse("bookings:detail", args=[booking.pk])
    client.get(url)  # the content types are cached from here on, as in a running server
    with django_assert_num_queries(6):
        page = client.get(url).text
    assert len(_history(page)) == count

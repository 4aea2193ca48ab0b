"""The demo week of bookings: made through the rules, idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.utils import timezone

from accounts import demo as accounts_demo
from bookings import demo
from bookings.models import Booking
from bookings.tests.factories import DeskFactory, OpenSpaceFactory, RoomFactory

pytestmark = pytest.mark.django_db


def test_demo_books_a_week_around_today_once():
    accounts_demo.seed(StringIO())
    hall = OpenSpaceFactory(name="Hall")
    for n in range(8):
        DeskFactory(room=hall, label=f"A-{n}")
    RoomFactory(building=hall.building, name="Board room")
    first, second = StringIO(), StringIO()

    demo.seed(first)
    count = Booking.objects.count()
    demo.seed(second)

    now = timezone.now()
    member_upcoming = Booking.objects.filter(user__email="member@example.com").upcoming(now)
    assert count > 20
    assert Booking.objects.count() == count
    assert member_upcoming.count() >= 3
    assert Booking.objects.filter(end__lte=now).exists()
    assert not Booking.objects.filter(notifications__isnull=False).exists()  # notify=False
    assert first.getvalue().startswith(f"Bookings: {count} created, ")
    assert second.getvalue() == "Bookings: already there, none added."

"""The private calendar feed: its settings page and what calendar apps read from it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.tests.factories import UserFactory
from bookings import services
from bookings.models import CalendarFeed
from bookings.tests.factories import BookingFactory, DeskFactory, local, tomorrow

pytestmark = pytest.mark.django_db


def _events(response) -> dict[str, dict]:
    calendar = Calendar.from_ical(response.content)
    return {
        str(event["uid"]): {
            "start": event.decoded("dtstart"),
            "status": str(event["status"]),
            "sequence": int(event["sequence"]),
        }
        for event in calendar.walk("VEVENT")
    }


def test_feed_settings_show_the_private_url_and_regenerate_revokes_it(client, member):
    client.force_login(member)

    first = client.get(reverse("bookings:feed_settings"))
    assert CalendarFeed.objects.filter(user=member).exists() is False  # a GET makes no secret
    assert 'data-testid="create-feed"' in first.text
    created = client.post(reverse("bookings:feed_settings"))
    assert created["Location"] == reverse("bookings:feed_settings")
    page = client.get(reverse("bookings:feed_settings"))
    old = CalendarFeed.objects.get(user=member).token
    regenerated = client.post(reverse("bookings:feed_settings"))
    new = CalendarFeed.objects.get(user=member).token

    assert page.context["url"] == f"http://testserver{reverse('bookings:feed', args=[old])}"
    assert page.context["webcal_url"] == f"webcal://testserver{reverse('bookings:feed', args=[old])}"
    assert f'value="{page.context["url"]}"' in page.text
    assert regenerated["Location"] == reverse("bookings:feed_settings")
    assert new != old
    assert client.get(reverse("bookings:feed", args=[old])).status_code == 404
    assert client.get(reverse("bookings:feed", args=[new])).status_code == 200


def test_feed_publishes_upcoming_and_recently_cancelled_bookings(client, member):
    desk = DeskFactory()
    building = desk.room.building
    day = tomorrow(building)
    upcoming = BookingFactory(
        user=member, desk=desk, start=local(building, day, 9), end=local(building, day, 10)
    )
    cancelled = BookingFactory(
        user=member, desk=desk, start=local(building, day, 11), end=local(building, day, 12)
    )
    services.cancel_booking(cancelled, by=member, notify=False)
    yesterday = BookingFactory(
        user=member,
        desk=desk,
        start=timezone.now() - dt.timedelta(days=1, hours=1),
        end=timezone.now() - dt.timedelta(days=1),
    )
    long_ago = BookingFactory(
        user=member,
        desk=desk,
        start=timezone.now() - dt.timedelta(days=45),
        end=timezone.now() - dt.timedelta(days=45) + dt.timedelta(hours=1),
    )
    BookingFactory(desk=desk, start=local(building, day, 13), end=local(building, day, 14))  # someone else's
    token = CalendarFeed.objects.create(user=member).token

    first = client.get(reverse("bookings:feed", args=[token]))  # no login: calendar apps fetch it
    second = client.get(reverse("bookings:feed", args=[token]))

    assert first["Content-Type"] == "text/calendar; charset=utf-8"
    events = _events(first)
    host = "localhost"
    assert events == {
        f"booking-{upcoming.pk}@{host}": {"start": upcoming.start, "status": "CONFIRMED", "sequence": 0},
        f"booking-{cancelled.pk}@{host}": {"start": cancelled.start, "status": "CANCELLED", "sequence": 1},
        # Recent history stays, so subscribed calendars keep yesterday's booking.
        f"booking-{yesterday.pk}@{host}": {
            "start": yesterday.start.replace(microsecond=0),
            "status": "CONFIRMED",
            "sequence": 0,
        },
    }
    assert first.content.count(b"DTSTART:") == 3
    assert [line.endswith(b"Z") for line in first.content.splitlines() if line.startswith(b"DTSTART")] == [
        True
    ] * 3
    assert _events(second) == events  # stable UIDs: calendars update, never duplicate
    assert f"booking-{long_ago.pk}@{host}" not in events


def test_feed_of_an_unknown_token_or_a_deactivated_member_is_404(client):
    gone = UserFactory(is_active=False)
    token = CalendarFeed.objects.create(user=gone).token

    assert client.get(reverse("bookings:feed", args=["not-a-token"])).status_code == 404
    assert client.get(reverse("bookings:feed", args=[token])).status_code == 404

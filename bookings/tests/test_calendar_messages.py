"""What calendar apps read from the booking emails and the feed (RFC 5545 / iTIP, RFC 5546).

Outlook, Google and Apple apply an emailed calendar file to the event of the same UID:
METHOD:REQUEST adds or updates it, METHOD:CANCEL removes it, and the higher SEQUENCE
wins. The feed and the .ics download publish (METHOD:PUBLISH).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from bookings import services
from bookings.models import Booking, BookingSeries, CalendarFeed
from bookings.tests.factories import local

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]

NOW = dt.datetime(2027, 6, 1, 6, tzinfo=dt.UTC)  # Tuesday 09:00 in Moscow
DAY = dt.date(2027, 6, 2)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _calendar(message) -> tuple[str, Calendar]:
    [(filename, content, mimetype)] = message.attachments
    assert filename == "booking.ics"
    return mimetype, Calendar.from_ical(content)


def _read(event) -> dict:
    """What a calendar app keeps of an event."""
    return {
        "uid": str(event["uid"]),
        "sequence": event["sequence"],
        "status": str(event["status"]),
        "start": event.decoded("dtstart"),
        "end": event.decoded("dtend"),
    }


def test_a_cancellation_removes_the_event_the_confirmation_added(
    member, desk, building, django_capture_on_commit_callbacks
):
    start, end = local(building, DAY, 10), local(building, DAY, 12)
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.create_booking(user=member, resource=desk, start=start, end=end)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_booking(booking, by=member)

    confirmation, cancellation = mail.outbox
    added_type, added = _calendar(confirmation)
    removed_type, removed = _calendar(cancellation)
    [added_event] = added.walk("VEVENT")
    [removed_event] = removed.walk("VEVENT")
    uid = f"booking-{booking.pk}@localhost"
    assert (added_type, str(added["method"])) == ("text/calendar; charset=utf-8; method=REQUEST", "REQUEST")
    assert (removed_type, str(removed["method"])) == ("text/calendar; charset=utf-8; method=CANCEL", "CANCEL")
    assert _read(added_event) == {
        "uid": uid,
        "sequence": 0,
        "status": "CONFIRMED",
        "start": start,
        "end": end,
    }
    assert _read(removed_event) == {
        "uid": uid,
        "sequence": 1,
        "status": "CANCELLED",
        "start": start,
        "end": end,
    }
    # Times in UTC ("Z"), which every app places right whatever its own zone.
    assert added_event["dtstart"].to_ical() == b"20270602T070000Z"
    # iTIP messages name who organises the event and who attends it.
    for event in (added_event, removed_event):
        assert (str(event["organizer"]), str(event["attendee"])) == (
            f"mailto:{settings.DEFAULT_FROM_EMAIL}",
            f"mailto:{member.email}",
        )


def test_the_feed_and_the_download_publish(client, member, desk, building):
    booking = services.create_booking(
        user=member, resource=desk, start=local(building, DAY, 10), end=local(building, DAY, 12), notify=False
    )
    feed = CalendarFeed.objects.create(user=member)
    client.force_login(member)

    download = Calendar.from_ical(client.get(reverse("bookings:ics", args=[booking.pk])).content)
    published = Calendar.from_ical(client.get(reverse("bookings:feed", args=[feed.token])).content)

    assert (str(download["method"]), str(published["method"])) == ("PUBLISH", "PUBLISH")
    assert [str(e["uid"]) for e in published.walk("VEVENT")] == [f"booking-{booking.pk}@localhost"]
    assert "organizer" not in published.walk("VEVENT")[0]


def test_cancelling_this_and_the_following_cancels_each_in_the_calendar(
    member, desk, building, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _series, occurrences = services.book_series(
            user=member,
            resource=desk,
            frequency=BookingSeries.Frequency.DAILY,
            weekdays=[],
            first=DAY,
            until=None,
            count=4,
            start_time=dt.time(10),
            end_time=dt.time(11),
        )
    first, second, third, fourth = (occurrence.booking for occurrence in occurrences)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_series_from(second, by=member)

    [message] = mail.outbox
    mimetype, calendar = _calendar(message)
    assert (mimetype, str(calendar["method"])) == ("text/calendar; charset=utf-8; method=CANCEL", "CANCEL")
    assert [(str(e["uid"]), e["sequence"], str(e["status"])) for e in calendar.walk("VEVENT")] == [
        (f"booking-{booking.pk}@localhost", 1, "CANCELLED") for booking in (second, third, fourth)
    ]
    assert message.subject == "3 bookings cancelled: Desk A-1, Hall"
    assert "  • Fri 4 June 2027, 10:00–11:00\n" in message.body
    assert Booking.objects.get(pk=first.pk).is_active

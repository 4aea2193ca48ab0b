"""Which bookings get a reminder: chosen by the service, once each, whoever calls it."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from bookings import services
from bookings.models import Booking, Notification
from bookings.tests.factories import BookingFactory

NOW = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _starting_in(minutes: int, **kwargs) -> Booking:
    start = NOW + dt.timedelta(minutes=minutes)
    return BookingFactory(start=start, end=start + dt.timedelta(hours=1), **kwargs)


def test_reminders_go_to_bookings_starting_within_the_reminder_window_once(db, settings):
    settings.BOOKING_REMINDER_MINUTES = 60
    due = [_starting_in(60), _starting_in(5)]
    _starting_in(61)  # not yet
    _starting_in(0)  # started
    _starting_in(30, status=Booking.Status.CANCELLED)
    assert list(services.due_reminders()) == [due[1], due[0]]
    assert services.queue_reminders() == [due[1], due[0]]
    assert services.queue_reminders() == []
    assert list(services.due_reminders()) == []
    reminded = Notification.objects.filter(kind=Notification.Kind.REMINDER)
    assert sorted(reminded.values_list("booking", flat=True)) == sorted(booking.pk for booking in due)


def test_reminder_command_reports_what_the_service_queued(db):
    _starting_in(30)
    out = StringIO()
    call_command("send_booking_reminders", "--dry-run", stdout=out)
    call_command("send_booking_reminders", stdout=out)
    call_command("send_booking_reminders", stdout=out)
    assert out.getvalue().splitlines() == [
        "Reminders: 1 due (dry run, nothing sent).",
        "Reminders: 1 queued for sending.",
        "Reminders: 0 queued for sending.",
    ]

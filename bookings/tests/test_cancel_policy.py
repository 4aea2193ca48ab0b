"""Until when a booking can be cancelled, decided once; "I won't come" after the cut-off."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from accounts.models import KarmaEntry
from accounts.tests.factories import UserFactory
from bookings import attendance, services
from bookings.models import Booking
from bookings.tests.factories import BookingFactory, DeskFactory, local

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]

NOW = dt.datetime(2027, 6, 1, 6, tzinfo=dt.UTC)  # 09:00 in Moscow; the cut-off is 60 minutes


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _booking(member, desk, minutes_ahead: int) -> Booking:
    """A one-hour booking of a desk beside `desk`, starting `minutes_ahead` from now, made now."""
    start = NOW + dt.timedelta(minutes=minutes_ahead)
    return BookingFactory(
        user=member,
        desk=DeskFactory(room=desk.room),
        start=start,
        end=start + dt.timedelta(hours=1),
        created_at=NOW,
    )


def test_the_policy_is_one_answer_for_members_and_staff(member, staff, desk):
    early, late = _booking(member, desk, 120), _booking(member, desk, 8)
    started = _booking(member, desk, -10)
    started.checked_in_at = NOW - dt.timedelta(minutes=5)

    assert services.cancel_policy(early, by=member) == services.CancelPolicy(
        deadline=early.start - dt.timedelta(minutes=60), can_cancel=True, can_release=False
    )
    assert services.cancel_policy(late, by=member) == services.CancelPolicy(
        deadline=late.start - dt.timedelta(minutes=60), can_cancel=False, can_release=True
    )
    assert services.cancel_policy(late, by=staff).can_cancel is True
    assert services.cancel_policy(late, by=staff).can_release is False  # not theirs to release
    assert services.cancel_policy(started, by=member) == services.CancelPolicy(
        deadline=started.start - dt.timedelta(minutes=60), can_cancel=False, can_release=False
    )


def test_a_booking_inside_the_cut_off_offers_no_cancel_but_i_wont_come(client, member, desk):
    booking = _booking(member, desk, 8)
    client.force_login(member)

    detail = client.get(reverse("bookings:detail", args=[booking.pk]))
    mine = client.get(reverse("bookings:mine"))
    refused = client.post(reverse("bookings:cancel", args=[booking.pk]), follow=True)

    assert 'data-testid="cancel-open"' not in detail.text
    assert 'data-testid="release"' in detail.text
    assert 'data-testid="cancel-open"' not in mine.text
    assert 'data-testid="release-link"' in mine.text
    assert "Bookings can be cancelled up to 60 minutes before the start." in refused.text
    assert Booking.objects.get(pk=booking.pk).is_active


def test_a_booking_before_the_cut_off_says_until_when_it_can_be_cancelled(client, member, desk):
    booking = _booking(member, desk, 180)  # 12:00 Moscow time
    client.force_login(member)

    detail = client.get(reverse("bookings:detail", args=[booking.pk]))
    release = client.post(reverse("bookings:release", args=[booking.pk]), follow=True)

    assert 'data-testid="cancel-open"' in detail.text
    assert "You can cancel until 1 June, 11:00." in detail.text
    assert 'data-testid="release"' not in detail.text
    assert "This booking can still be cancelled." in release.text
    assert Booking.objects.get(pk=booking.pk).is_active


def test_i_wont_come_frees_the_place_without_a_no_show_penalty(
    client, member, desk, frozen_clock, django_capture_on_commit_callbacks
):
    booking = _booking(member, desk, 8)
    client.force_login(member)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("bookings:release", args=[booking.pk]), follow=True)
    frozen_clock.move_to(NOW + dt.timedelta(hours=2))
    released = attendance.release_no_shows()

    booking.refresh_from_db()
    assert "Thank you for letting us know. The place is free for others again." in response.text
    assert (booking.status, booking.cancelled_at, booking.cancelled_by, booking.cancel_reason) == (
        Booking.Status.CANCELLED,
        NOW,
        member,
        "Released: the member will not come.",
    )
    assert services.is_free(booking.desk, booking.start, booking.end)
    assert released == []
    assert list(KarmaEntry.objects.filter(user=member)) == []
    [message] = mail.outbox
    calendar = Calendar.from_ical(message.attachments[0][1])
    assert (str(calendar["method"]), str(calendar.walk("VEVENT")[0]["status"])) == ("CANCEL", "CANCELLED")


def test_nobody_else_releases_a_member_booking(client, member, desk):
    booking = _booking(member, desk, 8)
    client.force_login(UserFactory())

    response = client.post(reverse("bookings:release", args=[booking.pk]))

    assert response.status_code == 404
    with pytest.raises(services.BookingError) as error:
        services.release_booking(booking, by=UserFactory(is_staff=True))
    assert error.value.code == "forbidden"
    assert Booking.objects.get(pk=booking.pk).is_active


def test_a_checked_in_or_finished_booking_cannot_be_released(member, desk):
    checked_in = _booking(member, desk, -10)
    Booking.objects.filter(pk=checked_in.pk).update(checked_in_at=NOW - dt.timedelta(minutes=5))
    finished = BookingFactory(
        user=member, desk=desk, start=local(desk.room.building, dt.date(2027, 5, 31), 10), created_at=NOW
    )

    for booking in (checked_in, finished):
        with pytest.raises(services.BookingError) as error:
            services.release_booking(booking, by=member)
        assert error.value.code == "not_releasable"


def test_staff_see_cancel_inside_the_member_cut_off(client, staff, member, desk):
    _booking(member, desk, 8)
    client.force_login(staff)

    response = client.get(reverse("bookings:staff_list"))

    assert response.text.count('data-testid="staff-cancel"') == 1

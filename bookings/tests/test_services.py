"""The booking rules and guarantees, through bookings.services (real PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from icalendar import Calendar

from accounts.tests.factories import UserFactory
from bookings import services
from bookings.models import Booking, BookingRules, BuildingRules, Notification
from bookings.tests.factories import BookingFactory, BuildingFactory, DeskFactory, local, tomorrow
from coworking.testing import run_concurrently
from spaces.models import Desk

MIDNIGHT = dt.time(0)


def _book(user, desk, start, end, **kwargs) -> Booking:
    return services.create_booking(user=user, resource=desk, start=start, end=end, **kwargs)


def test_back_to_back_bookings_are_allowed(member, desk, building):
    day = tomorrow(building)
    first = _book(member, desk, local(building, day, 9), local(building, day, 13))
    second = _book(UserFactory(), desk, local(building, day, 13), local(building, day, 18))
    assert (first.end, second.start) == (second.start, local(building, day, 13))
    assert Booking.objects.active().count() == 2


def test_overlapping_booking_is_refused_with_alternatives(member, desk, building):
    neighbour = DeskFactory(room=desk.room, label="Z-1")
    day = tomorrow(building)
    _book(member, desk, local(building, day, 9), local(building, day, 13))
    with pytest.raises(services.SlotTaken) as taken:
        _book(UserFactory(), desk, local(building, day, 12, 30), local(building, day, 14))
    assert taken.value.message == "Это время только что заняли."
    assert [(a.resource, a.start, a.end) for a in taken.value.alternatives] == [
        (neighbour, local(building, day, 12, 30), local(building, day, 14))
    ]
    assert Booking.objects.count() == 1


def test_database_refuses_an_overlap_that_skips_the_service(desk, building):
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL's")
    existing = BookingFactory(desk=desk)
    with pytest.raises(IntegrityError, match="booking_no_overlap_desk"), transaction.atomic():
        BookingFactory(desk=desk, start=existing.start + dt.timedelta(minutes=30), end=existing.end)
    # A cancelled booking no longer holds the slot.
    Booking.objects.filter(pk=existing.pk).update(status=Booking.Status.CANCELLED)
    BookingFactory(desk=desk, start=existing.start, end=existing.end)


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_requests_for_one_slot_make_one_booking():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL")
    desk = DeskFactory()
    building = desk.room.building
    day = tomorrow(building)
    start, end = local(building, day, 10), local(building, day, 12)
    members = UserFactory.create_batch(20)

    outcomes = run_concurrently(
        lambda member: _book(member, Desk.objects.get(pk=desk.pk), start, end, notify=False), members
    )
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Booking"] + ["SlotTaken"] * 19
    assert Booking.objects.filter(desk=desk).count() == 1


@pytest.mark.parametrize(
    ("start_hour", "end_hour", "code"),
    [
        (7, 9, "closed"),  # opens at 08:00
        (19, 21, "closed"),  # the end is checked too: closes at 20:00
        (9, 9.25, "grid"),  # a 15-minute end on the 30-minute grid
        (9, 21, "closed"),
    ],
)
def test_rules_refuse_bookings_outside_opening_hours_and_grid(
    member, desk, building, start_hour, end_hour, code
):
    day = tomorrow(building)
    start = local(building, day, int(start_hour), int(start_hour % 1 * 60))
    end = local(building, day, int(end_hour), int(end_hour % 1 * 60))
    with pytest.raises(services.BookingError) as error:
        _book(member, desk, start, end)
    assert error.value.code == code
    assert Booking.objects.count() == 0


def test_rules_refuse_the_past_and_durations_outside_the_limits(member, desk, building):
    rules = BookingRules.load()
    rules.min_duration_minutes, rules.max_duration_minutes = 60, 120
    rules.save()
    today = building.local_today()
    yesterday = today - dt.timedelta(days=1)
    day = tomorrow(building)
    cases = [
        (local(building, yesterday, 10), local(building, yesterday, 11), "past"),
        (local(building, day, 10), local(building, day, 10, 30), "too_short"),
        (local(building, day, 10), local(building, day, 13), "too_long"),
    ]
    for start, end, code in cases:
        with pytest.raises(services.BookingError) as error:
            _book(member, desk, start, end)
        assert error.value.code == code
    assert Booking.objects.count() == 0


def test_advance_window_checks_the_end_in_the_building_days(member):
    building = BuildingFactory(time_zone="Asia/Vladivostok", open_daily=(MIDNIGHT, MIDNIGHT))
    desk = DeskFactory(room__building=building)
    BuildingRules.objects.create(building=building, max_days_ahead=1)
    last_day = building.local_today() + dt.timedelta(days=1)
    # Starts on the last allowed day but ends after its midnight: refused.
    with pytest.raises(services.BookingError) as error:
        _book(
            member, desk, local(building, last_day, 23), local(building, last_day + dt.timedelta(days=1), 1)
        )
    assert error.value.code == "too_far"
    # Ending exactly at that midnight is within the window.
    booking = _book(
        member, desk, local(building, last_day, 22), local(building, last_day + dt.timedelta(days=1), 0)
    )
    assert booking.end - booking.start == dt.timedelta(hours=2)


def test_quota_counts_upcoming_bookings(member, desk, building):
    BuildingRules.objects.create(building=building, max_upcoming_bookings=2)
    day = tomorrow(building)
    _book(member, desk, local(building, day, 9), local(building, day, 10))
    _book(member, desk, local(building, day, 10), local(building, day, 11))
    with pytest.raises(services.BookingError) as error:
        _book(member, desk, local(building, day, 11), local(building, day, 12))
    assert error.value.code == "quota"
    assert error.value.message == "У вас уже 2 предстоящих бронирования — это максимум."


def test_staff_override_skips_rules_but_never_the_overlap(staff, member, desk, building):
    day = tomorrow(building)
    booking = _book(
        member, desk, local(building, day, 6), local(building, day, 9), by=staff, override_rules=True
    )
    assert (booking.rules_overridden, booking.created_by, booking.user) == (True, staff, member)
    with pytest.raises(services.SlotTaken):
        _book(member, desk, local(building, day, 7), local(building, day, 8), by=staff, override_rules=True)
    with pytest.raises(services.BookingError) as error:
        _book(member, desk, local(building, day, 21), local(building, day, 22), override_rules=True)
    assert error.value.code == "forbidden"


def test_cancellation_cutoff_is_measured_to_the_start(member):
    building = BuildingFactory(time_zone="America/New_York", open_daily=(MIDNIGHT, MIDNIGHT))
    desk = DeskFactory(room__building=building)
    BookingRules.objects.update_or_create(pk=1, defaults={"cancellation_cutoff_minutes": 60})
    now = building.local_now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=3)
    booking = _book(member, desk, now, now + dt.timedelta(hours=1), now=now - dt.timedelta(hours=1))
    with pytest.raises(services.BookingError) as error:
        services.cancel_booking(booking, by=member, now=now - dt.timedelta(minutes=59))
    assert error.value.code == "cutoff"
    cancelled = services.cancel_booking(booking, by=member, now=now - dt.timedelta(minutes=61))
    assert (cancelled.status, cancelled.sequence) == (Booking.Status.CANCELLED, 1)


def test_staff_cancelling_for_a_member_must_give_a_reason_which_is_emailed(
    staff, member, desk, building, django_capture_on_commit_callbacks
):
    day = tomorrow(building)
    booking = _book(member, desk, local(building, day, 10), local(building, day, 11), notify=False)
    with pytest.raises(services.BookingError) as error:
        services.cancel_booking(booking, by=staff, reason="  ")
    assert error.value.code == "reason_required"
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_booking(booking, by=staff, reason="Уборка помещения")
    [message] = mail.outbox
    assert message.to == [member.email]
    assert "Уборка помещения" in message.body
    assert message.subject.startswith("Бронирование отменено")
    with pytest.raises(services.BookingError) as error:
        services.cancel_booking(booking, by=UserFactory(), reason="not mine")
    assert error.value.code == "forbidden"


def test_confirmation_email_is_sent_after_commit_with_a_calendar_file(
    member, desk, building, django_capture_on_commit_callbacks
):
    day = tomorrow(building)
    with django_capture_on_commit_callbacks() as callbacks:
        booking = _book(member, desk, local(building, day, 10), local(building, day, 12))
        assert mail.outbox == []  # nothing leaves inside the transaction
    for callback in callbacks:
        callback()
    [message] = mail.outbox
    assert message.to == [member.email]
    assert message.subject.startswith(f"Бронирование подтверждено: Место {desk.label}, {desk.room.name}, ")
    assert message.subject.endswith(", 10:00")
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == ("booking.ics", "text/calendar; charset=utf-8; method=REQUEST")
    [event] = Calendar.from_ical(content).walk("VEVENT")
    assert event.decoded("dtstart") == booking.start
    assert str(event["uid"]) == f"booking-{booking.pk}@localhost"
    assert Notification.objects.get(booking=booking).sent_at is not None


# Port 1 on loopback: nothing listens there, so connecting fails at once.
BROKEN_SMTP = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2, "use_tls": False},
    }
}


@pytest.mark.django_db(transaction=True)
def test_a_failing_mail_server_keeps_the_booking_and_the_email_is_retried():
    member = UserFactory()
    desk = DeskFactory()
    building = desk.room.building
    day = tomorrow(building)
    with override_settings(MAILERS=BROKEN_SMTP):
        booking = _book(member, desk, local(building, day, 10), local(building, day, 12))
    notification = Notification.objects.get(booking=booking)
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CONFIRMED
    assert (notification.sent_at, notification.attempts) == (None, 1)
    assert notification.last_error.startswith("ConnectionRefusedError")

    out = StringIO()
    call_command("send_notifications", stdout=out)
    assert out.getvalue().strip() == "Notifications: 1 queued for sending."
    assert [m.to for m in mail.outbox] == [[member.email]]
    call_command("send_notifications", stdout=out)
    assert len(mail.outbox) == 1


def test_reminders_are_sent_once(member, desk, building, settings, django_capture_on_commit_callbacks):
    settings.BOOKING_REMINDER_MINUTES = 120
    start = building.local_now().replace(second=0, microsecond=0) + dt.timedelta(minutes=90)
    soon = BookingFactory(user=member, desk=desk, start=start, end=start + dt.timedelta(hours=1))
    BookingFactory(desk=desk, start=start + dt.timedelta(hours=5), end=start + dt.timedelta(hours=6))
    for expected in ("Reminders: 1 queued for sending.", "Reminders: 0 queued for sending."):
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_booking_reminders", stdout=out)
        assert out.getvalue().strip() == expected
    [message] = mail.outbox
    assert message.to == [member.email]
    assert message.subject.startswith("Напоминание:")
    assert Notification.objects.get(kind=Notification.Kind.REMINDER).booking == soon


def _berlin_24h():
    building = BuildingFactory(time_zone="Europe/Berlin", open_daily=(MIDNIGHT, MIDNIGHT))
    BookingRules.objects.update_or_create(pk=1, defaults={"max_days_ahead": 800, "slot_minutes": 60})
    return building, DeskFactory(room__building=building)


def test_booking_across_a_dst_change_keeps_its_real_duration(member, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, tzinfo=dt.UTC), tick=False)  # both changes ahead
    building, desk = _berlin_24h()
    spring, autumn = dt.date(2027, 3, 28), dt.date(2027, 10, 31)
    short = _book(member, desk, local(building, spring, 1), local(building, spring, 4), notify=False)
    long = _book(member, desk, local(building, autumn, 1), local(building, autumn, 4), notify=False)
    short.refresh_from_db()
    long.refresh_from_db()  # stored in UTC, where subtraction is real elapsed time
    assert short.end - short.start == dt.timedelta(hours=2)
    assert long.end - long.start == dt.timedelta(hours=4)
    assert (short.local_start.hour, short.local_end.hour, long.local_start.hour, long.local_end.hour) == (
        1,
        4,
        1,
        4,
    )


def test_day_slots_skip_the_spring_hour_and_repeat_the_autumn_hour(db):
    building, _desk = _berlin_24h()
    spring = services.day_slots(building, dt.date(2027, 3, 28))
    autumn = services.day_slots(building, dt.date(2027, 10, 31))
    assert [slot.hour for slot in spring] == [0, 1, *range(3, 24)]
    assert [slot.hour for slot in autumn] == [0, 1, 2, 2, *range(3, 24)]
    assert [slot.utcoffset() for slot in autumn[2:4]] == [dt.timedelta(hours=2), dt.timedelta(hours=1)]
    regular = services.day_slots(BuildingFactory(), dt.date(2027, 3, 28), slot_minutes=30)
    assert [(s.hour, s.minute) for s in regular[:3]] == [(8, 0), (8, 30), (9, 0)]
    assert len(regular) == 24  # 08:00–20:00 in 30-minute slots


def test_deactivating_a_room_cancels_its_upcoming_bookings_and_tells_the_members(
    staff, member, desk, building, django_capture_on_commit_callbacks
):
    from spaces.services import delete_or_deactivate

    day = tomorrow(building)
    upcoming = _book(member, desk, local(building, day, 10), local(building, day, 11), notify=False)
    # Later that day: one desk at a time.
    elsewhere = _book(member, DeskFactory(), local(building, day, 11), local(building, day, 12), notify=False)
    with django_capture_on_commit_callbacks(execute=True):
        removal = delete_or_deactivate([desk.room], by=staff)
    assert removal.deactivated == [desk.room]
    upcoming.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (upcoming.status, upcoming.cancelled_by, upcoming.cancel_reason) == (
        Booking.Status.CANCELLED,
        staff,
        "Это место больше не работает.",
    )
    assert elsewhere.status == Booking.Status.CONFIRMED
    [message] = mail.outbox
    assert "Это место больше не работает." in message.body


def test_a_booking_within_the_repeated_autumn_hour_can_be_made(member):
    """02:00 CEST to 02:00 CET: equal on the wall clock, an hour apart in time."""
    building, desk = _berlin_24h()
    start = local(building, dt.date(2027, 10, 31), 2)
    end = (start.astimezone(dt.UTC) + dt.timedelta(hours=1)).astimezone(building.zone)
    assert (end.hour, end.fold) == (2, 1)
    booking = _book(member, desk, start, end, notify=False)
    booking.refresh_from_db()
    assert booking.end - booking.start == dt.timedelta(hours=1)

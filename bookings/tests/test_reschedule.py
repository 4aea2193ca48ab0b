"""Moving a booking: one service (locks, rules, overlaps, the member told) for the admin and staff."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import UserFactory
from bookings import services
from bookings.models import Booking, BookingRules, Notification
from bookings.tests.factories import BookingFactory, DeskFactory, RoomFactory, local
from coworking.testing import run_concurrently

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]
NOW = dt.datetime(2027, 3, 1, 6, 0, tzinfo=dt.UTC)  # Monday 09:00 in Moscow
DAY = dt.date(2027, 3, 2)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def booking(member, desk, building) -> Booking:
    return BookingFactory(
        user=member, desk=desk, start=local(building, DAY, 10), end=local(building, DAY, 11), created_at=NOW
    )


def _move(booking, start_hour: float, end_hour: float, **kwargs) -> Booking:
    building = booking.building
    hours = [dt.timedelta(hours=hour) for hour in (start_hour, end_hour)]
    midnight = local(building, DAY, 0)
    return services.reschedule_booking(
        booking,
        start=midnight + hours[0],
        end=midnight + hours[1],
        by=kwargs.pop("by", booking.user),
        **kwargs,
    )


def test_reschedule_moves_the_booking_and_tells_the_member_each_time(
    member, building, django_capture_on_commit_callbacks
):
    room = RoomFactory(building=building, name="Blue")
    booking = BookingFactory(
        user=member, room=room, start=local(building, DAY, 10), end=local(building, DAY, 11)
    )
    with django_capture_on_commit_callbacks(execute=True):
        _move(booking, 12, 14)
    with django_capture_on_commit_callbacks(execute=True):
        _move(booking, 15, 16)
    booking.refresh_from_db()
    assert (booking.start, booking.end, booking.sequence) == (
        local(building, DAY, 15),
        local(building, DAY, 16),
        2,
    )
    assert list(Notification.objects.values_list("kind", flat=True)) == [Notification.Kind.UPDATED]
    assert [message.subject for message in mail.outbox] == [
        "Booking changed: Blue, 2 March, 12:00",
        "Booking changed: Blue, 2 March, 15:00",
    ]
    assert "Your booking has been changed. It is now:" in mail.outbox[1].body


def test_reschedule_to_another_place(booking, building):
    room = RoomFactory(building=building, name="Blue")
    moved = _move(booking, 10, 11, resource=room)
    booking.refresh_from_db()
    assert (moved.room, booking.room, booking.desk, booking.building) == (room, room, None, building)


def test_reschedule_onto_a_taken_slot_is_refused_and_changes_nothing(booking, desk, building):
    BookingFactory(desk=desk, start=local(building, DAY, 12), end=local(building, DAY, 13))
    with pytest.raises(services.SlotTaken):
        _move(booking, 11, 13)
    booking.refresh_from_db()
    assert (booking.start, booking.sequence, Notification.objects.count()) == (local(building, DAY, 10), 0, 0)


def test_reschedule_within_its_own_time_is_no_overlap_no_quota_and_no_second_desk(booking, building):
    BookingRules.objects.update_or_create(pk=1, defaults={"max_upcoming_bookings": 1})
    moved = _move(booking, 10, 11.5)
    assert moved.end - moved.start == dt.timedelta(minutes=90)


def test_reschedule_obeys_the_rules_unless_staff_override_them(booking, staff, building):
    with pytest.raises(services.BookingError) as broken:
        _move(booking, 19, 21)  # closes at 20:00
    assert (broken.value.code, broken.value.overridable) == ("closed", True)
    moved = _move(booking, 19, 21, by=staff, override_rules=True)
    assert (moved.end, moved.rules_overridden) == (local(building, DAY, 21), True)


def test_only_the_member_or_staff_move_a_booking_and_only_staff_override(booking):
    with pytest.raises(services.BookingError) as stranger:
        _move(booking, 12, 13, by=UserFactory())
    with pytest.raises(services.BookingError) as member_override:
        _move(booking, 12, 13, override_rules=True)
    assert (stranger.value.code, member_override.value.code) == ("forbidden", "forbidden")


def test_a_cancelled_booking_is_not_moved(booking, member):
    services.cancel_booking(booking, by=member, notify=False)
    with pytest.raises(services.BookingError) as error:
        _move(booking, 12, 13)
    assert error.value.code == "not_active"


@pytest.mark.django_db(transaction=True)
def test_two_bookings_moved_onto_one_slot_at_once_one_wins(desk, building):
    bookings = [
        BookingFactory(
            desk=DeskFactory(room=desk.room),
            start=local(building, DAY, hour),
            end=local(building, DAY, hour + 1),
        )
        for hour in (8, 9)
    ]
    outcomes = run_concurrently(
        lambda booking: services.reschedule_booking(
            booking,
            start=local(building, DAY, 14),
            end=local(building, DAY, 15),
            resource=desk,
            by=booking.user,
        ),
        bookings,
    )
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Booking", "SlotTaken"]
    assert Booking.objects.filter(desk=desk).count() == 1


def test_overlaps_are_never_overridable(booking, desk, building, staff):
    BookingFactory(desk=desk, start=local(building, DAY, 12), end=local(building, DAY, 13))
    with pytest.raises(services.SlotTaken) as taken:
        _move(booking, 12, 13, by=staff, override_rules=True)
    assert taken.value.overridable is False


def _admin_data(booking: Booking, start: dt.datetime, end: dt.datetime, **extra) -> dict:
    zone = booking.building.zone
    start, end = start.astimezone(zone), end.astimezone(zone)
    return {
        "desk": booking.desk_id or "",
        "room": booking.room_id or "",
        "start_0": start.date().isoformat(),
        "start_1": start.strftime("%H:%M"),
        "end_0": end.date().isoformat(),
        "end_1": end.strftime("%H:%M"),
        **extra,
    }


def test_admin_moves_a_booking_through_the_service_and_emails_the_member(
    admin_client, booking, building, django_capture_on_commit_callbacks
):
    url = reverse("admin:bookings_booking_change", args=[booking.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url, _admin_data(booking, local(building, DAY, 12), local(building, DAY, 13))
        )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.start, booking.sequence) == (local(building, DAY, 12), 1)
    assert [(n.kind, n.sent_at is not None) for n in Notification.objects.all()] == [("updated", True)]
    assert [message.to for message in mail.outbox] == [[booking.user.email]]


def test_admin_move_breaking_a_rule_is_a_form_error_and_nothing_changes(admin_client, booking, building):
    url = reverse("admin:bookings_booking_change", args=[booking.pk])
    response = admin_client.post(
        url, _admin_data(booking, local(building, DAY, 19), local(building, DAY, 21))
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "The building is closed at some of this time.",
        "Tick “Override the booking rules” to book anyway.",
    ]
    booking.refresh_from_db()
    assert (booking.end, booking.sequence, Notification.objects.count()) == (local(building, DAY, 11), 0, 0)


def test_staff_page_offers_the_override_for_rule_problems_only(staff_client, member, desk, building):
    BookingFactory(desk=desk, start=local(building, DAY, 12), end=local(building, DAY, 13))
    url = reverse("bookings:staff_new")
    data = {"member": member.pk, "place": f"desk-{desk.pk}", "day": DAY.isoformat()}
    closed = staff_client.post(url, {**data, "start_time": "19:00", "end_time": "21:00"})
    taken = staff_client.post(url, {**data, "start_time": "12:00", "end_time": "13:00"})
    assert "Tick “Override the booking rules” to book anyway." in closed.context["form"].non_field_errors()
    assert "Tick “Override the booking rules” to book anyway." not in taken.context["form"].non_field_errors()


def _move_page(booking: Booking) -> str:
    return reverse("bookings:staff_move", args=[booking.pk])


def test_staff_move_page_starts_from_the_booking_and_moves_it_through_the_service(
    staff_client, booking, desk, building, django_capture_on_commit_callbacks
):
    page = staff_client.get(_move_page(booking))
    assert page.context["form"].initial == {
        "place": f"desk-{desk.pk}",
        "day": DAY,
        "start_time": dt.time(10),
        "end_time": dt.time(11),
        "override_rules": False,
    }
    data = {"place": f"desk-{desk.pk}", "day": DAY.isoformat(), "start_time": "15:00", "end_time": "16:30"}
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(_move_page(booking), data)
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.start, booking.end, booking.sequence) == (
        local(building, DAY, 15),
        local(building, DAY, 16, 30),
        1,
    )
    assert [message.to for message in mail.outbox] == [[booking.user.email]]


def test_staff_move_page_shows_why_a_move_is_refused_and_keeps_the_booking(
    staff_client, booking, desk, building
):
    holder = BookingFactory(desk=desk, start=local(building, DAY, 15), end=local(building, DAY, 16)).user
    data = {"place": f"desk-{desk.pk}", "day": DAY.isoformat()}
    taken = staff_client.post(_move_page(booking), {**data, "start_time": "15:00", "end_time": "16:00"})
    closed = staff_client.post(_move_page(booking), {**data, "start_time": "19:00", "end_time": "21:00"})
    # Staff may see who holds the place.
    assert taken.context["form"].non_field_errors() == [
        f"This place is already booked for part of that time by {holder.full_name} (15:00–16:00). "
        "Overlaps are refused even when the rules are overridden."
    ]
    assert closed.context["form"].non_field_errors() == [
        "The building is closed at some of this time.",
        "Tick “Override the booking rules” to book anyway.",
    ]
    booking.refresh_from_db()
    assert (booking.start, booking.sequence) == (local(building, DAY, 10), 0)


def test_staff_move_page_is_for_staff_only(client, member, booking):
    client.force_login(member)
    assert client.post(_move_page(booking), {}).status_code == 403
    booking.refresh_from_db()
    assert booking.sequence == 0

"""The bookings admin goes through the services: rules, overlaps, cancellations, emails."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import UserFactory
from bookings.models import Booking, BookingRules, BuildingRules, CalendarFeed, Notification
from bookings.tests.factories import (
    BookingFactory,
    BuildingFactory,
    DeskFactory,
    OpenSpaceFactory,
    RoomFactory,
    local,
    tomorrow,
)

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]
ADD = reverse("admin:bookings_booking_add")
CHANGELIST = reverse("admin:bookings_booking_changelist")


def booking_data(user, start: dt.datetime, end: dt.datetime, desk=None, room=None, **extra) -> dict:
    """The admin form's fields; times as the building's wall-clock time."""
    zone = (desk.room.building if desk else room.building).zone
    start, end = start.astimezone(zone), end.astimezone(zone)
    return {
        "user": user.pk,
        "desk": desk.pk if desk else "",
        "room": room.pk if room else "",
        "start_0": start.date().isoformat(),
        "start_1": start.strftime("%H:%M"),
        "end_0": end.date().isoformat(),
        "end_1": end.strftime("%H:%M"),
        **extra,
    }


def errors(response) -> list[str]:
    return response.context["adminform"].form.non_field_errors()


@pytest.mark.smoke
def test_admin_add_books_through_the_services(
    admin_client, staff, member, django_capture_on_commit_callbacks
):
    desk = DeskFactory()
    building = desk.room.building
    day = tomorrow(building)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            ADD, booking_data(member, local(building, day, 10), local(building, day, 12), desk=desk)
        )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.user, booking.created_by, booking.building, booking.rules_overridden) == (
        member,
        staff,
        building,
        False,
    )
    assert (booking.start, booking.end) == (local(building, day, 10), local(building, day, 12))
    assert Notification.objects.get().kind == Notification.Kind.CONFIRMATION
    assert [email.to for email in mail.outbox] == [[member.email]]


def test_admin_times_are_the_buildings_local_time(admin_client, member, settings):
    settings.TIME_ZONE = "Europe/Moscow"
    desk = DeskFactory(room=OpenSpaceFactory(building=BuildingFactory(time_zone="Europe/Berlin")))
    day = tomorrow(desk.room.building)
    data = booking_data(
        member, local(desk.room.building, day, 10), local(desk.room.building, day, 11), desk=desk
    )
    assert data["start_1"] == "10:00"
    response = admin_client.post(ADD, data)
    assert response.url == CHANGELIST
    booking = Booking.objects.get()
    assert (booking.desk, booking.user, booking.local_start.time(), booking.local_end.time()) == (
        desk,
        member,
        dt.time(10),
        dt.time(11),
    )
    assert booking.start.utcoffset() is not None
    change = admin_client.get(reverse("admin:bookings_booking_change", args=[booking.pk]))
    assert 'name="start_1" value="10:00:00"' in change.content.decode()


@pytest.mark.smoke
def test_admin_add_of_an_overlapping_booking_is_a_form_error(admin_client, member):
    taken = BookingFactory()
    response = admin_client.post(
        ADD, booking_data(member, taken.start, taken.end, desk=taken.desk, rules_overridden="on")
    )
    assert response.status_code == 200
    assert errors(response) == ["This desk is already booked for that time."]
    assert list(Booking.objects.all()) == [taken]


def test_admin_add_outside_the_rules_needs_the_override(admin_client, member):
    room = RoomFactory()
    day = tomorrow(room.building)
    data = booking_data(member, local(room.building, day, 21), local(room.building, day, 22), room=room)
    response = admin_client.post(ADD, data)
    assert errors(response) == [
        "The building is closed at some of this time.",
        "Tick “Override the booking rules” to book anyway.",
    ]
    assert Booking.objects.count() == 0
    response = admin_client.post(ADD, {**data, "rules_overridden": "on"})
    assert response.url == CHANGELIST
    booking = Booking.objects.get()
    assert (booking.room, booking.desk, booking.user, booking.rules_overridden) == (room, None, member, True)
    assert (booking.start, booking.end) == (local(room.building, day, 21), local(room.building, day, 22))


def test_admin_add_needs_one_desk_or_one_room(admin_client, member):
    desk, room = DeskFactory(), RoomFactory()
    day = tomorrow(room.building)
    data = booking_data(member, local(room.building, day, 10), local(room.building, day, 11), room=room)
    response = admin_client.post(ADD, {**data, "desk": desk.pk})
    assert errors(response) == ["A booking is for one desk or one room."]
    response = admin_client.post(ADD, {**data, "room": ""})
    assert errors(response) == ["A booking is for one desk or one room."]
    assert Booking.objects.count() == 0


def test_admin_add_of_an_open_space_room_is_refused(admin_client, member):
    open_space = OpenSpaceFactory()
    day = tomorrow(open_space.building)
    data = booking_data(
        member, local(open_space.building, day, 10), local(open_space.building, day, 11), room=open_space
    )
    response = admin_client.post(ADD, data)
    assert errors(response) == ["Open-space rooms are booked desk by desk."]
    assert Booking.objects.count() == 0


def test_admin_change_onto_another_booking_is_refused(admin_client):
    taken = BookingFactory()
    moved = BookingFactory(desk=DeskFactory(room=taken.desk.room))
    url = reverse("admin:bookings_booking_change", args=[moved.pk])
    response = admin_client.post(url, booking_data(moved.user, taken.start, taken.end, desk=taken.desk))
    assert response.status_code == 200
    assert errors(response) == ["This desk is already booked for that time."]
    before = (moved.desk, moved.start, moved.end, moved.sequence)
    moved.refresh_from_db()
    assert (moved.desk, moved.start, moved.end, moved.sequence) == before


def test_admin_change_moves_a_booking_and_bumps_its_calendar_sequence(admin_client):
    booking = BookingFactory()
    later = booking.start + dt.timedelta(hours=2), booking.end + dt.timedelta(hours=2)
    url = reverse("admin:bookings_booking_change", args=[booking.pk])
    response = admin_client.post(url, booking_data(booking.user, *later, desk=booking.desk))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert ((booking.start, booking.end), booking.sequence) == (later, 1)


def test_admin_change_of_its_own_times_is_not_an_overlap_or_over_quota(admin_client):
    BookingRules.objects.update_or_create(pk=1, defaults={"max_upcoming_bookings": 1})
    booking = BookingFactory()
    url = reverse("admin:bookings_booking_change", args=[booking.pk])
    response = admin_client.post(
        url,
        booking_data(booking.user, booking.start, booking.end + dt.timedelta(minutes=30), desk=booking.desk),
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.end - booking.start == dt.timedelta(minutes=90)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's")
def test_model_validation_runs_the_overlap_constraint():
    taken = BookingFactory()
    other = Booking(
        user=UserFactory(), desk=taken.desk, building=taken.building, start=taken.start, end=taken.end
    )
    with pytest.raises(ValidationError) as error, translation.override("en"):
        other.validate_constraints()
    assert error.value.messages == ["This desk is already booked for that time."]
    other.status = Booking.Status.CANCELLED
    other.validate_constraints()


def test_admin_cancel_action_asks_for_a_reason_first(admin_client):
    bookings = [BookingFactory(), BookingFactory()]
    data = {"action": "cancel_selected", "_selected_action": [b.pk for b in bookings]}
    response = admin_client.post(CHANGELIST, data)
    assert response.status_code == 200
    assert '<textarea name="reason"' in response.content.decode()
    response = admin_client.post(CHANGELIST, {**data, "apply": "1", "reason": " "})
    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["Give the member a reason for the cancellation."]}
    assert sorted(Booking.objects.values_list("pk", "status")) == [
        (booking.pk, Booking.Status.CONFIRMED) for booking in bookings
    ]
    assert mail.outbox == []


def test_admin_cancel_action_cancels_through_the_service_and_emails_the_reason(
    admin_client, staff, django_capture_on_commit_callbacks
):
    booking = BookingFactory(user=UserFactory(language="en"))
    already = BookingFactory(status=Booking.Status.CANCELLED)
    data = {
        "action": "cancel_selected",
        "_selected_action": [booking.pk, already.pk],
        "apply": "1",
        "reason": "Water leak on the floor.",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(CHANGELIST, data, follow=True)
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by, booking.cancel_reason) == (
        Booking.Status.CANCELLED,
        staff,
        "Water leak on the floor.",
    )
    [email] = mail.outbox
    assert email.to == [booking.user.email]
    assert "Reason: Water leak on the floor." in email.body
    before = (already.status, already.cancelled_by, already.cancel_reason)
    already.refresh_from_db()
    assert (already.status, already.cancelled_by, already.cancel_reason) == before
    messages = [str(m) for m in response.context["messages"]]
    assert messages[0] == "Bookings cancelled: 1."
    assert messages[1].endswith("This booking is no longer active.")


def test_admin_booking_rules_is_a_single_row(admin_client):
    response = admin_client.get(reverse("admin:bookings_bookingrules_changelist"))
    assert response.status_code == 302
    assert response.url == reverse("admin:bookings_bookingrules_change", args=[1])
    assert admin_client.get(response.url).status_code == 200
    assert admin_client.get(reverse("admin:bookings_bookingrules_add")).status_code == 403
    assert admin_client.post(reverse("admin:bookings_bookingrules_delete", args=[1])).status_code == 403
    assert BookingRules.objects.count() == 1


def test_admin_building_rules_are_added_by_building_id(admin_client):
    building = BuildingFactory()
    response = admin_client.post(
        reverse("admin:bookings_buildingrules_add"), {"building": building.pk, "max_days_ahead": "90"}
    )
    assert response.status_code == 302
    rules = BuildingRules.objects.get()
    assert (rules.building, rules.max_days_ahead) == (building, 90)


def test_admin_retry_now_sends_a_pending_notification(admin_client, django_capture_on_commit_callbacks):
    booking = BookingFactory()
    notification = Notification.objects.create(booking=booking, kind=Notification.Kind.REMINDER)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:bookings_notification_changelist"),
            {"action": "retry_now", "_selected_action": [notification.pk]},
            follow=True,
        )
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert notification.attempts == 1
    assert [email.to for email in mail.outbox] == [[booking.user.email]]
    assert [str(m) for m in response.context["messages"]] == ["Queued for sending: 1."]


@pytest.mark.parametrize("count", [1, 3])
def test_admin_booking_list_query_count_is_fixed(admin_client, django_assert_num_queries, count):
    for _ in range(count):
        BookingFactory()
        BookingFactory(room=RoomFactory(), desk=None)
    # Session, staff member, buildings (filter), two counts, page, date hierarchy (2).
    with django_assert_num_queries(8):
        response = admin_client.get(CHANGELIST)
    assert sorted(booking.pk for booking in response.context["cl"].result_list) == sorted(
        Booking.objects.values_list("pk", flat=True)
    )
    assert len(response.context["cl"].result_list) == 2 * count


@pytest.mark.parametrize("count", [1, 3])
def test_admin_notification_list_query_count_is_fixed(admin_client, django_assert_num_queries, count):
    for _ in range(count):
        Notification.objects.create(booking=BookingFactory(), kind=Notification.Kind.CONFIRMATION)
    with django_assert_num_queries(7):
        response = admin_client.get(reverse("admin:bookings_notification_changelist"))
    assert sorted(n.pk for n in response.context["cl"].result_list) == sorted(
        Notification.objects.values_list("pk", flat=True)
    )
    assert len(response.context["cl"].result_list) == count


def test_admin_pages_open(admin_client, member):
    booking = BookingFactory(status=Booking.Status.CANCELLED)
    CalendarFeed.objects.create(user=member)
    for url in [
        reverse("admin:bookings_booking_change", args=[booking.pk]),
        ADD,
        reverse("admin:bookings_buildingrules_changelist"),
        reverse("admin:bookings_calendarfeed_changelist"),
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_admin_booking_list_searches_and_filters(admin_client):
    booking = BookingFactory(status=Booking.Status.CANCELLED)
    BookingFactory(desk=booking.desk, start=booking.start + dt.timedelta(hours=2))  # active
    BookingFactory(status=Booking.Status.CANCELLED)  # another desk
    response = admin_client.get(CHANGELIST, {"q": booking.desk.label, "status__exact": "cancelled"})
    assert list(response.context["cl"].result_list) == [booking]

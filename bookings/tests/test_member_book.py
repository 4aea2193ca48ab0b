"""Booking a place: the prefilled form, the confirmation, refusals and races."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import UserFactory
from bookings.models import Booking, BookingRules
from bookings.tests.factories import (
    BookingFactory,
    BuildingFactory,
    DeskFactory,
    RoomFactory,
    local,
    tomorrow,
)

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]
MIDNIGHT = dt.time(0)


def _post(client, place, day, start="10:00", end="12:00", **extra):
    kind = "desk" if hasattr(place, "room") else "room"
    data = {
        "place": f"{kind}-{place.pk}",
        "date": day.isoformat(),
        "start_time": start,
        "end_time": end,
        **extra,
    }
    return client.post(reverse("bookings:new"), data)


def test_booking_form_is_prefilled_from_the_link(client, member, desk):
    building = desk.room.building
    day = tomorrow(building)
    client.force_login(member)

    response = client.get(
        reverse("bookings:new"),
        {"desk": desk.pk, "start": f"{day}T07:00Z", "end": f"{day}T09:30Z"},  # Moscow is UTC+3
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial == {
        "place": f"desk-{desk.pk}",
        "date": day,
        "start_time": dt.time(10),
        "end_time": dt.time(12, 30),
        "start_pass": "",
        "end_pass": "",
    }
    assert response.context["place"] == desk
    assert f'<option value="desk-{desk.pk}" selected>Desk A-1</option>' in response.text


def test_booking_form_ignores_a_broken_link(client, member, desk):
    client.force_login(member)

    unknown = client.get(reverse("bookings:new"), {"desk": "999999", "start": "soon"})
    no_times = client.get(reverse("bookings:new"), {"desk": desk.pk, "start": "soon"})

    assert (unknown.status_code, unknown.context["form"].initial) == (200, {})
    assert no_times.context["form"].initial == {
        "place": f"desk-{desk.pk}",
        "date": desk.room.building.local_today(),
    }


def test_booking_confirms_redirects_and_emails_after_commit(
    client, member, desk, django_capture_on_commit_callbacks
):
    building = desk.room.building
    day = tomorrow(building)
    client.force_login(member)

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, desk, day)

    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("bookings:detail", args=[booking.pk])
    assert (booking.user, booking.desk, booking.building) == (member, desk, building)
    assert (booking.start, booking.end) == (local(building, day, 10), local(building, day, 12))
    [message] = mail.outbox
    assert message.to == [member.email]
    assert message.subject.startswith("Booking confirmed: Desk A-1, Hall, ")
    assert [a[2] for a in message.attachments] == ["text/calendar; charset=utf-8; method=REQUEST"]
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == [
        f"Booked for {day.day} {day:%B} at 10:00. The confirmation is on its way to your email."
    ]


def test_booking_breaking_a_rule_keeps_the_input_and_says_why(client, member, desk):
    client.force_login(member)
    day = tomorrow(desk.room.building)

    response = _post(client, desk, day, "19:00", "21:00")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["The building is closed at some of this time."]
    assert 'value="19:00"' in response.text
    assert 'value="21:00"' in response.text
    assert Booking.objects.count() == 0


def test_a_refused_booking_shows_the_form_again_with_every_place(client, member, desk):
    """A post reads only the place it names; the form shown again still lists them all."""
    other = RoomFactory(building=desk.room.building, name="Boardroom", capacity=8)
    client.force_login(member)

    response = _post(client, desk, tomorrow(desk.room.building), "19:00", "21:00")

    assert response.status_code == 200
    assert f'<option value="desk-{desk.pk}" selected>Desk A-1</option>' in response.text
    assert f'<option value="room-{other.pk}">Boardroom (up to 8 people)</option>' in response.text
    assert response.context["place"] == desk


@pytest.mark.parametrize(
    "key",
    [
        "desk-{inactive}",
        "room-{open_space}",
        "desk-99999999999999999999",
        "desk-",
        "shelf-1",
        "1",
    ],
)
def test_a_post_naming_no_bookable_place_is_refused(client, member, desk, key):
    inactive = DeskFactory(room=desk.room, label="A-9", is_active=False)
    key = key.format(inactive=inactive.pk, open_space=desk.room.pk)
    client.force_login(member)
    day = tomorrow(desk.room.building).isoformat()

    response = client.post(
        reverse("bookings:new"), {"place": key, "date": day, "start_time": "10:00", "end_time": "11:00"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "place": [f"Select a valid choice. {key} is not one of the available choices."]
    }
    assert f'<option value="desk-{desk.pk}">Desk A-1</option>' in response.text
    assert Booking.objects.count() == 0


def test_booking_form_reports_missing_and_unknown_fields(client, member, desk):
    client.force_login(member)

    response = client.post(
        reverse("bookings:new"), {"place": "desk-999999", "date": "", "start_time": "25:00"}
    )

    assert response.context["form"].errors == {
        "place": ["Select a valid choice. desk-999999 is not one of the available choices."],
        "date": ["This field is required."],
        "start_time": ["Enter a valid time."],
        "end_time": ["This field is required."],
    }
    assert Booking.objects.count() == 0


def test_booking_a_taken_slot_offers_alternatives_that_book_in_one_click(client, member, desk):
    building = desk.room.building
    day = tomorrow(building)
    neighbour = DeskFactory(room=desk.room, label="A-2")
    BookingFactory(desk=desk, start=local(building, day, 11), end=local(building, day, 12))
    client.force_login(member)

    response = _post(client, desk, day)

    assert response.status_code == 409
    assert "This slot was just taken" in response.text
    [(alternative, fields)] = response.context["alternatives"]
    assert alternative.resource == neighbour
    assert fields == {
        "place": f"desk-{neighbour.pk}",
        "date": day.isoformat(),
        "start_time": "10:00",
        "end_time": "12:00",
    }
    booked = client.post(reverse("bookings:new"), fields)
    assert booked.status_code == 302
    assert Booking.objects.get(user=member).desk == neighbour


def test_a_whole_room_is_booked_too(client, member):
    room = RoomFactory(name="Board room")
    client.force_login(member)

    response = _post(client, room, tomorrow(room.building), "09:00", "09:30")

    assert response.status_code == 302
    assert Booking.objects.get().room == room


def test_booking_refuses_a_time_the_clocks_skip(client, member):
    building = BuildingFactory(time_zone="Europe/Berlin", open_daily=(MIDNIGHT, MIDNIGHT))
    desk = DeskFactory(room__building=building)
    client.force_login(member)

    response = _post(client, desk, dt.date(2027, 3, 28), "02:00", "04:00")

    assert response.context["form"].non_field_errors() == [
        "02:00 does not exist on 28 March in Europe/Berlin: the clocks go forward at that hour. "
        "Choose a time before or after it."
    ]
    assert Booking.objects.count() == 0


def test_the_second_pass_of_the_autumn_hour_is_booked_from_the_day_grid(client, member):
    building = BuildingFactory(time_zone="Europe/Berlin", open_daily=(MIDNIGHT, MIDNIGHT))
    BookingRules.objects.update_or_create(pk=1, defaults={"max_days_ahead": 800})
    desk = DeskFactory(room__building=building)
    client.force_login(member)
    # 02:00 CET, the second 02:00 of 31 October 2027, is 01:00 UTC.
    link = client.get(
        reverse("bookings:new"), {"desk": desk.pk, "start": "2027-10-31T01:00Z", "end": "2027-10-31T01:30Z"}
    )
    initial = link.context["form"].initial

    response = client.post(reverse("bookings:new"), initial)

    assert (initial["start_time"], initial["start_pass"], initial["end_pass"]) == (
        dt.time(2),
        "second",
        "second",
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.start, booking.end) == (
        dt.datetime(2027, 10, 31, 1, tzinfo=dt.UTC),
        dt.datetime(2027, 10, 31, 1, 30, tzinfo=dt.UTC),
    )


def test_booking_for_someone_else_is_not_possible(client, member, desk):
    other = UserFactory()
    client.force_login(member)

    _post(client, desk, tomorrow(desk.room.building), user=other.pk)

    assert Booking.objects.get().user == member

"""A second tap on "Book" shows the booking the first one made; bookings across midnight."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from bookings import services
from bookings.models import Booking
from bookings.tests.factories import BookingFactory, BuildingFactory, DeskFactory, local

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]

NOW = dt.datetime(2027, 6, 1, 6, tzinfo=dt.UTC)  # 09:00 in Moscow
DAY = dt.date(2027, 6, 2)
MIDNIGHT = dt.time(0)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _book(client, desk, start="10:00", end="12:00", day=DAY, **headers):
    data = {"place": f"desk-{desk.pk}", "date": day.isoformat(), "start_time": start, "end_time": end}
    return client.post(reverse("bookings:new"), data, headers=headers)


def test_a_second_tap_on_book_shows_the_booking_the_first_made(client, member, desk):
    client.force_login(member)

    first = _book(client, desk)
    second = _book(client, desk)

    booking = Booking.objects.get()
    assert (first.status_code, first["Location"]) == (302, reverse("bookings:detail", args=[booking.pk]))
    assert (second.status_code, second["Location"]) == (302, reverse("bookings:detail", args=[booking.pk]))
    page = client.get(second["Location"])
    assert "You have already booked this place for this time." in page.text


def test_a_second_tap_through_htmx_redirects_to_the_booking(client, member, desk):
    client.force_login(member)

    first = _book(client, desk, HX_Request="true", HX_Target="booking-form")
    second = _book(client, desk, HX_Request="true", HX_Target="booking-form")

    booking = Booking.objects.get()
    url = reverse("bookings:detail", args=[booking.pk])
    assert (first.status_code, first["HX-Redirect"]) == (200, url)
    assert (second.status_code, second["HX-Redirect"]) == (200, url)


def test_the_slot_taken_by_someone_else_still_offers_alternatives_through_htmx(client, member, desk):
    building = desk.room.building
    BookingFactory(desk=desk, start=local(building, DAY, 10), end=local(building, DAY, 12))
    DeskFactory(label="A-2", room=desk.room)
    client.force_login(member)

    plain = _book(client, desk)
    swapped = _book(client, desk, HX_Request="true", HX_Target="booking-form")

    assert plain.status_code == 409
    assert (swapped.status_code, swapped["HX-Retarget"], swapped["HX-Reswap"]) == (
        200,
        "#main",
        "innerHTML show:window:top",
    )
    assert "<html" not in swapped.text
    assert 'data-testid="book-instead"' in swapped.text
    assert Booking.objects.filter(user=member).count() == 0


def test_an_invalid_htmx_post_answers_the_form_alone(client, member, desk):
    client.force_login(member)

    response = _book(client, desk, start="12:00", end="11:00", HX_Request="true", HX_Target="booking-form")

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<form method="post"')
    assert (
        "A booking can run past midnight only in a building that stays open through the night."
        in response.text
    )


@pytest.fixture
def night_desk():
    building = BuildingFactory(name="Night", open_daily=(MIDNIGHT, MIDNIGHT))
    return DeskFactory(label="N-1", room__building=building)


def test_a_booking_runs_past_midnight_in_a_building_open_around_the_clock(client, member, night_desk):
    building = night_desk.room.building
    client.force_login(member)

    response = _book(client, night_desk, "23:00", "01:00")

    assert response.status_code == 302
    booking = Booking.objects.get()
    next_day = DAY + dt.timedelta(days=1)
    assert (booking.start, booking.end) == (local(building, DAY, 23), local(building, next_day, 1))
    assert "Wed, 2 June · 23:00–01:00" in client.get(response["Location"]).text


def test_past_midnight_is_refused_clearly_where_the_building_closes(client, member, desk):
    client.force_login(member)

    response = _book(client, desk, "19:00", "01:00")

    assert response.context["form"].non_field_errors() == [
        "The end must be after the start. A booking can run past midnight only in a building that stays open "
        "through the night."
    ]
    assert Booking.objects.count() == 0


def test_the_service_checks_opening_hours_across_midnight(member, night_desk):
    """Open until midnight and from midnight the next day: covered; closed the next night: not."""
    building = night_desk.room.building
    next_day = DAY + dt.timedelta(days=1)
    booking = services.create_booking(
        user=member, resource=night_desk, start=local(building, DAY, 23), end=local(building, next_day, 1)
    )
    after_next = next_day + dt.timedelta(days=1)
    building.opening_hours.filter(weekday=after_next.weekday()).update(opens_at=dt.time(8))

    with pytest.raises(services.BookingError) as error:
        services.create_booking(
            user=member,
            resource=night_desk,
            start=local(building, next_day, 23),
            end=local(building, after_next, 1),
        )

    assert booking.end - booking.start == dt.timedelta(hours=2)
    assert error.value.code == "closed"

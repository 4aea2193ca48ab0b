"""The repeated autumn hour: 02:00–03:00 happens twice in Berlin on 31 October 2027.

Every printed time of that hour carries its zone ("02:00 CEST", then "02:00 CET"), and
the booking form asks which 02:00 the member means instead of picking one silently.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from bookings import notifications, times
from bookings.models import Booking, Notification
from bookings.tests.factories import BookingFactory, BuildingFactory, DeskFactory

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
MIDNIGHT = dt.time(0)
DAY = dt.date(2027, 10, 31)
# 00:00 UTC is the first 02:00 (CEST), 01:00 UTC the second (CET), 02:00 UTC is 03:00.
FIRST_TWO, SECOND_TWO, THREE = (dt.datetime(2027, 10, 31, hour, tzinfo=dt.UTC) for hour in (0, 1, 2))


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2027, 10, 25, 8, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def desk():
    building = BuildingFactory(name="Mitte", time_zone="Europe/Berlin", open_daily=(MIDNIGHT, MIDNIGHT))
    return DeskFactory(label="B-1", room__name="Loft", room__building=building)


@pytest.mark.parametrize(
    ("moment", "zone", "expected"),
    [
        (FIRST_TWO, BERLIN, "02:00 CEST"),
        (SECOND_TWO, BERLIN, "02:00 CET"),
        (THREE, BERLIN, "03:00"),
        (dt.datetime(2027, 10, 30, 23, 30, tzinfo=dt.UTC), BERLIN, "01:30"),
        (FIRST_TWO, zoneinfo.ZoneInfo("Europe/Moscow"), "03:00"),
        # São Paulo's zone has no letters: its offsets tell the passes apart.
        (
            dt.datetime(2018, 2, 18, 1, 30, tzinfo=dt.UTC),
            zoneinfo.ZoneInfo("America/Sao_Paulo"),
            "23:30 UTC-02:00",
        ),
        (
            dt.datetime(2018, 2, 18, 2, 30, tzinfo=dt.UTC),
            zoneinfo.ZoneInfo("America/Sao_Paulo"),
            "23:30 UTC-03:00",
        ),
    ],
)
def test_clock_names_the_zone_only_for_a_repeated_time(moment, zone, expected):
    assert times.clock(moment, zone) == expected


def _post(client, desk, start, end, follow=False, **extra):
    data = {
        "place": f"desk-{desk.pk}",
        "date": DAY.isoformat(),
        "start_time": start,
        "end_time": end,
        **extra,
    }
    return client.post(reverse("bookings:new"), data, follow=follow)


def test_the_form_asks_which_two_oclock_and_books_what_was_chosen(client, member, desk):
    client.force_login(member)

    asked = _post(client, desk, "02:00", "03:00")
    second = _post(client, desk, "02:00", "03:00", start_pass="second")

    assert asked.status_code == 200
    assert asked.context["form"].errors == {
        "start_pass": [
            "02:00 happens twice on 31 October: the clocks go back an hour. Choose which 02:00 you mean."
        ]
    }
    assert 'value="first"' in asked.text and "02:00 CEST, before the clocks go back" in asked.text
    assert 'value="second"' in asked.text and "02:00 CET, after the clocks go back" in asked.text
    assert second.status_code == 302
    booking = Booking.objects.get()
    assert (booking.start, booking.end) == (SECOND_TWO, THREE)  # one real hour, as typed


def test_the_first_pass_of_two_oclock_is_booked_for_two_real_hours_and_says_so(client, member, desk):
    client.force_login(member)

    response = _post(client, desk, "02:00", "03:00", start_pass="first", follow=True)

    booking = Booking.objects.get()
    assert (booking.start, booking.end) == (FIRST_TWO, THREE)
    assert "Booked for 31 October at 02:00 CEST." in response.text
    assert "Sun, 31 October · 02:00 CEST–03:00" in response.text


def test_an_end_that_only_one_pass_allows_needs_no_choice(client, member, desk):
    client.force_login(member)

    _post(client, desk, "02:30", "02:00", start_pass="first")

    booking = Booking.objects.get()
    assert (booking.start, booking.end) == (FIRST_TWO + dt.timedelta(minutes=30), SECOND_TWO)


def test_the_repeated_hour_reads_unambiguously_on_pages_and_in_emails(
    client, member, staff, desk, django_capture_on_commit_callbacks
):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, desk, "02:00", "02:00", start_pass="first", end_pass="second")
    booking = Booking.objects.get()

    detail = client.get(reverse("bookings:detail", args=[booking.pk]))
    mine = client.get(reverse("bookings:mine"))
    client.force_login(staff)
    staff_list = client.get(reverse("bookings:staff_list"), {"day": DAY.isoformat()})

    assert (booking.start, booking.end) == (FIRST_TWO, SECOND_TWO)
    assert (
        '<div class="booking-time" data-testid="booking-when">Sun, 31 October · 02:00 CEST–02:00 CET</div>'
        in (detail.text)
    )
    assert "Sun, 31 October · 02:00 CEST–02:00 CET" in mine.text
    assert "02:00 CEST–02:00 CET" in staff_list.text
    [message] = mail.outbox
    assert message.subject == "Booking confirmed: Desk B-1, Loft, 31 October, 02:00 CEST"
    assert "Sunday, 31 October 2027, 02:00 CEST–02:00 CET\n" in message.body


def test_the_day_grid_links_book_the_pass_shown(client, member, desk):
    client.force_login(member)

    link = client.get(
        reverse("bookings:new"), {"desk": desk.pk, "start": "2027-10-31T00:00Z", "end": "2027-10-31T01:00Z"}
    )
    response = client.post(reverse("bookings:new"), link.context["form"].initial)

    assert (link.context["form"].initial["start_pass"], link.context["form"].initial["end_pass"]) == (
        "first",
        "second",
    )
    assert 'value="first" id="id_start_pass_0" checked' in link.text
    assert response.status_code == 302
    assert Booking.objects.values_list("start", "end").get() == (FIRST_TWO, SECOND_TWO)


def test_a_series_refuses_a_time_the_clocks_repeat(client, member, desk):
    client.force_login(member)

    response = client.post(
        reverse("bookings:series_new"),
        {
            "place": f"desk-{desk.pk}",
            "first": "2027-10-30",
            "start_time": "02:00",
            "end_time": "04:00",
            "frequency": "daily",
            "count": "3",
        },
    )

    assert response.context["form"].errors == {
        "start_time": [
            "02:00 happens twice on 31 October: the clocks go back an hour. Choose another time, or book "
            "that day on its own."
        ]
    }


def test_the_taken_page_tells_the_two_passes_apart(client, member, desk):
    BookingFactory(desk=desk, start=SECOND_TWO, end=THREE)
    client.force_login(member)

    response = _post(client, desk, "02:00", "03:00", start_pass="second")

    assert response.status_code == 409
    assert "for 31 October, 02:00 CET a moment before you" in response.text


@pytest.mark.parametrize("kind", [kind for kind, _label in Notification.Kind.choices])
def test_every_booking_email_tells_the_two_passes_apart(member, desk, kind):
    booking = BookingFactory(user=member, desk=desk, start=FIRST_TWO, end=SECOND_TWO)

    message = notifications._message(Notification(booking=booking, kind=kind))

    assert "02:00 CEST–02:00 CET" in message.body
    assert "02:00 CEST" in message.subject

"""Recurring bookings: the preview of every occurrence, booking the free ones, the form's checks."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse

from bookings.models import Booking, BookingRules, BookingSeries
from bookings.tests.factories import BookingFactory, BuildingFactory, DeskFactory, OpenSpaceFactory, local
from spaces.models import local_instant

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]
URL = reverse("bookings:series_new")
STATUS = re.compile(r'data-status="([a-z_]+)"')


def next_weekday(building, weekday: int, after_days: int = 2) -> dt.date:
    day = building.local_today() + dt.timedelta(days=after_days)
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def series_post(desk, first: dt.date, **fields) -> dict:
    data = {
        "place": f"desk-{desk.pk}",
        "first": first.isoformat(),
        "start_time": "10:00",
        "end_time": "11:00",
        "frequency": "weekly",
        "weekdays": [str(first.weekday())],
        "count": "4",
        "preview": "1",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def statuses(response) -> list[str]:
    return STATUS.findall(response.content.decode())


def test_series_new_requires_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={URL}"


def test_series_new_prefills_the_place_from_the_query(client, member, desk):
    client.force_login(member)
    response = client.get(URL, {"desk": desk.pk})
    assert response.status_code == 200
    assert f'<option value="desk-{desk.pk}" selected>' in response.content.decode()
    assert response.context["occurrences"] is None


@pytest.mark.smoke
def test_series_preview_marks_every_occurrence_free_or_taken_and_saves_nothing(client, member, desk):
    building = desk.room.building
    first = next_weekday(building, 0)
    other = BookingFactory(
        desk=desk,
        start=local(building, first + dt.timedelta(weeks=1), 10, 30),
        end=local(building, first + dt.timedelta(weeks=1), 11, 30),
    )
    client.force_login(member)
    response = client.post(URL, series_post(desk, first))
    assert response.status_code == 200
    assert statuses(response) == ["free", "taken", "free", "free"]
    assert [o.start for o in response.context["occurrences"]] == [
        local(building, first + dt.timedelta(weeks=week), 10) for week in range(4)
    ]
    html = response.content.decode()
    assert "Already booked." in html
    assert "Book the free ones (3)" in html
    assert list(Booking.objects.all()) == [other]
    assert BookingSeries.objects.count() == 0


@pytest.mark.smoke
def test_series_confirm_books_exactly_the_free_ones(client, member, desk, django_capture_on_commit_callbacks):
    building = desk.room.building
    first = next_weekday(building, 2)
    BookingFactory(desk=desk, start=local(building, first, 9), end=local(building, first, 10, 30))
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, series_post(desk, first, preview=None, confirm="1"), follow=True)
    assert response.redirect_chain == [(reverse("bookings:mine"), 302)]
    assert "Recurring booking made. Booked: 3, skipped: 1." in response.content.decode()
    booked = Booking.objects.filter(user=member).order_by("start")
    assert [b.start for b in booked] == [
        local(building, first + dt.timedelta(weeks=w), 10) for w in (1, 2, 3)
    ]
    assert len({b.series_id for b in booked}) == 1
    assert booked[0].series.weekdays == str(first.weekday())
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member.email]


def test_series_confirm_skips_an_occurrence_taken_after_the_preview(client, member, desk):
    building = desk.room.building
    first = next_weekday(building, 4)
    client.force_login(member)
    assert statuses(client.post(URL, series_post(desk, first, count="2"))) == ["free", "free"]
    BookingFactory(desk=desk, start=local(building, first, 10), end=local(building, first, 11))
    client.post(URL, series_post(desk, first, count="2", preview=None, confirm="1"))
    assert list(Booking.objects.filter(user=member).values_list("start", flat=True)) == [
        local(building, first + dt.timedelta(weeks=1), 10)
    ]


def test_series_confirm_with_nothing_free_books_nothing_and_says_so(client, member, desk):
    building = desk.room.building
    first = next_weekday(building, 1)
    BookingFactory(desk=desk, start=local(building, first, 10), end=local(building, first, 11))
    client.force_login(member)
    response = client.post(URL, series_post(desk, first, count="1", preview=None, confirm="1"))
    assert response.status_code == 200
    assert "None of these dates is free any more, so nothing was booked." in response.content.decode()
    assert statuses(response) == ["taken"]
    assert Booking.objects.filter(user=member).count() == 0


def test_series_quota_counts_every_occurrence(client, member, desk):
    BookingRules.objects.update_or_create(pk=1, defaults={"max_upcoming_bookings": 3})
    building = desk.room.building
    first = building.local_today() + dt.timedelta(days=1)
    client.force_login(member)
    data = series_post(desk, first, frequency="daily", weekdays=None, count="5")
    response = client.post(URL, data)
    assert statuses(response) == ["free", "free", "free", "quota", "quota"]
    # The number in the message is services' business; that it explains the skip is ours.
    assert (
        len(
            re.findall(
                r"You already have \d+ upcoming bookings?, the most allowed\.", response.content.decode()
            )
        )
        == 2
    )
    client.post(URL, {**data, "confirm": "1"})
    assert Booking.objects.filter(user=member).count() == 3


def test_series_htmx_preview_returns_only_the_planner(client, member, desk):
    client.force_login(member)
    first = next_weekday(desk.room.building, 3)
    response = client.post(URL, series_post(desk, first), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="series-planner"')
    assert "<html" not in html
    assert statuses(response) == ["free"] * 4


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"until": "+14"}, "until", "Fill in either the last date or the number of times: one of the two."),
        ({"count": None}, "until", "Fill in either the last date or the number of times: one of the two."),
        ({"weekdays": None}, "weekdays", "Choose at least one weekday."),
        ({"end_time": "09:00"}, "end_time", "The end must be after the start."),
        ({"count": None, "until": "-1"}, "until", "The last date is before the first one."),
        ({"count": None, "until": "+366"}, "until", "A series can run for a year at most."),
    ],
)
def test_series_form_errors_keep_the_input_and_save_nothing(client, member, desk, fields, field, message):
    client.force_login(member)
    first = next_weekday(desk.room.building, 0)
    fields = dict(fields)
    if "until" in fields:  # days after the first date
        fields["until"] = (first + dt.timedelta(days=int(fields["until"]))).isoformat()
    response = client.post(URL, series_post(desk, first, **fields))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert response.context["occurrences"] is None
    assert f'value="{first.isoformat()}"' in response.content.decode()
    assert Booking.objects.count() == 0


def test_series_first_date_in_the_past_is_refused(client, member, desk):
    client.force_login(member)
    yesterday = desk.room.building.local_today() - dt.timedelta(days=1)
    response = client.post(URL, series_post(desk, yesterday))
    assert response.context["form"].errors == {"first": ["The first date is in the past."]}


def spring_forward(building) -> dt.date:
    """The next local date on which the building's clocks jump forward."""

    def offset(day: dt.date) -> dt.timedelta:
        return local_instant(day, dt.time(12), building.zone).utcoffset()

    day = building.local_today() + dt.timedelta(days=1)
    while offset(day + dt.timedelta(days=1)) <= offset(day):
        day += dt.timedelta(days=1)
    return day + dt.timedelta(days=1)


def test_series_refuses_a_time_the_spring_change_skips(client, member):
    desk = DeskFactory(
        room=OpenSpaceFactory(building=BuildingFactory(time_zone="Europe/Berlin", open_daily=False))
    )
    gap_day = spring_forward(desk.room.building)
    client.force_login(member)
    data = series_post(desk, gap_day - dt.timedelta(weeks=1), start_time="02:30", end_time="04:00", count="3")
    response = client.post(URL, data)
    [error] = response.context["form"].errors["start_time"]
    assert error.startswith("02:30 does not exist on ")
    assert "in Europe/Berlin: the clocks go forward" in error
    assert response.context["occurrences"] is None


def test_series_preview_keeps_the_local_time_across_the_spring_change(client, member):
    BookingRules.objects.update_or_create(pk=1, defaults={"series_days_ahead": 400})
    desk = DeskFactory(room=OpenSpaceFactory(building=BuildingFactory(time_zone="Europe/Berlin")))
    building = desk.room.building
    gap_day = spring_forward(building)
    first = gap_day - dt.timedelta(weeks=2)
    client.force_login(member)
    response = client.post(URL, series_post(desk, first, start_time="19:00", end_time="20:00"))
    html = response.content.decode()
    assert statuses(response) == ["free"] * 4
    assert html.count('data-testid="occurrence-time">19:00–20:00<') == 4
    assert [o.start.utcoffset() for o in response.context["occurrences"]] == [
        dt.timedelta(hours=1),
        dt.timedelta(hours=1),
        dt.timedelta(hours=2),
        dt.timedelta(hours=2),
    ]
    assert html.count(">CET<") == 2
    assert html.count(">CEST<") == 2

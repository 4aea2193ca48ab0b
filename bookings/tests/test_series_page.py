"""A member's series page (every occurrence, cancel one or the rest, extend it) and the
series horizon, a rule of its own."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import UserFactory
from bookings import services
from bookings.models import Booking, BookingRules, BookingSeries, BuildingRules
from bookings.tests.factories import local

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]
# Monday 1 March 2027, 12:00 in Moscow.
TODAY = dt.date(2027, 3, 1)
NOW = dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC)
TEN, ELEVEN = dt.time(10), dt.time(11)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


def _weekly(user, desk, first: dt.date, count: int) -> BookingSeries:
    series, occurrences = services.book_series(
        user=user,
        resource=desk,
        frequency=BookingSeries.Frequency.WEEKLY,
        weekdays=[first.weekday()],
        first=first,
        until=None,
        count=count,
        start_time=TEN,
        end_time=ELEVEN,
    )
    assert all(o.free for o in occurrences)
    return series


def _plan(member, desk, weeks: int):
    dates = [TODAY + dt.timedelta(weeks=week) for week in range(1, weeks + 1)]
    return services.plan_series(user=member, resource=desk, dates=dates, start_time=TEN, end_time=ELEVEN)


# The horizon


def test_series_horizon_defaults_to_90_days_beyond_the_single_booking_window(member, desk):
    assert (BookingRules.load().series_days_ahead, BookingRules.load().max_days_ahead) == (90, 30)
    occurrences = _plan(member, desk, 14)  # 7 … 98 days ahead
    assert [o.free for o in occurrences] == [True] * 12 + [False] * 2
    assert occurrences[-1].problem.code == "too_far"
    assert occurrences[-1].problem.message == "A recurring booking reaches at most 90 days ahead."
    assert services.horizon(desk.room.building) == dt.date(2027, 5, 30)


def test_series_horizon_follows_the_buildings_override(member, desk):
    BuildingRules.objects.create(building=desk.room.building, series_days_ahead=100)
    assert services.rules_for(desk.room.building).series_days_ahead == 100
    assert [o.free for o in _plan(member, desk, 15)] == [True] * 14 + [False]


def test_single_bookings_keep_their_own_window(member, desk):
    start = local(desk.room.building, TODAY + dt.timedelta(days=35), 10)
    with pytest.raises(services.BookingError) as error:
        services.create_booking(user=member, resource=desk, start=start, end=start + dt.timedelta(hours=1))
    assert error.value.code == "too_far"


def test_series_form_refuses_a_last_date_beyond_the_horizon(client, member, desk):
    client.force_login(member)
    data = {
        "place": f"desk-{desk.pk}",
        "first": "2027-03-08",
        "start_time": "10:00",
        "end_time": "11:00",
        "frequency": "weekly",
        "weekdays": ["0"],
        "until": "2027-05-31",
        "count": "",
        "preview": "1",
    }
    response = client.post(reverse("bookings:series_new"), data)
    assert response.context["form"].errors["until"] == [
        "A recurring booking reaches 30 May 2027 at the latest."
    ]
    data["until"] = "2027-05-30"
    response = client.post(reverse("bookings:series_new"), data)
    assert response.context["form"].errors == {}
    assert len(response.context["occurrences"]) == 12


# The series page


def test_series_page_lists_every_occurrence_with_its_state(client, member, desk):
    series = _weekly(member, desk, dt.date(2027, 3, 8), 3)
    second = series.bookings.order_by("start")[1]
    services.cancel_booking(second, by=member)
    client.force_login(member)
    response = client.get(reverse("bookings:series", args=[series.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="series-occurrence"') == 3
    assert [o.status for o in response.context["occurrences"]] == ["confirmed", "cancelled", "confirmed"]
    assert "Every week on Monday, 10:00–11:00 · Pokrovka" in html
    assert "3 dates, 2 to come." in html
    # Only the confirmed ones can be cancelled.
    assert html.count('data-testid="series-cancel-one"') == 2


def test_series_page_of_another_member_is_404(client, member, desk):
    series = _weekly(UserFactory(), desk, dt.date(2027, 3, 8), 2)
    client.force_login(member)
    assert client.get(reverse("bookings:series", args=[series.pk])).status_code == 404
    booking = series.bookings.first()
    for name, data in [
        ("bookings:series_cancel", {"booking": booking.pk, "scope": "following"}),
        ("bookings:series_extend", {"until": "2027-04-30"}),
    ]:
        assert client.post(reverse(name, args=[series.pk]), data).status_code == 404
    assert Booking.objects.active().count() == 2


def test_series_cancel_of_a_booking_outside_the_series_is_404(client, member, desk):
    series = _weekly(member, desk, dt.date(2027, 3, 8), 2)
    other = _weekly(UserFactory(), desk, dt.date(2027, 3, 9), 1).bookings.get()
    client.force_login(member)
    response = client.post(reverse("bookings:series_cancel", args=[series.pk]), {"booking": other.pk})
    assert response.status_code == 404
    assert Booking.objects.active().count() == 3


def test_series_page_cancels_one_occurrence(client, member, desk):
    series = _weekly(member, desk, dt.date(2027, 3, 8), 3)
    second = series.bookings.order_by("start")[1]
    client.force_login(member)
    response = client.post(
        reverse("bookings:series_cancel", args=[series.pk]),
        {"booking": second.pk, "scope": "one"},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("bookings:series", args=[series.pk]), 302)]
    assert "1 booking of the series cancelled." in response.content.decode()
    statuses = list(series.bookings.order_by("start").values_list("status", flat=True))
    assert statuses == ["confirmed", "cancelled", "confirmed"]


def test_series_page_cancels_the_rest(client, member, desk):
    series = _weekly(member, desk, dt.date(2027, 3, 8), 4)
    second = series.bookings.order_by("start")[1]
    client.force_login(member)
    response = client.post(
        reverse("bookings:series_cancel", args=[series.pk]),
        {"booking": second.pk, "scope": "following"},
        follow=True,
    )
    assert "3 bookings of the series cancelled." in response.content.decode()
    statuses = list(series.bookings.order_by("start").values_list("status", flat=True))
    assert statuses == ["confirmed", "cancelled", "cancelled", "cancelled"]


def test_series_page_extends_within_the_rules_and_skips_taken_dates(client, member, desk):
    series = _weekly(member, desk, dt.date(2027, 3, 8), 2)  # 8 and 15 March
    taken_start = local(desk.room.building, dt.date(2027, 3, 29), 10)
    services.create_booking(
        user=UserFactory(), resource=desk, start=taken_start, end=taken_start + dt.timedelta(minutes=30)
    )
    client.force_login(member)
    response = client.post(
        reverse("bookings:series_extend", args=[series.pk]), {"until": "2027-04-05"}, follow=True
    )
    html = response.content.decode()
    assert "Series extended. Booked: 2, skipped: 1." in html
    assert "Skipped: 29 March: Already booked." in html
    starts = [b.start for b in series.bookings.order_by("start")]
    assert starts == [local(desk.room.building, dt.date(2027, 3, day), 10) for day in (8, 15, 22)] + [
        local(desk.room.building, dt.date(2027, 4, 5), 10)
    ]
    series.refresh_from_db()
    assert (series.until, series.count) == (dt.date(2027, 4, 5), None)


@pytest.mark.parametrize(
    ("until", "message"),
    [
        ("2027-03-15", "Choose a date after the last one of the series (15 March 2027)."),
        ("2027-05-31", "A recurring booking reaches 30 May 2027 at the latest."),
        ("", "This field is required."),
    ],
)
def test_series_extend_refuses_a_bad_last_date_and_books_nothing(client, member, desk, until, message):
    series = _weekly(member, desk, dt.date(2027, 3, 8), 2)
    client.force_login(member)
    response = client.post(reverse("bookings:series_extend", args=[series.pk]), {"until": until})
    assert response.status_code == 400
    assert response.context["extend_form"].errors["until"] == [message]
    assert series.bookings.count() == 2


def test_extend_series_refuses_another_member(member, desk):
    series = _weekly(UserFactory(), desk, dt.date(2027, 3, 8), 1)
    with pytest.raises(services.BookingError) as error:
        services.extend_series(series, by=member, until=dt.date(2027, 4, 1))
    assert error.value.code == "forbidden"
    assert series.bookings.count() == 1


@pytest.mark.parametrize("count", [1, 3])
def test_series_page_runs_a_fixed_number_of_queries(client, member, desk, count, django_assert_num_queries):
    series = _weekly(member, desk, dt.date(2027, 3, 8), count)
    client.force_login(member)
    with django_assert_num_queries(10):
        response = client.get(reverse("bookings:series", args=[series.pk]))
    assert len(response.context["occurrences"]) == count


def test_series_page_is_linked_from_my_bookings_and_the_booking(client, member, desk):
    series = _weekly(member, desk, dt.date(2027, 3, 8), 2)
    client.force_login(member)
    url = reverse("bookings:series", args=[series.pk])
    assert f'href="{url}"' in client.get(reverse("bookings:mine")).content.decode()
    booking = series.bookings.first()
    assert f'href="{url}"' in client.get(reverse("bookings:detail", args=[booking.pk])).content.decode()


def test_series_page_pages_a_long_series(client, member, desk, monkeypatch):
    monkeypatch.setattr("bookings.views.recurring.SERIES_PER_PAGE", 2)
    series = _weekly(member, desk, dt.date(2027, 3, 8), 3)
    client.force_login(member)
    url = reverse("bookings:series", args=[series.pk])
    first = client.get(url)
    assert [b.start.day for b in first.context["occurrences"]] == [8, 15]
    assert "3 dates, 3 to come." in first.content.decode()
    second = client.get(url, {"page": 2})
    assert [b.start.day for b in second.context["occurrences"]] == [22]
    assert 'data-testid="series-pages"' in second.content.decode()

"""Recurring bookings and "I won't come" through the API: the page's form and services,
so the same checks, codes and messages."""

from __future__ import annotations

import datetime as dt

import pytest

from api.models import Scope
from api.tests.conftest import NOON, TOMORROW, ApiClient
from api.tokens import create_personal_token
from bookings.models import Booking, BookingSeries
from bookings.tests.factories import BookingFactory, DeskFactory, local

pytestmark = [pytest.mark.django_db, pytest.mark.language("en"), pytest.mark.usefixtures("noon")]
TODAY = NOON.date()
MONDAY = dt.date(2026, 3, 16)  # the first Monday after NOON
PREVIEW = "/api/v1/bookings/series/preview"
SERIES = "/api/v1/bookings/series"


def series(desk, **fields) -> dict:
    """Weekly on Mondays, 10:00-11:00, four times, from MONDAY."""
    body = {
        "desk": desk.pk,
        "first": MONDAY.isoformat(),
        "start_time": "10:00",
        "end_time": "11:00",
        "frequency": "weekly",
        "weekdays": [0],
        "count": 4,
    }
    body.update(fields)
    return {key: value for key, value in body.items() if value is not None}


def mondays(desk, weeks: int = 4) -> list[str]:
    building = desk.room.building
    return [local(building, MONDAY + dt.timedelta(weeks=week), 10).isoformat() for week in range(weeks)]


def _taken_second_monday(desk) -> Booking:
    building = desk.room.building
    day = MONDAY + dt.timedelta(weeks=1)
    return BookingFactory(desk=desk, start=local(building, day, 10, 30), end=local(building, day, 11, 30))


def _starts(body: dict) -> list[str]:
    return [dt.datetime.fromisoformat(o["start"]).astimezone(dt.UTC).isoformat() for o in body["occurrences"]]


def test_preview_gives_every_occurrence_and_saves_nothing(token_client, desk):
    other = _taken_second_monday(desk)

    response = token_client.get(PREVIEW, series(desk))

    assert response.status_code == 200
    body = response.json()
    assert (body["free"], body["skipped"]) == (3, 1)
    assert _starts(body) == mondays(desk)
    assert [o["free"] for o in body["occurrences"]] == [True, False, True, True]
    assert body["occurrences"][1]["problem"] == {"code": "taken", "message": "Already booked."}
    assert [o["booking_id"] for o in body["occurrences"]] == [None] * 4
    assert list(Booking.objects.all()) == [other]
    assert not BookingSeries.objects.exists()


def test_weekly_on_several_weekdays_as_the_readme_shows(token_client, desk):
    building = desk.room.building

    response = token_client.get(PREVIEW, series(desk, weekdays=[0, 2]))

    assert _starts(response.json()) == [
        local(building, MONDAY + dt.timedelta(days=days), 10).isoformat() for days in (0, 2, 7, 9)
    ]


def test_a_read_only_token_may_preview_but_not_book(member, desk):
    client = ApiClient(create_personal_token(member, name="ro", scope=Scope.READ)[1])

    assert client.get(PREVIEW, series(desk)).status_code == 200
    refused = client.post(SERIES, series(desk))

    assert (refused.status_code, refused.json()["code"]) == (403, "insufficient_scope")
    assert not Booking.objects.exists()


def test_create_books_the_free_ones_and_reports_each(token_client, member, desk):
    _taken_second_monday(desk)

    response = token_client.post(SERIES, series(desk))

    assert response.status_code == 201
    body = response.json()
    made = BookingSeries.objects.get()
    assert (body["series_id"], made.user, made.weekdays, made.count) == (made.pk, member, "0", 4)
    assert (body["free"], body["skipped"]) == (3, 1)
    booked = list(Booking.objects.filter(series=made).order_by("start"))
    assert [o["booking_id"] for o in body["occurrences"]] == [booked[0].pk, None, booked[1].pk, booked[2].pk]
    assert body["occurrences"][1]["problem"]["code"] == "taken"
    assert [b.start.isoformat() for b in booked] == [mondays(desk)[week] for week in (0, 2, 3)]
    assert {b.user for b in booked} == {member}


def test_nothing_free_is_409_and_books_nothing(token_client, desk):
    taken = _taken_second_monday(desk)

    response = token_client.post(
        SERIES, series(desk, first=(MONDAY + dt.timedelta(weeks=1)).isoformat(), count=1)
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "none_free"
    assert body["detail"] == "None of these dates is free any more, so nothing was booked."
    assert [o["problem"]["code"] for o in body["occurrences"]] == ["taken"]
    assert list(Booking.objects.all()) == [taken]
    assert not BookingSeries.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"weekdays": []}, "weekdays", "Choose at least one weekday."),
        (
            {"until": (MONDAY + dt.timedelta(weeks=2)).isoformat()},
            "until",
            "Fill in either the last date or the number of times: one of the two.",
        ),
        ({"first": (TODAY - dt.timedelta(days=1)).isoformat()}, "first", "The first date is in the past."),
        ({"count": 101}, "count", "Ensure this value is less than or equal to 100."),
        ({"end_time": "09:00"}, "end_time", "The end must be after the start."),
        ({"first": "1000-01-06"}, "first", "Choose a date between 2000 and 2100."),
    ],
)
def test_the_pages_form_checks_the_series(token_client, desk, fields, field, message):
    for method, path in (("get", PREVIEW), ("post", SERIES)):
        response = getattr(token_client, method)(path, series(desk, **fields))

        assert response.status_code == 422
        body = response.json()
        assert body["code"] == "invalid"
        assert body["errors"] == [{"field": field, "message": message}]
    assert not Booking.objects.exists()


def test_a_place_out_of_service_is_refused(token_client, desk):
    desk.is_active = False
    desk.save()

    previewed = token_client.get(PREVIEW, series(desk))
    booked = token_client.post(SERIES, series(desk))

    assert (previewed.status_code, previewed.json()["code"]) == (422, "inactive")
    assert (booked.status_code, booked.json()["code"]) == (422, "inactive")
    assert not Booking.objects.exists()


def test_the_quota_counts_the_occurrences_before_each(token_client, desk):
    response = token_client.get(PREVIEW, series(desk, frequency="daily", weekdays=None, count=22))

    body = response.json()
    assert response.status_code == 200
    assert (body["free"], body["skipped"]) == (20, 2)
    assert {o["problem"]["code"] for o in body["occurrences"] if o["problem"]} == {"quota"}


def test_member_releases_a_booking_past_the_cutoff(token_client, member, desk):
    building = desk.room.building
    soon = BookingFactory(user=member, desk=desk, start=local(building, TODAY, 12, 30))

    response = token_client.post(f"/api/v1/bookings/{soon.pk}/release", {})

    assert response.status_code == 200
    soon.refresh_from_db()
    assert (soon.status, soon.cancel_reason) == (
        Booking.Status.CANCELLED,
        "Released: the member will not come.",
    )
    assert response.json()["status"] == "cancelled"


def test_a_booking_that_can_still_be_cancelled_is_not_released(token_client, member, desk):
    later = BookingFactory(user=member, desk=desk, start=local(desk.room.building, TOMORROW, 10))

    response = token_client.post(f"/api/v1/bookings/{later.pk}/release", {})

    assert response.status_code == 409
    assert (response.json()["code"], response.json()["detail"]) == (
        "cancel_instead",
        "This booking can still be cancelled.",
    )
    later.refresh_from_db()
    assert later.status == Booking.Status.CONFIRMED


def test_a_series_of_a_room_names_the_room(token_client, desk):
    body = series(desk)
    body["room"] = body.pop("desk")
    body["room"] = desk.room.pk

    response = token_client.get(PREVIEW, body)

    assert (response.status_code, response.json()["code"]) == (422, "open_space")


def test_only_the_place_named(token_client):
    desk = DeskFactory()

    both = token_client.get(PREVIEW, {**series(desk), "room": desk.room.pk})

    assert (both.status_code, both.json()["code"]) == (422, "place_required")

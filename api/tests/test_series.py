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


def _made(client, desk, **fields) -> BookingSeries:
    assert client.post(SERIES, series(desk, **fields)).status_code == 201
    return BookingSeries.objects.latest("pk")


def test_a_series_shows_its_shape_and_lists_its_bookings(token_client, member, desk):
    made = _made(token_client, desk)
    BookingFactory(user=member, desk=desk, start=local(desk.room.building, TOMORROW, 10))  # not in it

    detail = token_client.get(f"/api/v1/bookings/series/{made.pk}")
    listed = token_client.get("/api/v1/bookings", {"series": made.pk})

    assert detail.status_code == 200
    assert {key: detail.json()[key] for key in ("id", "frequency", "weekdays", "until", "count")} == {
        "id": made.pk,
        "frequency": "weekly",
        "weekdays": [0],
        "until": None,
        "count": 4,
    }
    assert detail.json()["last_date"] == (MONDAY + dt.timedelta(weeks=3)).isoformat()
    assert detail.json()["horizon"] == (TODAY + dt.timedelta(days=90)).isoformat()  # series_days_ahead
    assert _starts({"occurrences": listed.json()["results"]}) == mondays(desk)[::-1]  # newest first


def test_extending_books_the_further_dates(token_client, desk):
    made = _made(token_client, desk)
    building = desk.room.building
    _taken = BookingFactory(
        desk=desk,
        start=local(building, MONDAY + dt.timedelta(weeks=5), 10),
        end=local(building, MONDAY + dt.timedelta(weeks=5), 11),
    )

    response = token_client.post(
        f"/api/v1/bookings/series/{made.pk}/extend", {"until": (MONDAY + dt.timedelta(weeks=6)).isoformat()}
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["series_id"], body["free"], body["skipped"]) == (made.pk, 2, 1)
    assert _starts(body) == [
        local(building, MONDAY + dt.timedelta(weeks=w), 10).isoformat() for w in (4, 5, 6)
    ]
    assert [o["problem"]["code"] if o["problem"] else None for o in body["occurrences"]] == [
        None,
        "taken",
        None,
    ]
    assert made.bookings.count() == 6
    made.refresh_from_db()
    assert (made.until, made.count) == (MONDAY + dt.timedelta(weeks=6), None)


@pytest.mark.parametrize(
    ("until", "message"),
    [
        (MONDAY + dt.timedelta(weeks=3), "Choose a date after the last one of the series (6 April 2026)."),
        (TODAY + dt.timedelta(days=91), "A recurring booking reaches 8 June 2026 at the latest."),
    ],
)
def test_extending_is_checked_by_the_pages_form(token_client, desk, until, message):
    made = _made(token_client, desk)

    response = token_client.post(f"/api/v1/bookings/series/{made.pk}/extend", {"until": until.isoformat()})

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "until", "message": message}]
    assert made.bookings.count() == 4


def test_cancel_this_and_the_following(token_client, member, desk):
    made = _made(token_client, desk)
    first, second, *_rest = made.bookings.order_by("start")

    response = token_client.post(f"/api/v1/bookings/{second.pk}/cancel-following", {})

    assert (response.status_code, response.json()) == (200, {"cancelled": 3})
    assert list(made.bookings.filter(status=Booking.Status.CONFIRMED)) == [first]

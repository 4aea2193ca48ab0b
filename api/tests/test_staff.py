"""The front desk's and managers' figures through the API: today's arrivals, the staff
home's numbers and the statistics, from the functions their pages use, behind the same
role permissions (a front desk sees no statistics; members see none of it)."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.tests.factories import UserFactory
from api.models import Scope
from api.tests.conftest import NOON, ApiClient
from api.tokens import create_personal_token
from bookings.models import Booking
from bookings.tests.factories import BookingFactory, DeskFactory, local
from donations.tests.factories import DonationFactory
from staff import dashboard
from visits.tests.factories import VisitFactory
from visits.tests.test_staff import _visit  # a closed visit at a local hour

pytestmark = [pytest.mark.django_db, pytest.mark.language("en"), pytest.mark.usefixtures("noon")]
TODAY = NOON.date()  # a Tuesday; 12:00 in Moscow


def staff_client(user) -> ApiClient:
    return ApiClient(
        create_personal_token(user, name="desk", scope=Scope.STAFF)[1], HTTP_ACCEPT_LANGUAGE="en"
    )


def arrivals_url(building, window: str | None = None) -> str:
    url = f"/api/v1/staff/buildings/{building.pk}/arrivals"
    return f"{url}?window={window}" if window else url


@pytest.fixture
def expected(desk):
    """Bookings of the desk's building today: at 12:30 and 15:00 expected; the rest not."""
    building = desk.room.building
    anna = UserFactory(full_name="Anna Petrova", email="anna@example.com")

    def book(hour, minute=0, **fields):
        return BookingFactory(
            desk=DeskFactory(room=desk.room), start=local(building, TODAY, hour, minute), **fields
        )

    soon = book(12, 30, user=anna)
    later = book(15)
    book(12, 45, checked_in_at=NOON)  # already in
    book(12, 15, status=Booking.Status.CANCELLED)
    book(11)  # started before now
    BookingFactory(desk=DeskFactory(), start=NOON + dt.timedelta(minutes=30))  # another building
    BookingFactory(desk=desk, start=local(building, TODAY + dt.timedelta(days=1), 9))  # tomorrow
    return soon, later


def test_front_desk_sees_who_is_expected_within_the_hour(front_desk, desk, expected):
    soon, _later = expected

    response = staff_client(front_desk).get(arrivals_url(desk.room.building))

    assert response.status_code == 200
    [arrival] = response.json()["results"]
    assert (arrival["id"], arrival["member_id"], arrival["member_name"], arrival["member_email"]) == (
        soon.pk,
        soon.user_id,
        "Anna Petrova",
        "anna@example.com",
    )
    assert dt.datetime.fromisoformat(arrival["start"]) == soon.start


def test_arrivals_are_the_staff_homes_figure(front_desk, desk, expected):
    building = desk.room.building
    [row] = [row for row in dashboard.today().buildings if row.building == building]

    listed = staff_client(front_desk).get(arrivals_url(building)).json()["results"]

    assert len(listed) == row.arrivals.value == 1


def test_arrivals_for_the_rest_of_the_buildings_day(front_desk, desk, expected):
    soon, later = expected

    response = staff_client(front_desk).get(arrivals_url(desk.room.building, "today"))

    assert [arrival["id"] for arrival in response.json()["results"]] == [soon.pk, later.pk]


def test_arrivals_of_an_unknown_building_are_404(front_desk):
    response = staff_client(front_desk).get("/api/v1/staff/buildings/999999/arrivals")

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_today_gives_the_staff_homes_figures(front_desk, member, desk, expected):
    building = desk.room.building
    VisitFactory(user=member, building=building, checked_in_at=NOON - dt.timedelta(hours=2))

    response = staff_client(front_desk).get("/api/v1/staff/today")

    assert response.status_code == 200
    body = response.json()
    [row] = [row for row in body["buildings"] if row["building_id"] == building.pk]
    assert row == {
        "building_id": building.pk,
        "name": building.name,
        "day": TODAY.isoformat(),
        "present": 1,
        "arrivals": 1,
        "bookings": 4,
        "attended": 1,
        "no_shows": 0,
        "upcoming": 2,
        "free_desks": 6,
        "visits": 1,
        "hours": "0",
    }
    assert (body["pending_pledges"], body["goal"]["month"]) == (0, "2026-03-01")


def test_today_is_polled_with_an_etag(front_desk, member, desk, time_machine):
    client = staff_client(front_desk)
    first = client.get("/api/v1/staff/today")
    time_machine.shift(dt.timedelta(seconds=30))  # the clock moves, the figures do not

    same = client.get("/api/v1/staff/today", HTTP_IF_NONE_MATCH=first["ETag"])
    VisitFactory(user=member, building=desk.room.building)
    changed = client.get("/api/v1/staff/today", HTTP_IF_NONE_MATCH=first["ETag"])

    assert (same.status_code, same["ETag"]) == (304, first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_manager_reads_the_statistics_of_the_page(manager, member, desk):
    building = desk.room.building
    _visit(member, building, TODAY - dt.timedelta(days=1), 9, 60)
    _visit(UserFactory(), building, TODAY - dt.timedelta(days=1), 9, 120)
    _visit(member, building, TODAY, 8, 30)

    response = staff_client(manager).get(
        "/api/v1/staff/statistics", {"start": "2026-03-08", "end": "2026-03-10", "building": building.pk}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["days"] == [
        {"day": "2026-03-08", "visits": 0, "minutes": 0},
        {"day": "2026-03-09", "visits": 2, "minutes": 180},
        {"day": "2026-03-10", "visits": 1, "minutes": 30},
    ]
    assert (body["start"], body["end"], body["time_zone"]) == ("2026-03-08", "2026-03-10", "Europe/Moscow")
    assert (body["visits"], body["members"], body["average_minutes"]) == (3, 2, 70)
    assert (body["heat"][0][9], body["heat"][1][8], sum(map(sum, body["heat"]))) == (2, 1, 3)
    assert body["usage"] == []


def test_statistics_default_to_the_last_30_days(manager):
    body = staff_client(manager).get("/api/v1/staff/statistics").json()

    assert (body["start"], body["end"], len(body["days"])) == ("2026-02-09", "2026-03-10", 30)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            {"start": "2026-03-10", "end": "2026-03-01"},
            "end",
            "The end date must not be before the start date.",
        ),
        ({"start": "2024-01-01", "end": "2026-03-01"}, "start", "Choose at most 366 days."),
        (
            {"building": 999999},
            "building",
            "Select a valid choice. That choice is not one of the available choices.",
        ),
        ({"start": "1000-01-01"}, "start", "Choose a date between 2000 and 2100."),
    ],
)
def test_statistics_refuse_what_the_page_refuses(manager, query, field, message):
    response = staff_client(manager).get("/api/v1/staff/statistics", query)

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": field, "message": message}]


ENDPOINTS = ["/api/v1/staff/today", "/api/v1/staff/statistics", "arrivals"]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("member", set()),
        ("front desk", {"/api/v1/staff/today", "arrivals"}),
        ("manager", set(ENDPOINTS)),
        ("superuser", set(ENDPOINTS)),
    ],
)
def test_each_role_reaches_what_its_pages_show(role, allowed, member, front_desk, manager, staff, desk):
    user = {"member": member, "front desk": front_desk, "manager": manager, "superuser": staff}[role]
    client = ApiClient(
        create_personal_token(user, name="t", scope=Scope.STAFF if user.is_staff else Scope.READ)[1]
    )

    for endpoint in ENDPOINTS:
        path = arrivals_url(desk.room.building) if endpoint == "arrivals" else endpoint
        response = client.get(path)

        assert response.status_code == (200 if endpoint in allowed else 403), (endpoint, response.json())
        if response.status_code == 403:
            assert response.json()["code"] == "staff_only"


def _every_staff_endpoint(member, desk) -> list[tuple[str, str, dict]]:
    building = desk.room.building
    booking = BookingFactory(user=member, desk=desk, start=local(building, TODAY + dt.timedelta(days=1), 10))
    start = local(building, TODAY + dt.timedelta(days=2), 10)
    book = {"member": member.pk, "desk": desk.pk, "start": start.isoformat()}
    book["end"] = (start + dt.timedelta(hours=1)).isoformat()
    return [
        ("post", "/api/v1/staff/visits/check-in", {"member": member.pk, "building": building.pk}),
        ("get", "/api/v1/staff/visits/open", {}),
        ("post", "/api/v1/staff/visits/check-out", {"member": member.pk}),
        ("post", "/api/v1/staff/bookings", book),
        ("post", "/api/v1/staff/bookings", {**book, "override_rules": True, "desk": DeskFactory().pk}),
        ("post", f"/api/v1/staff/bookings/{booking.pk}/cancel", {"reason": "Leak"}),
        ("get", "/api/v1/staff/donations/pending", {}),
        ("post", f"/api/v1/staff/donations/{DonationFactory(donor=member).pk}/confirm", {}),
        (
            "post",
            f"/api/v1/staff/donations/{DonationFactory(donor=member).pk}/reject",
            {"reason": "None came"},
        ),
        ("get", arrivals_url(building), {}),
        ("get", "/api/v1/staff/today", {}),
        ("get", "/api/v1/staff/statistics", {}),
    ]


@pytest.mark.parametrize(
    ("role", "statuses"),
    [
        # As the pages: a front desk checks in and out, books and cancels for members,
        # sees the pledges, arrivals and the staff home; not the rules' override, the
        # pledges' confirmation or rejection, nor the statistics.
        ("front desk", [201, 200, 200, 201, 403, 200, 200, 403, 403, 200, 200, 403]),
        ("manager", [201, 200, 200, 201, 201, 200, 200, 200, 200, 200, 200, 200]),
    ],
)
def test_front_desk_and_manager_reach_what_their_pages_allow(
    role, statuses, member, front_desk, manager, desk
):
    client = staff_client(front_desk if role == "front desk" else manager)

    answers = [
        getattr(client, method)(
            path, body, **({"content_type": "application/json"} if method == "post" else {})
        )
        for method, path, body in _every_staff_endpoint(member, desk)
    ]

    assert [answer.status_code for answer in answers] == statuses
    assert {answer.json()["code"] for answer in answers if answer.status_code == 403} <= {
        "staff_only",
        "forbidden",
    }

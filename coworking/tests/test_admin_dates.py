"""The admin's date drill-down and date columns never answer 500, even with rows dated in
year 1 and 9999 already in the database (coworking.admin.SensibleDatesAdmin)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from bookings.models import Booking, Notification
from bookings.tests.factories import BookingFactory, DeskFactory
from donations.models import MonthlyGoal
from donations.tests.factories import DonationFactory, MonthlyGoalFactory
from visits.tests.factories import VisitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

# Noon UTC of the first and the last day Python can hold: every zone can show them.
FIRST = dt.datetime(1, 1, 1, 12, tzinfo=dt.UTC)
LAST = dt.datetime(9999, 12, 31, 12, tzinfo=dt.UTC)
A_DAY = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)


def _users(moment: dt.datetime) -> None:
    UserFactory(date_joined=moment)


def _visits(moment: dt.datetime) -> None:
    VisitFactory(checked_in_at=moment, checked_out_at=moment, duration_minutes=0)


def _bookings(moment: dt.datetime) -> None:
    BookingFactory(start=moment, end=moment + dt.timedelta(hours=1), created_at=moment)


def _notifications(moment: dt.datetime) -> None:
    booking = BookingFactory(start=A_DAY, end=A_DAY + dt.timedelta(hours=1), created_at=A_DAY)
    Notification.objects.create(booking=booking, kind="confirmation", created_at=moment, sent_at=moment)


def _donations(moment: dt.datetime) -> None:
    DonationFactory(created_at=moment, confirmed_at=moment)


def _goals(moment: dt.datetime) -> None:
    MonthlyGoalFactory(month=moment.date().replace(day=1), amount=Decimal("1000.00"))


# (changelist, date_hierarchy field, how to make a row dated `moment`)
ADMINS = [
    ("admin:accounts_user_changelist", "date_joined", _users),
    ("admin:visits_visit_changelist", "checked_in_at", _visits),
    ("admin:bookings_booking_changelist", "start", _bookings),
    ("admin:bookings_notification_changelist", "created_at", _notifications),
    ("admin:donations_donation_changelist", "created_at", _donations),
    ("admin:donations_monthlygoal_changelist", "month", _goals),
]
BAD_DRILL_DOWNS = [
    {"year": "1"},
    {"year": "9999"},
    {"year": "9999", "month": "12"},
    {"year": "9999", "month": "12", "day": "31"},
    {"year": "1", "month": "1", "day": "1"},
    {"year": "1999"},
    {"year": "2101"},
    {"year": "2026", "month": "13"},
    {"year": "2026", "month": "0"},
    {"year": "2026", "month": "2", "day": "30"},
    {"year": "2026", "month": "1", "day": "40"},
    {"year": "abc"},
    {"year": str(10**30)},
]


def _query(field: str, parts: dict[str, str]) -> str:
    return "&".join(f"{field}__{part}={value}" for part, value in parts.items())


@pytest.mark.parametrize(("changelist", "field", "make"), ADMINS)
def test_changelist_with_rows_in_year_1_and_9999_opens_and_drills_down(admin_client, changelist, field, make):
    for moment in (FIRST, LAST, A_DAY):
        make(moment)
    url = reverse(changelist)
    response = admin_client.get(url)
    assert response.status_code == 200
    # The drill-down offers the sensible year only; the rows are all listed.
    assert f"{field}__year=2024" in response.text
    assert f"{field}__year=1&" not in response.text
    assert f"{field}__year=9999" not in response.text
    assert response.context["cl"].result_count == response.context["cl"].full_result_count
    for parts in (
        {"year": "2024"},
        {"year": "2024", "month": "3"},
        {"year": "2024", "month": "3", "day": "1"},
    ):
        response = admin_client.get(f"{url}?{_query(field, parts)}")
        assert response.status_code == 200
        assert response.context["cl"].result_count == 1


@pytest.mark.parametrize(("changelist", "field", "make"), ADMINS)
@pytest.mark.parametrize("parts", BAD_DRILL_DOWNS)
def test_changelist_refuses_a_drill_down_outside_the_sensible_dates(
    admin_client, changelist, field, make, parts
):
    for moment in (FIRST, LAST):
        make(moment)
    url = reverse(changelist)
    response = admin_client.get(f"{url}?{_query(field, parts)}")
    assert (response.status_code, response["Location"]) == (302, f"{url}?e=1")


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01"])
def test_admin_booking_form_refuses_dates_out_of_range_even_with_the_rules_overridden(admin_client, day):
    desk = DeskFactory()
    response = admin_client.post(
        reverse("admin:bookings_booking_add"),
        {
            "user": UserFactory().pk,
            "desk": desk.pk,
            "start_0": day,
            "start_1": "10:00",
            "end_0": day,
            "end_1": "11:00",
            "rules_overridden": "on",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert (errors["start"], errors["end"]) == (["Выберите дату между 2000 и 2100 годами."],) * 2
    assert Booking.objects.count() == 0


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-01"])
def test_admin_goal_form_refuses_a_month_out_of_range(admin_client, day):
    response = admin_client.post(reverse("admin:donations_monthlygoal_add"), {"month": day, "amount": "1000"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"month": ["Выберите дату между 2000 и 2100 годами."]}
    assert MonthlyGoal.objects.count() == 0

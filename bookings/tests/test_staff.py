"""Staff pages: every booking with filters, booking on a member's behalf, cancelling with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import UserFactory
from bookings.models import Booking
from bookings.tests.factories import (
    BookingFactory,
    BuildingFactory,
    DeskFactory,
    OpenSpaceFactory,
    RoomFactory,
    local,
    tomorrow,
)
from bookings.views.staff import PER_PAGE
from staff.roles import MANAGER

pytestmark = pytest.mark.django_db
LIST = reverse("bookings:staff_list")
NEW = reverse("bookings:staff_new")


@pytest.fixture
def staff(password):
    """A manager: the role that may also override the rules (staff.roles)."""
    user = UserFactory(password=password, is_staff=True, language="en", full_name="Staff Person")
    user.groups.add(Group.objects.get(name=MANAGER))
    return user


def local_past() -> dt.datetime:
    return dt.datetime(2026, 1, 10, 9, tzinfo=dt.UTC)


def row_ids(response) -> list[int]:
    return [booking.pk for booking in response.context["page"]]


@pytest.mark.parametrize("name", ["staff_list", "staff_new", "staff_cancel"])
def test_staff_pages_send_anonymous_visitors_to_log_in(client, name):
    url = reverse(f"bookings:{name}", args=[1] if name == "staff_cancel" else [])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={url}"


@pytest.mark.parametrize("name", ["staff_list", "staff_new", "staff_cancel"])
def test_staff_pages_are_forbidden_to_members(client, member, name):
    booking = BookingFactory(user=member)
    client.force_login(member)
    url = reverse(f"bookings:{name}", args=[booking.pk] if name == "staff_cancel" else [])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "mine"}).status_code == 403
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_staff_list_shows_upcoming_bookings_with_member_names(staff_client):
    past = BookingFactory(start=local_past(), end=local_past() + dt.timedelta(hours=1))
    upcoming = BookingFactory(user=UserFactory(full_name="Anna Petrova", email="anna@example.org"))
    response = staff_client.get(LIST)
    assert row_ids(response) == [upcoming.pk]
    html = response.content.decode()
    assert "Anna Petrova" in html
    assert "anna@example.org" in html
    assert f"Desk {upcoming.desk.label}, {upcoming.desk.room.name}" in html
    assert "Bookings not yet over: 1" in html
    assert past.user.email not in html


def test_staff_list_filters_by_member_and_status(staff_client):
    anna = BookingFactory(user=UserFactory(full_name="Anna Petrova", email="anna@example.org"))
    boris = BookingFactory(user=UserFactory(full_name="Boris", email="boris@example.org"))
    cancelled = BookingFactory(user=boris.user, status=Booking.Status.CANCELLED)
    assert row_ids(staff_client.get(LIST, {"member": "petrova"})) == [anna.pk]
    assert row_ids(staff_client.get(LIST, {"member": "BORIS@"})) == [boris.pk, cancelled.pk]
    assert row_ids(staff_client.get(LIST, {"member": "boris", "status": "confirmed"})) == [boris.pk]


def test_staff_list_day_is_the_buildings_local_day(staff_client, settings):
    settings.TIME_ZONE = "Europe/Moscow"
    new_york = BuildingFactory(time_zone="America/New_York")
    # 19:00 on 10 January in New York is 00:00 UTC and 03:00 in Moscow on 11 January.
    evening = BookingFactory(
        desk=DeskFactory(room=OpenSpaceFactory(building=new_york)),
        start=dt.datetime(2026, 1, 11, 0, tzinfo=dt.UTC),
        end=dt.datetime(2026, 1, 11, 1, tzinfo=dt.UTC),
    )
    assert row_ids(staff_client.get(LIST, {"building": new_york.pk, "day": "2026-01-10"})) == [evening.pk]
    assert row_ids(staff_client.get(LIST, {"building": new_york.pk, "day": "2026-01-11"})) == []
    # Across buildings the day is the space's default zone's.
    assert row_ids(staff_client.get(LIST, {"day": "2026-01-11"})) == [evening.pk]
    response = staff_client.get(LIST, {"building": new_york.pk, "day": "2026-01-10"})
    assert "19:00–20:00 EST" in response.content.decode()


def test_staff_list_filters_by_building_and_reports_a_bad_day(staff_client):
    here = BookingFactory()
    BookingFactory()
    response = staff_client.get(LIST, {"building": here.building_id, "day": "not-a-day"})
    assert row_ids(response) == [here.pk]
    assert response.context["filters"].errors == {"day": ["Enter a valid date."]}


def test_staff_list_paginates(staff_client):
    desk = DeskFactory()
    day = tomorrow(desk.room.building)
    for minute in range(PER_PAGE + 1):
        start = local(desk.room.building, day, 8) + dt.timedelta(minutes=minute * 10)
        BookingFactory(desk=desk, start=start, end=start + dt.timedelta(minutes=10))
    assert len(row_ids(staff_client.get(LIST))) == PER_PAGE
    response = staff_client.get(LIST, {"page": 2})
    assert len(row_ids(response)) == 1
    assert "2 / 2" in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_staff_list_query_count_is_fixed(staff_client, django_assert_num_queries, count):
    for _ in range(count):
        BookingFactory()
    BookingFactory(room=RoomFactory(), desk=None)
    # Session, staff member, their role's permissions (their own, their groups'),
    # buildings for the filter, count, page.
    with django_assert_num_queries(7):
        response = staff_client.get(LIST)
    assert len(row_ids(response)) == count + 1


def new_booking_data(member, desk, day: dt.date, start: str, end: str, **extra) -> dict:
    return {
        "member": member.pk,
        "place": f"desk-{desk.pk}",
        "day": day.isoformat(),
        "start_time": start,
        "end_time": end,
        **extra,
    }


@pytest.mark.smoke
def test_staff_books_for_a_member_outside_opening_hours_with_the_override(staff_client, staff, member):
    desk = DeskFactory()
    building = desk.room.building
    day = tomorrow(building)
    response = staff_client.post(
        NEW, new_booking_data(member, desk, day, "21:00", "22:00", override_rules="on")
    )
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response.url == f"{LIST}?building={building.pk}&day={day.isoformat()}"
    assert (booking.user, booking.created_by, booking.rules_overridden) == (member, staff, True)
    assert (booking.start, booking.end) == (local(building, day, 21), local(building, day, 22))


def test_staff_booking_outside_the_rules_needs_the_override(staff_client, member):
    desk = DeskFactory()
    response = staff_client.post(
        NEW, new_booking_data(member, desk, tomorrow(desk.room.building), "21:00", "22:00")
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The building is closed at some of this time.",
        "Tick “Override the booking rules” to book anyway.",
    ]
    assert 'value="21:00"' in response.content.decode()
    assert Booking.objects.count() == 0


def test_staff_booking_is_refused_on_an_overlap_even_with_the_override(staff_client, member):
    taken = BookingFactory(user=UserFactory(full_name="Holder Person"))
    data = new_booking_data(
        member, taken.desk, tomorrow(taken.building), "10:30", "12:00", override_rules="on"
    )
    response = staff_client.post(NEW, data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This place is already booked for part of that time by Holder Person (10:00–11:00). "
        "Overlaps are refused even when the rules are overridden."
    ]
    assert list(Booking.objects.all()) == [taken]


def test_staff_booking_refuses_a_time_the_spring_change_skips(staff_client, member):
    desk = DeskFactory(room=OpenSpaceFactory(building=BuildingFactory(time_zone="Europe/Berlin")))
    data = new_booking_data(member, desk, dt.date(2027, 3, 28), "02:00", "02:30", override_rules="on")
    response = staff_client.post(NEW, data)
    [error] = response.context["form"].errors["start_time"]
    assert error.startswith("02:00 does not exist on 28")
    assert Booking.objects.count() == 0


def test_staff_cancel_shows_the_booking_and_asks_for_a_reason(staff_client):
    booking = BookingFactory(user=UserFactory(full_name="Anna Petrova"))
    response = staff_client.get(reverse("bookings:staff_cancel", args=[booking.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Anna Petrova" in html
    assert '<textarea name="reason"' in html
    assert "10:00–11:00" in html


def test_staff_cancel_requires_a_reason(staff_client):
    booking = BookingFactory()
    response = staff_client.post(reverse("bookings:staff_cancel", args=[booking.pk]), {"reason": "   "})
    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["Give the member a reason for the cancellation."]}
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


@pytest.mark.smoke
def test_staff_cancel_emails_the_reason_to_the_member(
    staff_client, staff, django_capture_on_commit_callbacks
):
    booking = BookingFactory(user=UserFactory(language="en"))
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("bookings:staff_cancel", args=[booking.pk]), {"reason": "The room is being repainted."}
        )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by, booking.cancel_reason) == (
        Booking.Status.CANCELLED,
        staff,
        "The room is being repainted.",
    )
    [email] = mail.outbox
    assert email.to == [booking.user.email]
    assert "Cancelled by the staff. Reason: The room is being repainted." in email.body


def test_staff_cancel_of_a_missing_booking_is_404(staff_client):
    assert staff_client.get(reverse("bookings:staff_cancel", args=[999999])).status_code == 404


def test_staff_cancel_of_a_cancelled_booking_says_so(staff_client):
    booking = BookingFactory(status=Booking.Status.CANCELLED)
    url = reverse("bookings:staff_cancel", args=[booking.pk])
    assert "This booking is no longer active." in staff_client.get(url).content.decode()
    response = staff_client.post(url, {"reason": "again"})
    assert response.status_code == 200
    assert "This booking is no longer active." in response.content.decode()

"""The roles, page by page and action by action: each can do what it should and nothing more."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.models import Action, AuditEntry
from bookings.models import Booking
from bookings.services import BookingError, create_booking
from bookings.tests.factories import BookingFactory, DeskFactory, local, tomorrow
from coworking.tests.test_staff_access import POST_ONLY, STAFF_URLS, staff_url
from donations.models import Donation, DonationStatus
from donations.tests.factories import DonationFactory
from staff.roles import FRONT_DESK, FRONT_DESK_PERMISSIONS, MANAGER, MANAGER_PERMISSIONS

pytestmark = pytest.mark.django_db

# The staff pages each role may open; every other one answers 403.
FRONT_DESK_PAGES = {
    "staff:today",
    "visits:front_desk",
    "visits:desk_check_in",
    "visits:desk_check_out",
    "donations:staff",
    "donations:offline",
    "bookings:staff_list",
    "bookings:staff_new",
    "bookings:staff_move",
    "bookings:staff_cancel",
}
MANAGER_PAGES = {name for name, _arguments in STAFF_URLS}

# The admin lists each role may open; every other registered model answers 403.
FRONT_DESK_ADMIN = {"accounts.user", "bookings.booking", "visits.visit"}
MANAGER_ADMIN = {
    "accounts.user",
    "audit.auditentry",
    "bookings.booking",
    "bookings.bookingrules",
    "bookings.buildingrules",
    "bookings.calendarfeed",
    "bookings.notification",
    "django_tasks_database.dbtaskresult",
    "donations.donation",
    "donations.monthlygoal",
    "spaces.amenity",
    "spaces.building",
    "spaces.desk",
    "spaces.room",
    "visits.placecode",
    "visits.visit",
}


def _permissions(role: str) -> list[str]:
    group = Group.objects.get(name=role)
    return sorted(
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    )


def test_the_migration_makes_the_roles_with_exactly_their_permissions():
    assert _permissions(FRONT_DESK) == [
        "accounts.view_user",
        "bookings.add_booking",
        "bookings.change_booking",
        "bookings.view_booking",
        "donations.add_donation",
        "staff.view_dashboard",
        "visits.add_visit",
        "visits.change_visit",
        "visits.view_visit",
    ]
    assert _permissions(FRONT_DESK) == FRONT_DESK_PERMISSIONS
    assert _permissions(MANAGER) == MANAGER_PERMISSIONS
    # Not a superuser: no groups, no rights of their own, no deleting members.
    assert not {"auth.change_group", "auth.add_group", "accounts.delete_user", "accounts.add_user"} & set(
        MANAGER_PERMISSIONS
    )


@pytest.mark.parametrize(("name", "arguments"), STAFF_URLS)
@pytest.mark.parametrize(("role", "pages"), [("front_desk", FRONT_DESK_PAGES), ("manager", MANAGER_PAGES)])
def test_each_role_opens_its_staff_pages_and_no_others(request, client, name, arguments, role, pages):
    client.force_login(request.getfixturevalue(role))
    url = staff_url(name, arguments)
    expected = (405 if name in POST_ONLY else 200) if name in pages else 403
    assert client.get(url).status_code == expected


@pytest.mark.parametrize(("name", "arguments"), STAFF_URLS)
def test_staff_without_a_role_open_no_staff_page(client, name, arguments):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(staff_url(name, arguments)).status_code == 403


@pytest.mark.parametrize(("role", "allowed"), [("front_desk", FRONT_DESK_ADMIN), ("manager", MANAGER_ADMIN)])
def test_each_role_opens_its_admin_lists_and_no_others(request, client, role, allowed):
    client.force_login(request.getfixturevalue(role))
    answers = {
        model._meta.label_lower: client.get(
            reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        ).status_code
        for model in admin.site._registry
    }
    # The default rules are one row: their list opens it.
    opened = {label: 302 if label == "bookings.bookingrules" else 200 for label in allowed}
    assert answers == {label: opened.get(label, 403) for label in answers}


def test_front_desk_records_offline_money_as_a_pledge(client, front_desk):
    client.force_login(front_desk)
    response = client.post(
        reverse("donations:offline"), {"amount": "500", "donor_name": "Cash Donor", "donor_email": ""}
    )
    assert response.status_code == 302
    donation = Donation.objects.get()
    assert (donation.status, donation.receipt_number, donation.recorded_by) == (
        DonationStatus.PLEDGED,
        None,
        front_desk,
    )
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.target) == (Action.DONATION_RECORDED, front_desk, donation)


def test_manager_records_offline_money_confirmed(client, manager):
    client.force_login(manager)
    client.post(
        reverse("donations:offline"), {"amount": "500", "donor_name": "Cash Donor", "donor_email": ""}
    )
    donation = Donation.objects.get()
    assert donation.status == DonationStatus.CONFIRMED
    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == [
        Action.DONATION_RECORDED,
        Action.DONATION_CONFIRMED,
    ]


def test_front_desk_sees_pledges_without_confirm_buttons(client, front_desk):
    DonationFactory(amount=Decimal("300.00"))
    client.force_login(front_desk)
    page = client.get(reverse("donations:staff")).text
    assert 'data-testid="manager-confirms"' in page
    assert 'data-testid="confirm"' not in page
    assert 'data-testid="reject"' not in page
    assert 'data-testid="goal-form"' not in page


def test_front_desk_cannot_confirm_in_the_admin_either(client, front_desk):
    donation = DonationFactory(amount=Decimal("300.00"))
    client.force_login(front_desk)
    response = client.post(
        reverse("admin:donations_donation_changelist"),
        {"action": "confirm_selected", "_selected_action": [donation.pk]},
    )
    assert response.status_code == 403
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PLEDGED


def test_front_desk_cannot_override_the_booking_rules(client, front_desk):
    member, desk = UserFactory(), DeskFactory()
    client.force_login(front_desk)
    page = client.get(reverse("bookings:staff_new")).text
    assert (
        'name="override_rules"' in page and "disabled" in page.split('name="override_rules"')[1].split(">")[0]
    )
    # Far beyond the booking window: only an override would allow it.
    day = (dt.date.today() + dt.timedelta(days=300)).isoformat()
    response = client.post(
        reverse("bookings:staff_new"),
        {
            "member": member.pk,
            "place": f"desk-{desk.pk}",
            "day": day,
            "start_time": "10:00",
            "end_time": "12:00",
            "override_rules": "on",
        },
    )
    assert response.status_code == 200
    assert Booking.objects.count() == 0
    assert "Tick" not in response.text and "Отметьте" not in response.text


def test_the_booking_service_itself_refuses_an_override_by_front_desk(front_desk, manager):
    """The API and any later caller get the role check from the service, not from a form."""
    member, desk = UserFactory(), DeskFactory()
    start = timezone.now() + dt.timedelta(days=300)
    place = {"user": member, "resource": desk, "start": start, "end": start + dt.timedelta(hours=2)}
    with pytest.raises(BookingError) as refused:
        create_booking(**place, by=front_desk, override_rules=True)
    assert refused.value.code == "forbidden"
    assert Booking.objects.count() == 0
    booking = create_booking(**place, by=manager, override_rules=True)
    assert booking.rules_overridden


def test_the_booking_service_lets_only_a_role_act_for_another_member(front_desk):
    member, desk = UserFactory(), DeskFactory()
    building = desk.room.building
    start = local(building, tomorrow(building), 10)
    place = {"user": member, "resource": desk, "start": start, "end": start + dt.timedelta(hours=1)}
    for outsider in (UserFactory(), UserFactory(is_staff=True)):  # a member; staff without a role
        with pytest.raises(BookingError) as refused:
            create_booking(**place, by=outsider)
        assert refused.value.code == "forbidden"
    booking = create_booking(**place, by=front_desk)
    assert (booking.user, booking.created_by) == (member, front_desk)


def test_manager_cannot_change_passwords_or_roles(client, manager):
    member = UserFactory()
    client.force_login(manager)
    assert client.get(reverse("admin:auth_user_password_change", args=[member.pk])).status_code == 403
    page = client.get(reverse("admin:accounts_user_change", args=[member.pk])).text
    assert 'name="groups"' not in page and 'name="is_superuser"' not in page and 'name="is_staff"' not in page


def test_a_manager_places_desks_on_a_floor_plan_and_a_front_desk_does_not(client, front_desk, manager):
    room = DeskFactory().room
    url = reverse("admin:spaces_room_change", args=[room.pk])
    client.force_login(manager)
    page = client.get(url).text
    assert 'name="floor_plan-TOTAL_FORMS"' in page and 'name="desks-0-plan_x"' in page
    client.force_login(front_desk)
    assert client.get(url).status_code == 403


def test_karma_adjustment_is_for_managers_only(client, front_desk, manager):
    member = UserFactory()
    url = reverse("admin:accounts_user_changelist")
    form = {
        "action": "adjust_karma_selected",
        "_selected_action": [member.pk],
        "apply": "1",
        "points": "5",
        "reason": "Helped at the meetup",
    }
    client.force_login(front_desk)
    client.post(url, form)
    member.refresh_from_db()
    assert member.karma == 0
    client.force_login(manager)
    assert client.post(url, form).status_code == 302
    member.refresh_from_db()
    assert member.karma == 5
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.member, entry.changes, entry.reason) == (
        Action.KARMA_ADJUSTED,
        manager,
        member,
        {"karma": [0, 5]},
        "Helped at the meetup",
    )


def test_booking_cancelled_by_front_desk_needs_a_reason_and_is_audited(client, front_desk):
    booking = BookingFactory()
    client.force_login(front_desk)
    assert client.post(reverse("bookings:staff_cancel", args=[booking.pk]), {"reason": ""}).status_code == 200
    client.post(reverse("bookings:staff_cancel", args=[booking.pk]), {"reason": "Flooded"})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.member, entry.reason, entry.changes) == (
        Action.BOOKING_CANCELLED,
        front_desk,
        booking.user,
        "Flooded",
        {"status": ["confirmed", "cancelled"]},
    )


# The admin actions each role is offered, per admin list it can open.
FRONT_DESK_ACTIONS = {
    "accounts.user": {"export_csv"},
    "bookings.booking": {"cancel_selected", "export_csv"},
    "visits.visit": {"check_out_now", "export_csv"},
}
MANAGER_ACTIONS = {
    "accounts.user": {"adjust_karma_selected", "export_csv"},
    "audit.auditentry": set(),
    "bookings.bookingrules": set(),
    "bookings.buildingrules": {"delete_selected"},
    "bookings.calendarfeed": {"delete_selected"},
    "django_tasks_database.dbtaskresult": set(),
    "donations.monthlygoal": {"delete_selected"},
    "spaces.amenity": {"delete_selected"},
    "bookings.booking": {"cancel_selected", "export_csv"},
    "bookings.notification": {"retry_now"},
    "donations.donation": {
        "confirm_selected",
        "reject_selected",
        "resend_receipts",
        "delete_selected",
        "export_csv",
    },
    "spaces.building": {"delete_selected"},
    "spaces.room": {"add_desks", "delete_selected"},
    "spaces.desk": {"delete_selected"},
    "visits.placecode": {"rotate"},
    "visits.visit": {"check_out_now", "delete_selected", "export_csv"},
}


@pytest.mark.parametrize(
    ("role", "expected"), [("front_desk", FRONT_DESK_ACTIONS), ("manager", MANAGER_ACTIONS)]
)
def test_each_role_is_offered_exactly_its_admin_actions(request, rf, role, expected):
    user = request.getfixturevalue(role)
    offered = {}
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        http = rf.get("/")
        http.user = user
        if model_admin.has_view_or_change_permission(http):
            offered[label] = set(model_admin.get_actions(http))
    assert offered == expected

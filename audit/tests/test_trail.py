"""The audit trail: who, when, what before and after, and why, for every change that
matters; append-only; in the admin and, for their own bookings and karma, on members' pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.tests.factories import UserFactory
from audit.models import Action, AuditEntry
from bookings import services as bookings
from bookings.tests.factories import BookingFactory, DeskFactory, local, tomorrow
from donations.services import confirm_donation, reject_donation
from donations.tests.factories import DonationFactory
from staff.roles import FRONT_DESK, MANAGER
from staff.services import adjust_karma

pytestmark = pytest.mark.django_db


def _entries() -> list[tuple]:
    return list(
        AuditEntry.objects.order_by("pk").values_list("action", "actor_id", "member_id", "changes", "reason")
    )


def test_a_booking_on_behalf_with_the_rules_overridden_is_recorded_twice(staff):
    member, desk = UserFactory(), DeskFactory()
    building = desk.room.building
    day = tomorrow(building)
    booking = bookings.create_booking(
        user=member,
        resource=desk,
        start=local(building, day, 6),
        end=local(building, day, 7),
        by=staff,
        override_rules=True,
    )
    place = str(desk)
    state = {
        "place": [None, place],
        "start": [None, f"{day} 06:00 MSK"],
        "end": [None, f"{day} 07:00 MSK"],
        "rules_overridden": [None, True],
    }
    assert _entries() == [
        (Action.BOOKED_ON_BEHALF, staff.pk, member.pk, state, ""),
        (Action.RULES_OVERRIDDEN, staff.pk, member.pk, state, ""),
    ]
    assert AuditEntry.objects.first().target == booking


def test_members_own_bookings_are_not_audited_but_their_moves_are():
    booking = BookingFactory()
    member, building = booking.user, booking.building
    day = tomorrow(building)
    assert AuditEntry.objects.count() == 0
    bookings.reschedule_booking(
        booking, start=local(building, day, 12), end=local(building, day, 13), by=member
    )
    assert _entries() == [
        (
            Action.BOOKING_MOVED,
            member.pk,
            member.pk,
            {
                "start": [f"{day} 10:00 MSK", f"{day} 12:00 MSK"],
                "end": [f"{day} 11:00 MSK", f"{day} 13:00 MSK"],
            },
            "",
        )
    ]


def test_a_cancellation_by_the_member_is_not_audited_one_by_staff_is(staff):
    own, other = BookingFactory(), BookingFactory()
    bookings.cancel_booking(own, by=own.user)
    bookings.cancel_booking(other, by=staff, reason="Water leak")
    assert _entries() == [
        (
            Action.BOOKING_CANCELLED,
            staff.pk,
            other.user_id,
            {"status": ["confirmed", "cancelled"]},
            "Water leak",
        )
    ]


def test_donation_confirmations_and_rejections_are_recorded(staff):
    kept, refused = DonationFactory(amount=Decimal("300.00")), DonationFactory()
    confirm_donation(kept, confirmed_by=staff)
    reject_donation(refused, "Never arrived", rejected_by=staff)
    kept.refresh_from_db()
    assert _entries() == [
        (
            Action.DONATION_CONFIRMED,
            staff.pk,
            kept.donor_id,
            {"status": ["pledged", "confirmed"], "receipt_number": ["", kept.receipt_number]},
            "",
        ),
        (
            Action.DONATION_REJECTED,
            staff.pk,
            refused.donor_id,
            {"status": ["pledged", "rejected"]},
            "Never arrived",
        ),
    ]


def test_roles_and_deactivation_changed_in_the_admin_are_recorded(client, staff):
    member = UserFactory(full_name="Anna", email="anna@example.org")
    client.force_login(staff)
    form = {
        "email": member.email,
        "full_name": "Anna",
        "language": "ru",
        "is_active": "",
        "is_staff": "on",
        "groups": [Group.objects.get(name=FRONT_DESK).pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "10:00:00",
    }
    response = client.post(reverse("admin:accounts_user_change", args=[member.pk]), form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert _entries() == [
        (Action.MEMBER_DEACTIVATED, staff.pk, member.pk, {"is_active": [True, False]}, ""),
        (
            Action.ROLE_CHANGED,
            staff.pk,
            member.pk,
            {"groups": [[], [FRONT_DESK]], "is_staff": [False, True]},
            "",
        ),
    ]


def test_a_desk_changed_in_the_admin_is_recorded_with_before_and_after(client, staff):
    desk = DeskFactory(label="A-1")
    client.force_login(staff)
    response = client.post(
        reverse("admin:spaces_desk_change", args=[desk.pk]),
        {"room": desk.room_id, "label": "A-2", "is_active": "on"},
    )
    assert response.status_code == 302
    assert _entries() == [(Action.CHANGED, staff.pk, None, {"label": ["A-1", "A-2"]}, "")]
    page = client.get(reverse("admin:spaces_desk_change", args=[desk.pk])).text
    assert 'data-testid="audit-trail"' in page and "label: A-1 → A-2" in page


def test_entries_are_append_only(client, staff):
    member = UserFactory()
    adjust_karma(member, 3, "Fixed the printer", by=staff)
    entry = AuditEntry.objects.get()
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.update(reason="")
    client.force_login(staff)
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert (
        client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    # The change page is a read-only view.
    assert 'name="reason"' not in client.get(reverse("admin:audit_auditentry_change", args=[entry.pk])).text
    assert AuditEntry.objects.get().reason == "Fixed the printer"


def test_the_admin_list_filters_by_actor_object_and_action(client, staff):
    other_staff = UserFactory(is_staff=True)
    other_staff.groups.add(Group.objects.get(name=FRONT_DESK))  # a role that cancels for members
    first, second = BookingFactory(), BookingFactory()
    bookings.cancel_booking(first, by=staff, reason="One")
    bookings.cancel_booking(second, by=other_staff, reason="Two")
    adjust_karma(first.user, 1, "Three", by=staff)
    client.force_login(staff)
    url = reverse("admin:audit_auditentry_changelist")

    def reasons(**query) -> list[str]:
        response = client.get(url, query)
        assert response.status_code == 200
        return sorted(entry.reason for entry in response.context["cl"].result_list)

    assert reasons(actor__id__exact=staff.pk) == ["One", "Three"]
    assert reasons(action__exact=Action.BOOKING_CANCELLED) == ["One", "Two"]
    assert reasons(
        target_type__id__exact=AuditEntry.objects.get(reason="Two").target_type_id, target_id=second.pk
    ) == ["Two"]
    assert reasons(member__id__exact=first.user_id) == ["One", "Three"]
    # The object type filter offers only the types in the trail.
    (types,) = [
        spec for spec in client.get(url).context["cl"].filter_specs if spec.field_path == "target_type"
    ]
    assert sorted(pk for pk, _label in types.lookup_choices) == sorted(
        set(AuditEntry.objects.values_list("target_type", flat=True))
    )


def test_members_see_the_entries_about_their_bookings_and_karma_only(client, staff):
    mine, theirs = BookingFactory(), BookingFactory()
    bookings.cancel_booking(mine, by=staff, reason="Closed for cleaning")
    bookings.cancel_booking(theirs, by=staff, reason="Someone else's reason")
    adjust_karma(mine.user, -2, "Left the kitchen in a mess", by=staff)
    client.force_login(mine.user)
    page = client.get(reverse("accounts:profile")).text
    assert page.count('data-testid="audit-entry"') == 2
    assert "Closed for cleaning" in page and "Left the kitchen in a mess" in page
    assert "Someone else" not in page


def test_a_manager_sees_the_trail_a_front_desk_does_not(client):
    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get(name=MANAGER))
    front = UserFactory(is_staff=True)
    front.groups.add(Group.objects.get(name=FRONT_DESK))
    url = reverse("admin:audit_auditentry_changelist")
    client.force_login(manager)
    assert client.get(url).status_code == 200
    client.force_login(front)
    assert client.get(url).status_code == 403


def test_a_time_in_the_trail_is_the_instant_it_happened(staff):
    before = dt.datetime.now(dt.UTC)
    adjust_karma(UserFactory(), 1, "Thanks", by=staff)
    assert before <= AuditEntry.objects.get().at <= dt.datetime.now(dt.UTC)

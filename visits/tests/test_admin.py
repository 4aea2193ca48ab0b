from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from bookings.tests.factories import RoomFactory
from visits.models import Visit
from visits.tests.factories import BookingFactory, VisitFactory


def test_admin_lists_visits_read_only_with_filters(admin_client, member):
    visit = VisitFactory(user=member, closed=True)
    changelist = admin_client.get(reverse("admin:visits_visit_changelist"), {"open": "no", "q": member.email})
    assert list(changelist.context["cl"].result_list) == [visit]
    assert "1 ч 30 мин" in changelist.content.decode()
    assert admin_client.get(reverse("admin:visits_visit_add")).status_code == 403
    change = admin_client.post(
        reverse("admin:visits_visit_change", args=[visit.pk]), {"duration_minutes": "999"}
    )
    visit.refresh_from_db()
    assert (change.status_code, visit.duration_minutes) == (302, 90)


def test_admin_action_checks_members_out_with_their_karma(admin_client, staff, member):
    visit = VisitFactory(user=member, checked_in_at=timezone.now() - dt.timedelta(hours=3, minutes=5))
    closed = VisitFactory(closed=True)
    response = admin_client.post(
        reverse("admin:visits_visit_changelist"),
        {"action": "check_out_now", "_selected_action": [visit.pk, closed.pk]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["Завершено 1 посещение."]
    visit.refresh_from_db()
    assert (visit.checked_out_by, visit.duration_minutes, visit.closed_automatically) == (staff, 185, False)
    assert User.objects.get(pk=member.pk).karma == 3
    assert Visit.objects.open().count() == 0


@pytest.mark.parametrize("count", [1, 3])
def test_admin_list_queries(admin_client, count, django_assert_num_queries):
    for _ in range(count):
        for booking in (BookingFactory(), BookingFactory(room=RoomFactory())):
            VisitFactory(building=booking.building, booking=booking, closed=True)
    # The session and user, the buildings of the filter, the count twice (filtered and
    # not), the page of visits with their members, buildings and bookings, the date
    # hierarchy (its range, its days).
    with django_assert_num_queries(8):
        response = admin_client.get(reverse("admin:visits_visit_changelist"))
    assert len(response.context["cl"].result_list) == 2 * count

"""Every list page makes the same number of queries for one visit as for three."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from bookings.tests.factories import BuildingFactory, DeskFactory
from visits import presence
from visits.models import Visit
from visits.tests.factories import BookingFactory, VisitFactory

# The session and the user, loaded by the authentication middleware.
SESSION = 2


def _closed_visits(member, building, days: int) -> None:
    """A visit of three hours on each of the last `days` days."""
    start = timezone.now() - dt.timedelta(days=days + 1)
    Visit.objects.bulk_create(
        Visit(
            user=member,
            building=building,
            checked_in_at=start + dt.timedelta(days=day),
            checked_out_at=start + dt.timedelta(days=day, hours=3),
            duration_minutes=180,
        )
        for day in range(days)
    )


@pytest.fixture(params=[1, 3])
def visits(request, member):
    """`param` closed visits of the member and `param` open ones of others, in `param` buildings."""
    count = request.param
    for _ in range(count):
        building = BuildingFactory()
        start = timezone.now() - dt.timedelta(hours=5)
        VisitFactory(user=member, building=building, checked_in_at=start, closed=True)
        VisitFactory(building=building, user=UserFactory(visible_to_members=True, full_name="Visible Member"))
        BookingFactory(desk=DeskFactory(room__building=building), start=start, checked_in_at=start)
    return count


def test_history_queries(client, member, visits, django_assert_num_queries):
    client.force_login(member)
    # The totals with the count, the page of visits, the buildings of the filter.
    with django_assert_num_queries(SESSION + 3):
        response = client.get(reverse("visits:history"), {"start": "2020-01-01"})
    assert len(response.context["page"].object_list) == visits


@pytest.mark.parametrize("count", [3, 60])
def test_history_queries_past_a_page(client, member, count, django_assert_num_queries):
    """A history longer than a page: the same queries, 50 visits, a link onwards that keeps
    the filters."""
    _closed_visits(member, BuildingFactory(), days=count)
    client.force_login(member)
    with django_assert_num_queries(SESSION + 3):
        response = client.get(reverse("visits:history"), {"start": "2020-01-01"})
    page = response.context["page"]
    assert (len(page), page.has_next, response.context["totals"]["shown_count"]) == (
        min(count, 50),
        count > 50,
        count,
    )
    assert ('href="?start=2020-01-01&amp;page=2" rel="next">→</a>' in response.text) == (count > 50)


def test_staff_history_queries(client, staff, visits, django_assert_num_queries):
    client.force_login(staff)
    with django_assert_num_queries(SESSION + 3):
        response = client.get(reverse("visits:history"), {"member": "a"})
    assert response.status_code == 200


def test_who_is_in_queries(client, member, visits, django_assert_num_queries):
    client.force_login(member)
    # The buildings with their counts, the visible open visits.
    with django_assert_num_queries(SESSION + 2):
        response = client.get(reverse("visits:who_is_in"))
    assert sum(len(item.visits) for item in response.context["presence"]) == visits


def test_home_widget_queries(rf, member, visits, django_assert_num_queries):
    request = rf.get(reverse("home"))
    request.user = member
    # The open visit, the buildings with the member's last booking and visit in each (the
    # home building), the booking held now, the number in each building (nobody by name).
    with django_assert_num_queries(4):
        html = render_to_string("visits/home_widget.html", {"user": member}, request=request)
    assert html.count('data-testid="presence-count"') == visits


def test_front_desk_queries(client, staff, visits, django_assert_num_queries):
    client.force_login(staff)
    # The desk's building, who is in (2), the buildings of the form (twice: the select
    # looks at its first choice), the members found and their open visits.
    with django_assert_num_queries(SESSION + 7):
        response = client.get(reverse("visits:front_desk"), {"q": "Visible"})
    assert len(response.context["members"]) == visits


def test_statistics_queries(client, staff, visits, django_assert_num_queries):
    client.force_login(staff)
    # Per day, per hour of the week, the totals, booked versus used, the buildings of the form.
    with django_assert_num_queries(SESSION + 5):
        response = client.get(reverse("visits:statistics"))
    assert response.context["stats"].visits == 2 * visits


def test_the_number_present_comes_from_the_open_visits_only(member):
    """Counting who is in reads the open visits through their index, never the history."""
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    building = BuildingFactory()
    # Years of closed visits, with the statistics a running database keeps: the planner
    # chooses the index itself.
    _closed_visits(member, building, days=3000)
    VisitFactory(building=building)
    buildings = presence.buildings_with_presence()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE visits_visit")
        plan = buildings.explain()
    assert "visit_open" in plan
    assert "Seq Scan on visits_visit" not in plan
    assert [(b.pk, b.present) for b in buildings] == [(building.pk, 1)]

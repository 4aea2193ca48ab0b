"""The member's home: the same queries however many bookings and people in the space."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from bookings.tests.factories import BookingFactory, DeskFactory, local, tomorrow
from visits.tests.factories import VisitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]


@pytest.mark.parametrize("count", [1, 3])
def test_home_with_an_open_visit_queries(client, member, count, django_assert_num_queries):
    desks = [DeskFactory() for _ in range(count)]
    for desk in desks:
        building = desk.room.building
        BookingFactory(
            user=member,
            desk=desk,
            start=local(building, tomorrow(building), 9),
            end=local(building, tomorrow(building), 10),
        )
        VisitFactory(building=building)  # someone else in the space
    VisitFactory(user=member, building=desks[0].room.building)
    client.force_login(member)

    # The session and the user; the next bookings; the open visit; the number in each
    # building; the month's goal and its total. A member's page never asks the permission
    # backend (the staff board is for staff), nor who is in by name (the card counts).
    with django_assert_num_queries(7):
        response = client.get(reverse("home"))

    assert response.text.count('class="booking-row booking-row-compact"') == count
    people = re.findall(r'data-testid="presence-count">([^<]*)<', response.text)
    assert sorted(people) == sorted(["2 people"] + ["1 person"] * (count - 1))
    assert 'data-testid="check-out"' in response.text
    assert 'data-testid="today-board"' not in response.text

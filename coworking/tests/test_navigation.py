"""The staff bar links only to the staff pages the user's role opens."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.tests.factories import UserFactory
from staff.roles import FRONT_DESK, MANAGER

pytestmark = pytest.mark.django_db


def staff_links(client, user) -> list[str]:
    client.force_login(user)
    return [link.url for link in client.get(reverse("home")).context["STAFF_LINKS"]]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (FRONT_DESK, ["bookings:staff_list", "visits:front_desk", "donations:staff"]),
        (MANAGER, ["bookings:staff_list", "visits:front_desk", "visits:statistics", "donations:staff"]),
        (None, []),
    ],
)
def test_the_staff_bar_shows_what_the_role_opens(client, role, expected):
    user = UserFactory(is_staff=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    links = staff_links(client, user)
    assert sorted(links) == sorted(reverse(name) for name in expected)
    for url in links:
        assert client.get(url).status_code == 200


def test_a_superuser_sees_every_staff_page(client, staff):
    every = ["bookings:staff_list", "visits:front_desk", "visits:statistics", "donations:staff"]
    assert staff_links(client, staff) == [reverse(name) for name in every]

"""An id past 64 bits in an admin form is "not one of the choices", never a 500: SQLite's
driver raises OverflowError on it in the lookups Django does not range-check itself (a
many-to-many `__in`, the autocomplete widget re-rendering its choice). Smoke: it is the
embedded SQLite default that needs it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bookings.tests.factories import DeskFactory
from coworking.admin import storable
from spaces.models import Desk

pytestmark = [pytest.mark.smoke, pytest.mark.django_db, pytest.mark.language("en")]

HUGE = "9" * 30


def test_only_ids_the_column_can_hold_are_looked_up():
    pk = Desk._meta.pk
    assert [storable(pk, value) for value in ("7", 7, "abc", HUGE, str(2**63 - 1), str(2**63))] == [
        True,
        True,
        False,
        False,
        True,
        False,
    ]


def test_a_huge_id_in_a_many_to_many_field_is_an_invalid_choice(staff_client):
    desk = DeskFactory()
    response = staff_client.post(reverse("admin:auth_group_add"), {"name": "Cleaners", "permissions": [HUGE]})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["permissions"] == [
        f"Select a valid choice. {HUGE} is not one of the available choices."
    ]
    page = staff_client.get(reverse("admin:spaces_desk_change", args=[desk.pk]))
    assert page.status_code == 200


def test_a_huge_id_in_an_autocomplete_field_is_an_invalid_choice(staff_client):
    page = staff_client.get(reverse("admin:bookings_buildingrules_add"), {"building": HUGE})
    answer = staff_client.post(reverse("admin:bookings_buildingrules_add"), {"building": HUGE})
    assert (page.status_code, answer.status_code) == (200, 200)
    assert answer.context["adminform"].form.errors["building"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]

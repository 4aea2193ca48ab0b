"""The booking rules stay within sensible bounds: in the database, the admin forms and the slot generator."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.urls import reverse

from bookings import services
from bookings.models import RULE_FIELDS, BookingRules, BuildingRules
from bookings.tests.factories import BuildingFactory

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]
DEFAULTS_URL = reverse("admin:bookings_bookingrules_change", args=[1])
BUILDING_ADD_URL = reverse("admin:bookings_buildingrules_add")
DAY = dt.date(2027, 3, 3)


def _defaults_form(**changes) -> dict:
    data = model_to_dict(BookingRules.load(), fields=RULE_FIELDS)
    return {**data, **changes}


def _field_errors(response) -> dict[str, list[str]]:
    form = response.context["adminform"].form
    return {name: list(errors) for name, errors in form.errors.items()}


@pytest.mark.parametrize("minutes", [0, -30])
def test_day_slots_refuses_a_step_that_is_not_positive(minutes):
    with pytest.raises(ValueError, match="positive number of minutes"):
        services.day_slots(BuildingFactory(), DAY, slot_minutes=minutes)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("slot_minutes", 0),
        ("slot_minutes", 7),
        ("slot_minutes", 480),
        ("min_duration_minutes", 0),
        ("max_duration_minutes", 0),
        ("max_days_ahead", 0),
        ("max_days_ahead", 5000),
        ("max_upcoming_bookings", 5000),
        ("cancellation_cutoff_minutes", 100_000),
    ],
)
def test_database_refuses_default_rules_out_of_bounds(field, value):
    BookingRules.load()
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingRules.objects.filter(pk=1).update(**{field: value})
    assert getattr(BookingRules.load(), field) == BookingRules._meta.get_field(field).default


def test_database_refuses_a_building_override_out_of_bounds_but_not_an_empty_one():
    building = BuildingFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        BuildingRules.objects.create(building=building, slot_minutes=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        BuildingRules.objects.create(building=building, min_duration_minutes=90, max_duration_minutes=60)
    rules = BuildingRules.objects.create(building=building, slot_minutes=None, max_days_ahead=None)
    assert [getattr(rules, name) for name in RULE_FIELDS] == [None] * len(RULE_FIELDS)


def test_database_refuses_default_durations_the_wrong_way_round():
    BookingRules.load()
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingRules.objects.filter(pk=1).update(min_duration_minutes=120, max_duration_minutes=60)


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"slot_minutes": "0"}, {"slot_minutes": ["Enter a number from 5 to 240."]}),
        (
            {"slot_minutes": "7"},
            {"slot_minutes": ["The slot must divide the day evenly, e.g. 15, 30 or 60 minutes; 7 does not."]},
        ),
        ({"max_days_ahead": "0"}, {"max_days_ahead": ["Enter a number from 1 to 1000."]}),
        ({"min_duration_minutes": "0"}, {"min_duration_minutes": ["Enter a number from 1 to 10080."]}),
        (
            {"min_duration_minutes": "120", "max_duration_minutes": "60"},
            {"max_duration_minutes": ["The maximum duration must be at least the minimum duration."]},
        ),
    ],
)
def test_admin_default_rules_out_of_bounds_are_form_errors_and_not_saved(admin_client, changes, errors):
    before = model_to_dict(BookingRules.load())
    response = admin_client.post(DEFAULTS_URL, _defaults_form(**changes))
    assert response.status_code == 200
    assert _field_errors(response) == errors
    for message in [m for messages in errors.values() for m in messages]:
        assert message in response.content.decode()
    assert model_to_dict(BookingRules.load()) == before


def test_admin_default_durations_may_not_clash_with_a_buildings_override(admin_client):
    BuildingRules.objects.create(building=BuildingFactory(name="Pokrovka"), min_duration_minutes=120)
    response = admin_client.post(DEFAULTS_URL, _defaults_form(max_duration_minutes="90"))
    assert response.context["adminform"].form.non_field_errors() == [
        "With these durations the minimum would exceed the maximum in: Pokrovka. "
        "Change those buildings' rules first."
    ]
    assert BookingRules.load().max_duration_minutes == 12 * 60


def test_admin_default_rules_within_bounds_are_saved(admin_client):
    response = admin_client.post(DEFAULTS_URL, _defaults_form(slot_minutes="15", max_days_ahead="60"))
    assert response.status_code == 302
    rules = BookingRules.load()
    assert (rules.slot_minutes, rules.max_days_ahead) == (15, 60)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"slot_minutes": "0"}, {"slot_minutes": ["Enter a number from 5 to 240."]}),
        ({"max_upcoming_bookings": "1001"}, {"max_upcoming_bookings": ["Enter a number from 0 to 1000."]}),
        (
            {"cancellation_cutoff_minutes": "-1"},
            {"cancellation_cutoff_minutes": ["Ensure this value is greater than or equal to 0."]},
        ),
        # The override's minimum against the default maximum (12 hours).
        (
            {"min_duration_minutes": "900"},
            {"max_duration_minutes": ["The maximum duration must be at least the minimum duration."]},
        ),
    ],
)
def test_admin_building_override_out_of_bounds_is_a_form_error_and_not_saved(admin_client, data, errors):
    building = BuildingFactory()
    response = admin_client.post(BUILDING_ADD_URL, {"building": building.pk, **data})
    assert response.status_code == 200
    assert _field_errors(response) == errors
    assert BuildingRules.objects.exists() is False


def test_admin_rules_errors_are_translated(client, staff):
    staff.language = "ru"
    staff.save(update_fields=["language"])
    client.force_login(staff)
    response = client.post(DEFAULTS_URL, _defaults_form(slot_minutes="0"))
    assert _field_errors(response) == {"slot_minutes": ["Введите число от 5 до 240."]}

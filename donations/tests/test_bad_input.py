"""Hostile amounts and dates on every donation form: a clear message, the input kept,
nothing saved, never a 500."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from donations.forms import DonationForm, GoalForm, OfflineDonationForm
from donations.models import Donation, MonthlyGoal, ReceiptCounter
from donations.services import DonationError, record_offline_donation
from donations.tests.factories import DonationFactory

pytestmark = pytest.mark.django_db

# Quantizing 27 digits or more overflows the decimal context's 28 digits of precision.
HUGE = "9" * 27
MOSCOW_NOON = dt.datetime(2026, 3, 15, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("9999999999999", "The largest amount is 1,000,000\u00a0₽."),
        ("9999999999999.5", "The largest amount is 1,000,000\u00a0₽."),
        ("9 999 999 999,99", "The largest amount is 1,000,000\u00a0₽."),
        (HUGE, "No amount is that long: enter at most 16 characters."),
        ("1" * 10_000, "No amount is that long: enter at most 16 characters."),
    ],
)
def test_donation_form_refuses_huge_amounts_with_a_message(typed, error):
    with translation.override("en"):
        assert DonationForm({"amount": typed}).errors == {"amount": [error]}


@pytest.mark.smoke
def test_donate_page_refuses_27_digits_and_keeps_them(client, member):
    client.force_login(member)
    response = client.post(reverse("donations:donate"), {"amount": HUGE, "message": "Привет"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "amount": ["Такой длинной суммы не бывает: не больше 16 символов."]
    }
    assert f'value="{HUGE}"' in response.text
    assert Donation.objects.count() == 0


def test_staff_offline_and_goal_forms_refuse_27_digits(staff_client):
    response = staff_client.post(reverse("donations:offline"), {"donor_name": "Гость", "amount": HUGE})
    assert response.status_code == 200
    assert response.context["offline_form"].errors == {
        "amount": ["Такой длинной суммы не бывает: не больше 16 символов."]
    }
    assert f'value="{HUGE}"' in response.text
    response = staff_client.post(reverse("donations:goal"), {"amount": HUGE, "description": "Проектор"})
    assert response.status_code == 200
    assert response.context["goal_form"].errors == {
        "amount": ["Такой длинной суммы не бывает: не больше 16 символов."]
    }
    assert (Donation.objects.count(), MonthlyGoal.objects.count()) == (0, 0)


def test_goal_form_refuses_more_than_the_model_holds():
    with translation.override("en"):
        assert GoalForm({"amount": "99999999999"}).errors == {
            "amount": ["The largest amount is 9,999,999,999.99\u00a0₽."]
        }
        assert GoalForm({"amount": "9 999 999 999,99"}).is_valid()


def test_admin_forms_refuse_amounts_the_model_cannot_hold(staff_client):
    pledge = DonationFactory()
    change = reverse("admin:donations_donation_change", args=[pledge.pk])
    data = {"donor": pledge.donor_id, "amount": HUGE, "currency": "RUB", "message": ""}
    response = staff_client.post(change, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "amount": ["Убедитесь, что вы ввели не более 12 цифр."]
    }
    pledge.refresh_from_db()
    assert pledge.amount == Decimal("500.00")
    response = staff_client.post(
        reverse("admin:donations_monthlygoal_add"), {"month": "2026-03-01", "amount": HUGE}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "amount": ["Убедитесь, что вы ввели не более 12 цифр."]
    }
    assert MonthlyGoal.objects.count() == 0


@time_machine.travel(MOSCOW_NOON, tick=False)
@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("0001-01-01", "Choose a date between 2000 and 2100."),
        ("1999-12-31", "Choose a date between 2000 and 2100."),
        ("9999-12-31", "Choose a date between 2000 and 2100."),
        ("2026-03-16", "The money cannot have arrived in the future."),
    ],
)
def test_offline_form_refuses_dates_out_of_range_or_ahead(typed, error):
    with translation.override("en"):
        form = OfflineDonationForm({"donor_name": "Гость", "amount": "500", "received_on": typed})
        assert form.errors == {"received_on": [error]}


@time_machine.travel(MOSCOW_NOON, tick=False)
def test_offline_form_takes_a_day_in_the_past():
    form = OfflineDonationForm({"donor_name": "Гость", "amount": "500", "received_on": "2000-01-01"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["received_on"] == dt.datetime(2000, 1, 1, 9, 0, tzinfo=dt.UTC)


@time_machine.travel(MOSCOW_NOON, tick=False)
def test_staff_offline_donation_on_year_one_is_refused_and_no_receipt_is_taken(staff_client):
    response = staff_client.post(
        reverse("donations:offline"), {"donor_name": "Гость", "amount": "500", "received_on": "0001-01-01"}
    )
    assert response.status_code == 200
    assert response.context["offline_form"].errors == {
        "received_on": ["Выберите дату между 2000 и 2100 годами."]
    }
    assert 'value="0001-01-01"' in response.text
    assert (Donation.objects.count(), ReceiptCounter.objects.count()) == (0, 0)


@time_machine.travel(MOSCOW_NOON, tick=False)
def test_record_offline_donation_service_refuses_year_one(staff):
    year_one = dt.datetime(1, 1, 1, 12, tzinfo=dt.UTC)
    with pytest.raises(DonationError) as error:
        record_offline_donation(staff, Decimal("500"), donor_name="Гость", received_at=year_one)
    assert error.value.messages == ["Выберите дату между 2000 и 2100 годами."]
    assert (Donation.objects.count(), ReceiptCounter.objects.count()) == (0, 0)

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from donations.forms import DonationForm
from donations.models import Donation

pytestmark = pytest.mark.django_db

BAD_AMOUNTS = [
    ("0", "The amount must be greater than zero."),
    ("-5", "The amount must be greater than zero."),
    ("0,00", "The amount must be greater than zero."),
    ("1.505", "Use at most two digits after the decimal point."),
    ("100,999", "Use at most two digits after the decimal point."),
    ("1000000.01", "The largest amount is 1,000,000 ₽."),
    ("49.99", "The smallest amount is 50 ₽."),
    ("abc", "Enter the amount as a number, for example 500 or 750,50."),
    ("1e5", "Enter the amount as a number, for example 500 or 750,50."),
    ("NaN", "Enter the amount as a number, for example 500 or 750,50."),
    ("1,000.50", "Enter the amount as a number, for example 500 or 750,50."),
    ("", "Enter an amount."),
]


@pytest.mark.parametrize(("typed", "error"), BAD_AMOUNTS)
def test_donation_form_refuses_bad_amounts_with_a_specific_message(typed, error):
    with translation.override("en"):
        form = DonationForm({"amount": typed, "message": ""})
        assert form.errors == {"amount": [error.replace(" ₽", "\u00a0₽")]}


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("500", Decimal("500.00")),
        ("1.50", Decimal("1.50")),
        ("1,5", Decimal("1.50")),
        ("1 500,50", Decimal("1500.50")),
        ("1\u00a0500", Decimal("1500.00")),
        ("75.500", Decimal("75.50")),
        (" 1000 ", Decimal("1000.00")),
    ],
)
def test_donation_form_reads_decimal_commas_and_points(settings, typed, amount):
    settings.DONATION_MIN_AMOUNT = "1.00"
    form = DonationForm({"amount": typed, "message": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == amount


def test_donation_form_limits_come_from_settings(settings):
    settings.DONATION_MIN_AMOUNT = "10.00"
    settings.DONATION_MAX_AMOUNT = "20.00"
    assert DonationForm({"amount": "20"}).is_valid()
    with translation.override("en"):
        assert DonationForm({"amount": "20.01"}).errors == {"amount": ["The largest amount is 20\u00a0₽."]}
        assert DonationForm({"amount": "9.99"}).errors == {"amount": ["The smallest amount is 10\u00a0₽."]}


def test_donation_form_refuses_a_message_over_500_characters():
    with translation.override("en"):
        form = DonationForm({"amount": "500", "message": "x" * 501})
        assert form.errors == {"message": ["Ensure this value has at most 500 characters (it has 501)."]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("0", "Сумма должна быть больше нуля."),
        ("-5", "Сумма должна быть больше нуля."),
        ("1.505", "Не больше двух знаков после запятой."),
        ("2000000", "Самая большая сумма — 1\u00a0000\u00a0000\u00a0₽."),
        ("abc", "Введите сумму числом, например 500 или 750,50."),
    ],
)
def test_donate_page_refuses_bad_amounts_keeps_the_input_and_saves_nothing(client, member, typed, error):
    client.force_login(member)
    response = client.post(reverse("donations:donate"), {"amount": typed, "message": "Привет"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"amount": [error]}
    assert f'value="{typed}"' in response.text
    assert "Привет</textarea>" in response.text
    assert Donation.objects.count() == 0


@pytest.mark.django_db
def test_donate_page_refuses_bad_amounts_in_the_htmx_fragment(client, member):
    client.force_login(member)
    response = client.post(
        reverse("donations:donate"),
        {"amount": "-5"},
        headers={"HX-Request": "true", "HX-Target": "donate-form"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<form")
    assert "Сумма должна быть больше нуля." in response.text
    assert "<html" not in response.text
    assert Donation.objects.count() == 0

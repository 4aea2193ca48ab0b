"""Amounts as people type them ("1 500,50", "1500.5") and as pages show them ("1 500,50 ₽")."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from donations.models import CENT, MONEY

# Thousands separators people paste: spaces, no-break spaces, thin spaces, apostrophes.
SEPARATORS = re.compile(r"[\s\u00a0\u202f\u2009']")
NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
SYMBOLS = {"RUB": "₽", "EUR": "€", "USD": "$", "GBP": "£"}
# The longest text the model's amounts need, "9 999 999 999,99": the integer digits with
# a separator per thousand, the decimal point and the cents.
_INTEGER_DIGITS = MONEY["max_digits"] - MONEY["decimal_places"]
AMOUNT_MAX_LENGTH = _INTEGER_DIGITS + (_INTEGER_DIGITS - 1) // 3 + 1 + MONEY["decimal_places"]


def parse_amount(text: str) -> Decimal:
    """The number a person typed, or a ValidationError. A decimal comma is as good as a point."""
    cleaned = SEPARATORS.sub("", text).replace("\u2212", "-")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not NUMBER.match(cleaned):
        raise ValidationError(_("Enter the amount as a number, for example 500 or 750,50."), code="invalid")
    try:
        return Decimal(cleaned)
    except InvalidOperation as error:  # the pattern lets only plain numbers through; belt and braces
        raise ValidationError(_("Enter the amount as a number."), code="invalid") from error


def check_amount(amount: Decimal, minimum: Decimal, maximum: Decimal, currency: str) -> Decimal:
    """`amount` in cents if it is positive, has at most two decimals and lies within
    [minimum, maximum]; otherwise a ValidationError saying exactly what is wrong."""
    if not amount.is_finite():
        raise ValidationError(_("Enter the amount as a number."), code="invalid")
    if amount <= 0:
        raise ValidationError(_("The amount must be greater than zero."), code="not_positive")
    # The upper bound comes before quantize(): quantizing 27 digits or more overflows
    # the decimal context's precision (InvalidOperation).
    if amount > maximum:
        raise ValidationError(
            _("The largest amount is %(limit)s."), code="max", params={"limit": money(maximum, currency)}
        )
    if amount != amount.quantize(CENT):
        raise ValidationError(_("Use at most two digits after the decimal point."), code="decimals")
    if amount < minimum:
        raise ValidationError(
            _("The smallest amount is %(limit)s."), code="min", params={"limit": money(minimum, currency)}
        )
    return amount.quantize(CENT)


def _places(amount: Decimal) -> int:
    return 0 if amount == amount.to_integral_value() else 2


def money(amount: Decimal, currency: str) -> str:
    """In Russian "1 500 ₽" or "1 500,50 ₽", in English "1,500.50 ₽": kopecks only when there are any."""
    number = number_format(amount, _places(amount), force_grouping=True)
    return f"{number}\u00a0{SYMBOLS.get(currency, currency)}"


def as_typed(amount: Decimal) -> str:
    """An amount as a person would type it into a form: "10000", "750,50"."""
    return number_format(amount, _places(amount))

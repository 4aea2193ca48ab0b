from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User, normalize_email
from coworking.validators import validate_sensible_date
from donations.models import MONEY_LIMIT, Donation, space_zone
from donations.money import AMOUNT_MAX_LENGTH, SYMBOLS, check_amount, money, parse_amount
from donations.services import donation_limits, validate_amount, validate_received_at


def validate_goal(amount: Decimal) -> Decimal:
    return check_amount(amount, Decimal("1"), MONEY_LIMIT, settings.DONATION_CURRENCY)


class AmountField(forms.CharField):
    """A money amount typed by a person: "1 500,50" and "1500.5" both work.

    A text input (not type=number) so a decimal comma is accepted and what was typed
    comes back untouched next to the error.
    """

    def __init__(self, validate: Callable[[Decimal], Decimal] = validate_amount, **kwargs):
        self.validate_amount = validate
        kwargs.setdefault("label", _("Amount"))
        kwargs.setdefault("max_length", AMOUNT_MAX_LENGTH)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "500"}),
        )
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("Enter an amount."),
                "max_length": _("No amount is that long: enter at most %(limit_value)d characters."),
            },
        )
        super().__init__(**kwargs)

    def clean(self, value: str) -> Decimal | None:
        # The text is checked as text first (required, length); then read as money.
        text = super().clean(value)
        if text in self.empty_values:
            return None
        return self.validate_amount(parse_amount(text))


MESSAGE_WIDGET = forms.Textarea(
    attrs={"rows": 3, "maxlength": 500, "placeholder": _("A few words for the community (optional)")}
)


class DonationForm(forms.ModelForm):
    amount = AmountField()

    class Meta:
        model = Donation
        fields = ["amount", "message", "is_anonymous"]
        labels = {"message": _("Message"), "is_anonymous": _("Donate anonymously")}
        help_texts = {
            "is_anonymous": _("Other members see “Anonymous” instead of your name; staff still see it.")
        }
        widgets = {"message": MESSAGE_WIDGET}

    def currency_symbol(self) -> str:
        return SYMBOLS.get(settings.DONATION_CURRENCY, settings.DONATION_CURRENCY)

    def limits_text(self) -> str:
        minimum, maximum = donation_limits()
        currency = settings.DONATION_CURRENCY
        return _("From %(minimum)s to %(maximum)s.") % {
            "minimum": money(minimum, currency),
            "maximum": money(maximum, currency),
        }


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        error_messages={"required": _("Say why the pledge is rejected.")},
        widget=forms.TextInput(attrs={"placeholder": _("e.g. the transfer never arrived")}),
    )


class OfflineDonationForm(forms.Form):
    """Money staff received in person: from a member (by email) or from a guest (by name)."""

    member_email = forms.EmailField(
        label=_("Member's email"),
        required=False,
        help_text=_("Leave empty for a guest without an account."),
    )
    donor_name = forms.CharField(label=_("Guest's name"), max_length=150, required=False)
    donor_email = forms.EmailField(
        label=_("Guest's email"), required=False, help_text=_("Optional: where to send the receipt.")
    )
    amount = AmountField()
    received_on = forms.DateField(
        label=_("Received on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Empty means now."),
        validators=[validate_sensible_date],
    )
    message = forms.CharField(label=_("Message"), max_length=500, required=False, widget=MESSAGE_WIDGET)
    is_anonymous = forms.BooleanField(label=_("Anonymous"), required=False)

    def clean_member_email(self) -> User | None:
        email = self.cleaned_data["member_email"]
        if not email:
            return None
        member = User.objects.filter(email=normalize_email(email)).first()
        if member is None:
            raise forms.ValidationError(_("No member has this email address."))
        return member

    def clean_received_on(self) -> dt.datetime | None:
        """The moment the service records: None (now) for today or no date, local noon of
        another day, which is safely inside its month."""
        day = self.cleaned_data["received_on"]
        zone = space_zone()
        if day is None or day == timezone.now().astimezone(zone).date():
            return None
        received_at = dt.datetime.combine(day, dt.time(12), tzinfo=zone)
        validate_received_at(received_at)
        return received_at

    def clean(self) -> dict:
        data = super().clean()
        if (
            not data.get("member_email")
            and not data.get("donor_name", "").strip()
            and not self.has_error("member_email")
        ):
            self.add_error("donor_name", _("Give a member's email or the guest's name."))
        return data


class GoalForm(forms.Form):
    amount = AmountField(label=_("Goal for this month"), validate=validate_goal)
    description = forms.CharField(
        label=_("What it is for"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. a new coffee machine")}),
    )

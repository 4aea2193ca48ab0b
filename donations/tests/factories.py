from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from accounts.tests.factories import UserFactory
from donations.models import Donation, MonthlyGoal, month_of
from donations.services import confirm_donation


class DonationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Donation

    donor = factory.SubFactory(UserFactory)
    amount = Decimal("500.00")
    message = ""


class MonthlyGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonthlyGoal
        django_get_or_create = ("month",)

    month = factory.LazyFunction(month_of)
    amount = Decimal("10000.00")
    description = "Новая кофемашина"


def confirmed_donation(confirmed_at: dt.datetime | None = None, **fields) -> Donation:
    """A donation as staff confirmed it (no email sent)."""
    donation = DonationFactory(**fields)
    confirm_donation(donation, confirmed_at=confirmed_at, notify=False)
    return donation

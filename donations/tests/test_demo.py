from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from donations.models import Donation, MonthlyGoal, goal_progress


@pytest.mark.smoke
@pytest.mark.django_db
def test_seed_demo_adds_donations_and_a_goal_once():
    first, second = StringIO(), StringIO()
    call_command("seed_demo", stdout=first)
    call_command("seed_demo", stdout=second)
    assert "Donations: 6 created, 0 already there; goal set." in first.getvalue()
    assert "Donations: 0 created, 6 already there; goal set." in second.getvalue()
    assert Donation.objects.count() == 6
    assert Donation.objects.pledged().get().donor.email == "member@example.com"
    assert Donation.objects.filter(is_anonymous=True).count() == 1
    assert MonthlyGoal.objects.get().amount == Decimal("30000.00")
    assert goal_progress().raised == Decimal("12800.00")

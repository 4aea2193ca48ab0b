"""Demo donations and this month's goal for `manage.py seed_demo` (after accounts' members)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from donations.models import Donation, month_bounds, month_of
from donations.services import confirm_donation, record_offline_donation, set_monthly_goal

GOAL = (Decimal("30000"), "Новая кофемашина и фильтры для воды")
# email, amount, message, anonymous, days ago; None for days ago leaves a pledge waiting.
DONATIONS = [
    ("anna@example.com", "1500", "Спасибо за тишину в переговорке по утрам!", False, 2),
    ("dmitry@example.com", "5000", "", True, 4),
    ("elena@example.com", "800", "For the coffee, of course ☕", False, 6),
    ("pavel@example.com", "2500", "Пусть здесь всегда будет уютно.", False, 9),
    ("member@example.com", "1000", "На печеньки к пятничному чаю", False, None),
]
GUEST = ("Мария, гость из Казани", "3000", "Отличное место, приеду ещё!")


def seed(stdout) -> None:
    set_monthly_goal(month_of(), *GOAL)
    admin = User.objects.filter(is_staff=True).order_by("pk").first()
    members = User.objects.in_bulk([row[0] for row in DONATIONS], field_name="email")
    created = 0
    for email, amount, message, anonymous, days_ago in DONATIONS:
        donor = members.get(email)
        if donor is None:
            continue
        donation, was_created = Donation.objects.get_or_create(
            donor=donor,
            message=message,
            amount=Decimal(amount),
            defaults={"is_anonymous": anonymous, "created_at": _days_ago(days_ago or 0)},
        )
        created += was_created
        if was_created and days_ago is not None:
            confirm_donation(donation, confirmed_by=admin, confirmed_at=_days_ago(days_ago), notify=False)
    name, amount, message = GUEST
    if admin and not Donation.objects.filter(donor_name=name).exists():
        record_offline_donation(
            admin, Decimal(amount), donor_name=name, message=message, received_at=_days_ago(1), notify=False
        )
        created += 1
    stdout.write(f"Donations: {created} created, {len(DONATIONS) + 1 - created} already there; goal set.")


def _days_ago(days: int) -> dt.datetime:
    """Within this month, so the demo goal shows progress whatever today's date."""
    now = timezone.now()
    return max(now - dt.timedelta(days=days), month_bounds(month_of(now))[0])

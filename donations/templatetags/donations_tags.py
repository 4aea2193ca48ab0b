from __future__ import annotations

from decimal import Decimal

from django import template
from django.conf import settings

from donations.models import Donation, GoalProgress, goal_progress
from donations.money import money as format_money

register = template.Library()

PROFILE_LIST_LENGTH = 10


@register.filter
def money(amount: Decimal | None, currency: str = "") -> str:
    if amount is None:
        return ""
    return format_money(amount, currency or settings.DONATION_CURRENCY)


@register.simple_tag
def donor_name(donation: Donation, viewer) -> str:
    """The name `viewer` may see: anonymous donors stay "Anonymous" for everyone but staff."""
    return donation.name_for(viewer)


@register.filter
def is_own(donation: Donation, user) -> bool:
    """Whether `user` gave the donation (and so may not confirm it)."""
    return donation.is_own(user)


@register.simple_tag
def donation_goal() -> GoalProgress:
    """This month's goal and progress (two queries)."""
    return goal_progress()


@register.simple_tag
def member_donations(user) -> dict:
    """The member's total donated and latest donations (two queries)."""
    donations = Donation.objects.filter(donor=user)
    return {
        "total": donations.confirmed().total(),
        "latest": list(donations.order_by("-created_at", "-pk")[:PROFILE_LIST_LENGTH]),
        "limit": PROFILE_LIST_LENGTH,
    }

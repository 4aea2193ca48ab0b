from __future__ import annotations

from decimal import Decimal

from django import template
from django.conf import settings
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.dateformat import DateFormat
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

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


@register.simple_tag(takes_context=True)
def wall_items(context: template.Context, donations) -> str:
    """The donors wall's cards as HTML, in one pass: the template engine spent more on
    a page's twenty cards than on the rest of the page. Every value is escaped."""
    viewer = context.get("user")
    staff = getattr(viewer, "is_staff", False)
    # Translated outside the f-strings below: makemessages does not read calls inside them.
    anonymous, yours = escape(_("anonymous to members")), escape(_("you"))
    anonymous_badge = f'<span class="badge badge-muted">{anonymous}</span>'
    you = f'<span class="badge">{yours}</span>'
    html = []
    for donation in donations:
        name = donation.name_for(viewer)
        if donation.is_anonymous:
            avatar = '<div class="wall-avatar wall-avatar-anonymous" aria-hidden="true">♥</div>'
        else:
            avatar = f'<div class="wall-avatar" aria-hidden="true">{escape(name[:1].upper())}</div>'
        badges = [anonymous_badge] if staff and donation.is_anonymous else []
        if viewer is not None and donation.donor_id == viewer.pk:
            badges.append(you)
        iso = day = ""
        if donation.confirmed_at:
            formats = DateFormat(timezone.localtime(donation.confirmed_at))
            iso, day = formats.format("c"), formats.format("j E Y")
        message = ""
        if donation.message:
            text = linebreaksbr(donation.message, autoescape=True)
            message = f'<p class="wall-message" data-testid="wall-message">{text}</p>'
        html.append(
            f'<li class="card wall-item" id="donation-{donation.pk}" data-testid="wall-item">\n'
            f"{avatar}\n"
            '<div class="wall-body">\n<div class="wall-line">\n'
            f'<strong class="wall-name" data-testid="wall-name">{escape(name)}</strong>\n'
            f"{' '.join(badges)}\n"
            f'<span class="wall-amount">{escape(money(donation.amount, donation.currency))}</span>\n'
            "</div>\n"
            f'<time class="muted wall-date" datetime="{escape(iso)}">{escape(day)}</time>\n'
            f"{message}\n</div>\n</li>"
        )
    return mark_safe("\n".join(html))  # noqa: S308 - every value above is escaped


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

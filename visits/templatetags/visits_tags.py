from __future__ import annotations

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.home import buildings_and_home
from accounts.models import User
from bookings import attendance
from bookings.models import Booking
from spaces.models import Building
from visits import presence, services

register = template.Library()


@register.filter
def duration(minutes: int | None) -> str:
    """Minutes as "2 h 05 min" (or "45 min")."""
    if minutes is None:
        return "—"
    hours, rest = divmod(int(minutes), 60)
    if hours:
        return _("{h} h {m} min").format(h=hours, m=f"{rest:02d}")
    return _("{m} min").format(m=rest)


@register.simple_tag
def visit_panel(user: User) -> dict:
    """The home card's data: the open visit, or the buildings to check in to with the
    likeliest one chosen (at most four queries)."""
    visit = services.open_visit(user)
    if visit is not None:
        elapsed = timezone.now() - visit.checked_in_at
        return {"visit": visit, "elapsed_seconds": max(0, int(elapsed.total_seconds()))}
    buildings, home = buildings_and_home(user, Building.objects.active())
    return {
        "buildings": buildings,
        "default": services.default_building(user, home=home),
        "points_per_hour": settings.KARMA_POINTS_PER_HOUR,
    }


@register.filter
def check_in_open(booking: Booking) -> bool:
    """Whether the booking can be checked into now: kept, not attended yet, in its window."""
    opens, closes = attendance.checkin_window(booking)
    return booking.is_active and booking.checked_in_at is None and opens <= timezone.now() <= closes


@register.simple_tag
def presence_counts() -> list[presence.BuildingPresence]:
    """How many are in each building (the home card names nobody, so asks for no one)."""
    return presence.counts()

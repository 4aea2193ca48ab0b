from __future__ import annotations

from django import template

from staff import dashboard

register = template.Library()


@register.simple_tag
def today_dashboard() -> dashboard.Dashboard:
    """Today's numbers for the staff home (a fixed number of queries)."""
    return dashboard.today()


@register.filter
def hours(value) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value else "0"

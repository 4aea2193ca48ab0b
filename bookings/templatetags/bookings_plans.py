"""The floor plans of a building on the member pages (bookings/floor_plan.html).

A tag module of its own so that find.html and day.html each show the plans with one
include line and their views stay as they are.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from bookings.grid import Column
from bookings.plans import day_plan_time, plans_at
from spaces.models import Building

register = template.Library()


@register.simple_tag(takes_context=True)
def floor_plans(
    context,
    building: Building | None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    columns: list[Column] | None = None,
) -> dict:
    """{"plans": [...], "time": PlanTime or None} for [start, end), or for the day view's
    slot chosen with ?at= among `columns`. Nothing to show without a building or a time."""
    request = context["request"]
    time = None
    if columns:
        time = day_plan_time(columns, request.GET.get("at", ""), timezone.now())
        if time is not None:
            start, end = time.start, time.end
    if not (building and start and end):
        return {"plans": [], "time": None}
    return {"plans": plans_at(building, start, end, request.user), "time": time, "start": start, "end": end}

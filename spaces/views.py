from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coworking.navigation import widgets
from spaces.models import Building, Desk, OpeningHours, Room
from spaces.sorting import natural_key, naturally

OPENS_ON = {
    0: gettext_lazy("Opens Monday at %(time)s"),
    1: gettext_lazy("Opens Tuesday at %(time)s"),
    2: gettext_lazy("Opens Wednesday at %(time)s"),
    3: gettext_lazy("Opens Thursday at %(time)s"),
    4: gettext_lazy("Opens Friday at %(time)s"),
    5: gettext_lazy("Opens Saturday at %(time)s"),
    6: gettext_lazy("Opens Sunday at %(time)s"),
}


@dataclass(frozen=True)
class OpenStatus:
    """Whether a building is open at a moment, told in its own zone."""

    is_open: bool
    label: str
    hours_today: OpeningHours | None


def open_status(building: Building, moment: dt.datetime) -> OpenStatus:
    today = moment.astimezone(building.zone).date()
    hours = building.opening_hours_on(today)
    if building.is_open_at(moment):
        if hours.is_around_the_clock:
            return OpenStatus(True, _("Open 24 hours"), hours)
        return OpenStatus(True, _("Open until %(time)s") % {"time": f"{hours.closes_at:%H:%M}"}, hours)
    opening = building.next_opening(moment)
    if opening is None:
        return OpenStatus(False, _("Closed"), hours)
    time = f"{opening:%H:%M}"
    if opening.date() == today:
        label = _("Opens today at %(time)s") % {"time": time}
    elif opening.date() == today + dt.timedelta(days=1):
        label = _("Opens tomorrow at %(time)s") % {"time": time}
    else:
        label = OPENS_ON[opening.weekday()] % {"time": time}
    return OpenStatus(False, label, hours)


def utc_offset(building: Building, moment: dt.datetime) -> str:
    offset = moment.astimezone(building.zone).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"


def _member_buildings():
    return Building.objects.active().prefetch_related("opening_hours", "photos")


def _member_rooms():
    return (
        Room.objects.active()
        .filter(building__is_active=True)
        .annotate(desk_count=Count("desks", filter=Q(desks__is_active=True)))
        .prefetch_related("amenities", "photos")
        .order_by("floor", "name")  # Meta.ordering is dropped from queries with GROUP BY
    )


@login_required
def building_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    buildings = (
        _member_buildings()
        .annotate(
            room_count=Count("rooms", filter=Q(rooms__is_active=True), distinct=True),
            desk_count=Count(
                "rooms__desks", filter=Q(rooms__is_active=True, rooms__desks__is_active=True), distinct=True
            ),
        )
        .order_by("name")
    )
    cards = [(building, open_status(building, now)) for building in naturally(buildings)]
    return render(request, "spaces/building_list.html", {"cards": cards})


@login_required
def building_detail(request: HttpRequest, pk: int) -> HttpResponse:
    building = get_object_or_404(_member_buildings(), pk=pk)
    now = timezone.now()
    today = now.astimezone(building.zone).date()
    hours_by_weekday = {hours.weekday: hours for hours in building.opening_hours.all()}
    week = [
        (label, hours_by_weekday.get(weekday), weekday == today.weekday())
        for weekday, label in OpeningHours.Weekday.choices
    ]
    context = {
        "building": building,
        "status": open_status(building, now),
        "utc_offset": utc_offset(building, now),
        "week": week,
        # By floor (the page groups them so), then naturally by name.
        "actions": widgets("place_actions"),
        "rooms": sorted(
            _member_rooms().filter(building=building), key=lambda room: (room.floor, natural_key(room.name))
        ),
    }
    return render(request, "spaces/building_detail.html", context)


@login_required
def room_detail(request: HttpRequest, pk: int) -> HttpResponse:
    active_desks = Desk.objects.active().prefetch_related("amenities")
    room = get_object_or_404(
        _member_rooms()
        .select_related("building")
        .prefetch_related("building__opening_hours", Prefetch("desks", queryset=active_desks)),
        pk=pk,
    )
    context = {
        "room": room,
        "building": room.building,
        "status": open_status(room.building, timezone.now()),
        "desks": naturally(room.desks.all(), lambda desk: desk.label),
        "actions": widgets("place_actions"),
    }
    return render(request, "spaces/room_detail.html", context)

"""What is free: a place at a time, a day's slots, a building's free places, alternatives."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from bookings.models import Booking
from bookings.services.rules import Alternative, Resource, building_of, rules_for
from spaces.models import Amenity, Building, Desk, Room


def _resource_filter(resource: Resource) -> Q:
    return Q(desk=resource) if isinstance(resource, Desk) else Q(room=resource)


def is_free(resource: Resource, start: dt.datetime, end: dt.datetime, exclude_pk: int | None = None) -> bool:
    taken = Booking.objects.active().filter(_resource_filter(resource)).overlapping(start, end)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    return not taken.exists()


def slot_step(slot_minutes: int) -> dt.timedelta:
    """The grid's step; a step that is not positive would walk a day forever."""
    if slot_minutes <= 0:
        raise ValueError(f"A slot must last a positive number of minutes, not {slot_minutes}.")
    return dt.timedelta(minutes=slot_minutes)


def day_slots(building: Building, day: dt.date, slot_minutes: int | None = None) -> list[dt.datetime]:
    """The start instants of the bookable slots of a local day, within opening hours.

    Stepping in real time from the opening instant: the skipped spring hour never
    appears, and the repeated autumn hour appears twice (its two instants differ).
    """
    interval = building.open_interval(day)
    if interval is None:
        return []
    step = slot_step(rules_for(building).slot_minutes if slot_minutes is None else slot_minutes)
    slots = []
    moment = interval[0].astimezone(dt.UTC)
    while moment < interval[1]:
        slots.append(moment.astimezone(building.zone))
        moment += step
    return slots


def available(
    building: Building,
    start: dt.datetime,
    end: dt.datetime,
    *,
    kinds: list[str] | None = None,
    amenities: list[Amenity] | None = None,
    min_capacity: int | None = None,
) -> tuple[list[Desk], list[Room]]:
    """Active desks and whole rooms of a building free for all of [start, end)."""
    taken = Booking.objects.active().overlapping(start, end)
    desks = Desk.objects.none()
    if (not kinds or Room.Kind.OPEN_SPACE in kinds) and (min_capacity or 1) <= 1:
        desks = (
            Desk.objects.active()
            .filter(room__building=building, room__is_active=True, room__kind=Room.Kind.OPEN_SPACE)
            .exclude(Exists(taken.filter(desk=OuterRef("pk"))))
            .select_related("room")
            .prefetch_related("amenities", "room__amenities")
            .order_by("room__floor", "room__name", "label")
        )
        for amenity in amenities or ():
            desks = desks.filter(Q(amenities=amenity) | Q(room__amenities=amenity)).distinct()
    whole_kinds = [k for k in (kinds or Room.Kind.values) if k != Room.Kind.OPEN_SPACE]
    rooms = (
        Room.objects.active()
        .filter(building=building, kind__in=whole_kinds, capacity__gte=min_capacity or 1)
        .exclude(Exists(taken.filter(room=OuterRef("pk"))))
        .prefetch_related("amenities")
        .order_by("floor", "name")
    )
    for amenity in amenities or ():
        rooms = rooms.filter(amenities=amenity)
    return list(desks), list(rooms)


def desks_with_holders(
    building: Building, start: dt.datetime, end: dt.datetime, *, amenities: list[Amenity] | None = None
) -> list[Desk]:
    """Every active desk of the building's open spaces, free or not, each with
    `taken_until`: when the last booking holding it during [start, end) ends (None when
    the desk is free for all of it). The search shows taken desks too, so a full room
    does not vanish from it. One query (and the amenities' prefetches), like `available`."""
    holder = (
        Booking.objects.active()
        .overlapping(start, end)
        .filter(desk=OuterRef("pk"))
        .order_by("-end")
        .values("end")[:1]
    )
    desks = (
        Desk.objects.active()
        .filter(room__building=building, room__is_active=True, room__kind=Room.Kind.OPEN_SPACE)
        .annotate(taken_until=Subquery(holder))
        .select_related("room")
        .prefetch_related("amenities", "room__amenities")
        .order_by("room__floor", "room__name", "label")
    )
    for amenity in amenities or ():
        desks = desks.filter(Q(amenities=amenity) | Q(room__amenities=amenity)).distinct()
    return list(desks)


def nearest_alternatives(
    resource: Resource, start: dt.datetime, end: dt.datetime, limit: int = 3
) -> list[Alternative]:
    """What to offer the loser of a race: other free places of the same kind at the same
    time, else the same place at the nearest free time that day."""
    building = building_of(resource)
    if isinstance(resource, Desk):
        desks, _rooms = available(building, start, end, kinds=[Room.Kind.OPEN_SPACE])
        # Desks in the same room first.
        desks.sort(key=lambda desk: desk.room_id != resource.room_id)
        same_time = desks
    else:
        _desks, same_time = available(
            building, start, end, kinds=[resource.kind], min_capacity=resource.capacity
        )
    alternatives = [Alternative(place, start, end) for place in same_time if place.pk != resource.pk][:limit]
    if alternatives:
        return alternatives
    duration = end.astimezone(dt.UTC) - start.astimezone(dt.UTC)
    step = slot_step(rules_for(building).slot_minutes)
    interval = building.open_interval(timezone.localtime(start, building.zone).date())
    if interval is None:
        return []
    taken = list(
        Booking.objects.active()
        .filter(_resource_filter(resource))
        .overlapping(interval[0], interval[1])
        .values_list("start", "end")
    )
    candidates = []
    moment = interval[0].astimezone(dt.UTC)
    while moment + duration <= interval[1]:
        if not any(s < moment + duration and e > moment for s, e in taken) and moment >= timezone.now():
            candidates.append(Alternative(resource, moment, moment + duration))
        moment += step
    candidates.sort(key=lambda alt: abs(alt.start - start))
    return candidates[:limit]

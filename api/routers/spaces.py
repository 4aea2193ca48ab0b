"""Buildings, rooms and desks, and what is free: read-only, for every member."""

from types import SimpleNamespace

from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import paginate

from api.pagination import Cursor, etagged
from api.problems import Problem
from api.schemas import (
    PROBLEMS,
    AvailabilityOut,
    BuildingOut,
    Capacity,
    DeskOut,
    Id,
    Instant,
    RoomWithPhotosOut,
)
from bookings import services
from spaces.models import Building, Desk, OpeningHours, Room

router = Router(tags=["spaces"])
# A search longer than this is a typo or a probe: the site's forms search a day or a week.
LONGEST_SEARCH_DAYS = 31


def _buildings():
    return Building.objects.active().prefetch_related(
        Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens_at")), "photos"
    )


def _rooms():
    return Room.objects.active().filter(building__is_active=True).prefetch_related("amenities", "photos")


def _desks():
    return (
        Desk.objects.active()
        .filter(room__is_active=True, room__building__is_active=True)
        .prefetch_related("amenities")
    )


@router.get(
    "/buildings", response={200: list[BuildingOut], **PROBLEMS}, summary="Buildings and opening hours"
)
@paginate(Cursor, ordering=("pk",))
def buildings(request: HttpRequest):
    return _buildings()


@router.get("/buildings/{building_id}", response={200: BuildingOut, **PROBLEMS}, summary="One building")
def building(request: HttpRequest, building_id: Id):
    return get_object_or_404(_buildings(), pk=building_id)


@router.get("/rooms", response={200: list[RoomWithPhotosOut], **PROBLEMS}, summary="Rooms, by building")
@paginate(Cursor, ordering=("pk",))
def rooms(request: HttpRequest, building: Id | None = None):
    rooms = _rooms()
    return rooms.filter(building_id=building) if building else rooms


@router.get("/rooms/{room_id}", response={200: RoomWithPhotosOut, **PROBLEMS}, summary="One room")
def room(request: HttpRequest, room_id: Id):
    return get_object_or_404(_rooms(), pk=room_id)


@router.get("/desks", response={200: list[DeskOut], **PROBLEMS}, summary="Desks, by building or room")
@paginate(Cursor, ordering=("pk",))
def desks(request: HttpRequest, building: Id | None = None, room: Id | None = None):
    desks = _desks()
    if building:
        desks = desks.filter(room__building_id=building)
    if room:
        desks = desks.filter(room_id=room)
    return desks


@router.get(
    "/availability",
    response={200: AvailabilityOut, 304: None, **PROBLEMS},
    summary="Free desks and rooms for a time range",
)
def availability(
    request: HttpRequest,
    building: Id,
    start: Instant,
    end: Instant,
    kind: list[Room.Kind] | None = None,
    min_capacity: Capacity | None = None,
):
    """The same search as the site's "find a place"; send If-None-Match with the last
    ETag to poll cheaply (304 while nothing changed)."""
    place = get_object_or_404(Building.objects.active(), pk=building)
    if end <= start:
        raise Problem(422, "order", _("The end must be after the start."))
    if (end - start).days > LONGEST_SEARCH_DAYS:
        raise Problem(
            422, "too_long", _("Search at most %(days)d days at once.") % {"days": LONGEST_SEARCH_DAYS}
        )
    free_desks, free_rooms = services.available(
        place, start, end, kinds=[str(k) for k in kind] if kind else None, min_capacity=min_capacity
    )
    body = AvailabilityOut.from_orm(
        SimpleNamespace(building_id=place.pk, start=start, end=end, desks=free_desks, rooms=free_rooms)
    )
    return etagged(request, body)

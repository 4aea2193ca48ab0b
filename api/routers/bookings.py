"""A member's bookings, through bookings.services like the pages: every rule once.

Another member's booking is a 404 by any address, as on the site.
"""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from api.pagination import Cursor, in_range
from api.problems import Problem
from api.schemas import PROBLEMS, BookingIn, BookingOut, Id, Instant, RescheduleIn
from bookings import services
from bookings.models import Booking
from spaces.models import Desk, Room

router = Router(tags=["bookings"])


def own_bookings(request: HttpRequest):
    return Booking.objects.filter(user=request.user)


def place_of(desk: int | None, room: int | None) -> Desk | Room:
    """The desk or room a body names: exactly one of them."""
    if (desk is None) == (room is None):
        raise Problem(422, "place_required", _("Name either a desk or a room."))
    if desk is not None:
        place = Desk.objects.select_related("room__building").filter(pk=desk).first()
    else:
        place = Room.objects.select_related("building").filter(pk=room).first()
    if place is None:
        raise Problem(422, "unknown_place", _("There is no such desk or room."))
    return place


@router.get("/bookings", response={200: list[BookingOut], **PROBLEMS}, summary="My bookings")
@paginate(Cursor, ordering=("-start", "-pk"))
def bookings(
    request: HttpRequest,
    status: Booking.Status | None = None,
    building: Id | None = None,
    start_from: Instant | None = None,
    start_before: Instant | None = None,
):
    """Newest first. Filter by status, building, and a range of start times."""
    mine = own_bookings(request)
    if status:
        mine = mine.filter(status=status)
    if building:
        mine = mine.filter(building_id=building)
    return in_range(mine, "start", start_from, start_before)


@router.post("/bookings", response={201: BookingOut, **PROBLEMS}, summary="Book a desk or a room")
def create(request: HttpRequest, payload: BookingIn):
    """409 `taken` (with the nearest free alternatives) when the place is not free;
    422 with the rule's code (`quota`, `closed`, `grid`, ...) when a rule refuses."""
    place = place_of(payload.desk, payload.room)
    booking = services.create_booking(user=request.user, resource=place, start=payload.start, end=payload.end)
    return Status(201, booking)


@router.get("/bookings/{booking_id}", response={200: BookingOut, **PROBLEMS}, summary="One of my bookings")
def booking(request: HttpRequest, booking_id: Id):
    return get_object_or_404(own_bookings(request), pk=booking_id)


@router.post(
    "/bookings/{booking_id}/cancel", response={200: BookingOut, **PROBLEMS}, summary="Cancel my booking"
)
def cancel(request: HttpRequest, booking_id: Id):
    """Up to the building's cancellation cut-off, like the site."""
    booking = get_object_or_404(own_bookings(request), pk=booking_id)
    return services.cancel_booking(booking, by=request.user)


@router.post(
    "/bookings/{booking_id}/reschedule", response={200: BookingOut, **PROBLEMS}, summary="Move my booking"
)
def reschedule(request: HttpRequest, booking_id: Id, payload: RescheduleIn):
    """To another time, and to another desk or room if one is named; the same rules as booking."""
    booking = get_object_or_404(own_bookings(request), pk=booking_id)
    place = place_of(payload.desk, payload.room) if payload.desk or payload.room else None
    return services.reschedule_booking(
        booking, start=payload.start, end=payload.end, resource=place, by=request.user
    )

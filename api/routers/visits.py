"""Check in and out, my visits, who is in: through visits.services like the pages."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import paginate

from api.pagination import Cursor, etagged, in_range
from api.schemas import (
    PROBLEMS,
    CheckInIn,
    CheckInOut,
    CheckOutOut,
    Id,
    Instant,
    PresenceListOut,
    PresenceOut,
    VisitOut,
)
from spaces.models import Building
from visits import presence, services
from visits.models import Visit

router = Router(tags=["visits"])


@router.post("/visits/check-in", response={200: CheckInOut, 201: CheckInOut, **PROBLEMS}, summary="Check in")
def check_in(request: HttpRequest, payload: CheckInIn):
    """201 with a new visit; 200 with the open one when already checked in. Without a
    building, the one of the member's current booking or last visit."""
    building = get_object_or_404(Building.objects.all(), pk=payload.building) if payload.building else None
    result = services.check_in(request.user, building)
    body = CheckInOut(
        visit=result.visit, created=result.created, booking_id=result.booking.pk if result.booking else None
    )
    return Status(201 if result.created else 200, body)


@router.post("/visits/check-out", response={200: CheckOutOut, **PROBLEMS}, summary="Check out")
def check_out(request: HttpRequest):
    """Closes the open visit and awards its karma; 409 `not_checked_in` when none is open."""
    result = services.check_out(request.user)
    return CheckOutOut(visit=result.visit, points=result.points)


@router.get("/visits", response={200: list[VisitOut], **PROBLEMS}, summary="My visits")
@paginate(Cursor, ordering=("-checked_in_at", "-pk"))
def visits(
    request: HttpRequest,
    building: Id | None = None,
    checked_in_from: Instant | None = None,
    checked_in_before: Instant | None = None,
):
    mine = Visit.objects.filter(user=request.user)
    if building:
        mine = mine.filter(building_id=building)
    return in_range(mine, "checked_in_at", checked_in_from, checked_in_before)


@router.get("/presence", response={200: PresenceListOut, 304: None, **PROBLEMS}, summary="Who is in now")
def who_is_in(request: HttpRequest):
    """Per building: how many are in, and the names the caller may see (as the page
    shows them). Poll with If-None-Match."""
    rows = [
        PresenceOut(
            building_id=row.building.pk,
            count=row.count,
            names=[visit.user.full_name or visit.user.email for visit in row.visits],
        )
        for row in presence.who_is_in(request.user)
    ]
    return etagged(request, PresenceListOut(buildings=rows))

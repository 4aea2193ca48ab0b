"""A member's bookings, through bookings.services like the pages: every rule once.

Another member's booking is a 404 by any address, as on the site.
"""

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from api.pagination import Cursor, in_range
from api.problems import Problem, invalid_form
from api.schemas import (
    PROBLEMS,
    BookingIn,
    BookingOut,
    CancelledOut,
    ExtendIn,
    Id,
    Instant,
    OccurrenceOut,
    RescheduleIn,
    SeriesDetailOut,
    SeriesIn,
    SeriesOut,
    SeriesPreviewOut,
)
from bookings import services
from bookings.forms_series import ExtendSeriesForm, SeriesForm
from bookings.grid import place_key
from bookings.models import Booking, BookingSeries
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
    series: Id | None = None,
    start_from: Instant | None = None,
    start_before: Instant | None = None,
):
    """Newest first. Filter by status, building, recurring booking (series), and a range
    of start times."""
    mine = own_bookings(request)
    if status:
        mine = mine.filter(status=status)
    if building:
        mine = mine.filter(building_id=building)
    if series:
        mine = mine.filter(series_id=series)
    return in_range(mine, "start", start_from, start_before)


@router.post("/bookings", response={201: BookingOut, **PROBLEMS}, summary="Book a desk or a room")
def create(request: HttpRequest, payload: BookingIn):
    """409 `taken` (with the nearest free alternatives) when the place is not free;
    422 with the rule's code (`quota`, `closed`, `grid`, ...) when a rule refuses."""
    place = place_of(payload.desk, payload.room)
    booking = services.create_booking(user=request.user, resource=place, start=payload.start, end=payload.end)
    return Status(201, booking)


def _series_form(payload: SeriesIn) -> SeriesForm:
    """The page's recurring-booking form, valid, for the place the body names: its
    checks (dates, weekdays, times the clocks skip) are the API's."""
    place = place_of(payload.desk, payload.room)
    services.check_resource(place)
    data = {
        "place": place_key(place),
        "first": payload.first.isoformat(),
        "start_time": payload.start_time.isoformat(),
        "end_time": payload.end_time.isoformat(),
        "frequency": payload.frequency,
        "weekdays": [str(day) for day in payload.weekdays],
        "until": payload.until.isoformat() if payload.until else "",
        "count": str(payload.count) if payload.count else "",
    }
    form = SeriesForm(data, places={place_key(place): place})
    if not form.is_valid():
        raise invalid_form(form, rename={"place": "desk" if payload.desk else "room"})
    return form


def _results(occurrences: list[services.Occurrence], booked: bool = False) -> dict:
    free = sum(o.booking is not None if booked else o.free for o in occurrences)
    return {"free": free, "skipped": len(occurrences) - free, "occurrences": occurrences}


@router.get(
    "/bookings/series/preview",
    response={200: SeriesPreviewOut, **PROBLEMS},
    summary="Preview a recurring booking",
)
def series_preview(request: HttpRequest, filters: Query[SeriesIn]):
    """Every occurrence, free or with the rule that refuses it; nothing is saved."""
    form = _series_form(filters)
    occurrences = services.plan_series(user=request.user, **form.plan_arguments())
    return _results(occurrences)


@router.post("/bookings/series", response={201: SeriesOut, **PROBLEMS}, summary="Book a recurring booking")
def series_create(request: HttpRequest, payload: SeriesIn):
    """Books the free occurrences ("book the free ones"), planned again inside the locks;
    each occurrence says whether it was booked. 409 `none_free` (with the occurrences)
    when none of them is free."""
    form = _series_form(payload)
    series, occurrences = services.book_series(user=request.user, **form.series_arguments())
    if series is None:
        raise Problem(
            409,
            "none_free",
            _("None of these dates is free any more, so nothing was booked."),
            occurrences=[OccurrenceOut.from_orm(o).model_dump(mode="json") for o in occurrences],
        )
    return Status(201, {"series_id": series.pk, **_results(occurrences, booked=True)})


def _own_series(request: HttpRequest, series_id: int) -> tuple[BookingSeries, services.SeriesShape]:
    found = services.own_series(request.user, series_id)
    if found is None:
        raise Http404
    return found


@router.get(
    "/bookings/series/{series_id}", response={200: SeriesDetailOut, **PROBLEMS}, summary="One of my series"
)
def series_detail(request: HttpRequest, series_id: Id):
    series, shape = _own_series(request, series_id)
    return SeriesDetailOut(
        id=series.pk,
        frequency=series.frequency,
        weekdays=[int(day) for day in series.weekdays.split(",") if day],
        until=series.until,
        count=series.count,
        created_at=series.created_at,
        last_date=shape.last_date,
        horizon=services.horizon(services.building_of(shape.resource)),
    )


@router.post(
    "/bookings/series/{series_id}/extend", response={200: SeriesOut, **PROBLEMS}, summary="Extend my series"
)
def series_extend(request: HttpRequest, series_id: Id, payload: ExtendIn):
    """Books the further dates after the series' last one up to `until`, with the same
    place, times, rules and horizon as when it was made; each date says whether it was
    booked. Its page's form checks `until`."""
    series, shape = _own_series(request, series_id)
    form = ExtendSeriesForm(
        {"until": payload.until.isoformat()},
        building=services.building_of(shape.resource),
        last_date=shape.last_date,
    )
    if not form.is_valid():
        raise invalid_form(form)
    occurrences = services.extend_series(series, by=request.user, until=form.cleaned_data["until"])
    return {"series_id": series.pk, **_results(occurrences, booked=True)}


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


@router.post("/bookings/{booking_id}/release", response={200: BookingOut, **PROBLEMS}, summary="I won't come")
def release(request: HttpRequest, booking_id: Id):
    """Past the cancellation cut-off, free the place without the no-show penalty, until
    the booking ends unless checked in. 409 `cancel_instead` while it can still be
    cancelled, `not_releasable` when it can no longer be released."""
    booking = get_object_or_404(own_bookings(request), pk=booking_id)
    return services.release_booking(booking, by=request.user)


@router.post(
    "/bookings/{booking_id}/cancel-following",
    response={200: CancelledOut, **PROBLEMS},
    summary="Cancel this and the later bookings of its series",
)
def cancel_following(request: HttpRequest, booking_id: Id):
    """This occurrence and every later active one of its series (just this one if it is
    not part of a series), each under the cancellation rules; how many were cancelled."""
    booking = get_object_or_404(own_bookings(request), pk=booking_id)
    return CancelledOut(cancelled=services.cancel_series_from(booking, by=request.user))

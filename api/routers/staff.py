"""Staff endpoints, behind the same permissions as the staff pages: members get 403
`staff_only`. Every write goes through the same service function as the staff page."""

from typing import Literal

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from api.auth import require_staff
from api.pagination import Cursor, etagged
from api.problems import invalid_form
from api.routers.bookings import place_of
from api.routers.donations import goal_of
from api.schemas import (
    PROBLEMS,
    ArrivalOut,
    BookingOut,
    BuildingTodayOut,
    CancelIn,
    CheckInOut,
    CheckOutOut,
    DonationOut,
    Id,
    MemberRef,
    RejectIn,
    StaffBookingIn,
    StaffCheckInIn,
    StatisticsOut,
    StatisticsQuery,
    TodayOut,
    VisitOut,
)
from bookings import services as bookings
from bookings.models import Booking
from donations import services as donations
from donations.models import Donation
from spaces.models import Building
from staff import dashboard
from visits import services as visits
from visits import stats
from visits.forms import StatisticsForm
from visits.models import Visit

router = Router(tags=["staff"])


def _member(pk: int):
    return get_object_or_404(get_user_model(), pk=pk)


@router.post("/staff/visits/check-in", response={200: CheckInOut, 201: CheckInOut, **PROBLEMS})
def desk_check_in(request: HttpRequest, payload: StaffCheckInIn):
    """The front desk checks a member in."""
    require_staff(request, "visits.add_visit")
    building = get_object_or_404(Building.objects.all(), pk=payload.building)
    result = visits.check_in(_member(payload.member), building, by=request.user)
    body = CheckInOut(
        visit=result.visit, created=result.created, booking_id=result.booking.pk if result.booking else None
    )
    return Status(201 if result.created else 200, body)


@router.post("/staff/visits/check-out", response={200: CheckOutOut, **PROBLEMS})
def desk_check_out(request: HttpRequest, payload: MemberRef):
    require_staff(request, "visits.change_visit")
    result = visits.check_out(_member(payload.member), by=request.user)
    return CheckOutOut(visit=result.visit, points=result.points)


@router.get("/staff/visits/open", response={200: list[VisitOut], **PROBLEMS}, summary="Who is checked in")
@paginate(Cursor, ordering=("-checked_in_at", "-pk"))
def open_visits(request: HttpRequest, building: Id | None = None):
    require_staff(request, "visits.view_visit")
    visits_in = Visit.objects.open()
    return visits_in.filter(building_id=building) if building else visits_in


@router.get(
    "/staff/buildings/{building_id}/arrivals",
    response={200: list[ArrivalOut], **PROBLEMS},
    summary="Who is expected",
)
@paginate(Cursor, ordering=("start", "pk"))
def arrivals(request: HttpRequest, building_id: Id, window: Literal["hour", "today"] = "hour"):
    """Confirmed bookings of the building that nobody has checked into yet, starting from
    now: within the hour (the staff home's "arrivals" figure) or until the end of the
    building's local day."""
    require_staff(request, "staff.view_dashboard", "bookings.view_booking")
    building = get_object_or_404(Building.objects.all(), pk=building_id)
    now = timezone.now()
    until = dashboard.day_end(building, now) if window == "today" else now + dashboard.ARRIVALS_WITHIN
    return dashboard.arriving(now, until).filter(building=building).select_related("user")


@router.get(
    "/staff/today", response={200: TodayOut, 304: None, **PROBLEMS}, summary="The staff home's figures"
)
def today(request: HttpRequest):
    """Today's figures per building, each in its own zone, as the staff home shows them.
    Poll with If-None-Match."""
    require_staff(request, "staff.view_dashboard")
    board = dashboard.today()
    body = TodayOut(
        buildings=[
            BuildingTodayOut(
                building_id=row.building.pk,
                name=row.building.name,
                day=row.day,
                **{name: figure.value for name, figure in row.figures.items()},
            )
            for row in board.buildings
        ],
        pending_pledges=board.pending_pledges.value,
        new_members=board.new_members.value,
        goal=goal_of(board.goal),
    )
    return etagged(request, body)


@router.get("/staff/statistics", response={200: StatisticsOut, **PROBLEMS}, summary="Visit statistics")
def statistics(request: HttpRequest, filters: Query[StatisticsQuery]):
    """The statistics page's figures for local days `start`..`end`: visits per day,
    check-ins per weekday and hour, totals, and the share of ended bookings attended."""
    require_staff(request, "staff.view_statistics")
    form = StatisticsForm(
        {
            "building": filters.building or "",
            "start": filters.start.isoformat() if filters.start else "",
            "end": filters.end.isoformat() if filters.end else "",
        }
    )
    if not form.is_valid():
        raise invalid_form(form)
    return stats.compute(*form.period())


@router.post("/staff/bookings", response={201: BookingOut, **PROBLEMS}, summary="Book for a member")
def book_for(request: HttpRequest, payload: StaffBookingIn):
    """`override_rules` books outside the rules (recorded on the booking); never over another booking."""
    require_staff(request, "bookings.add_booking")
    booking = bookings.create_booking(
        user=_member(payload.member),
        resource=place_of(payload.desk, payload.room),
        start=payload.start,
        end=payload.end,
        by=request.user,
        override_rules=payload.override_rules,
    )
    return Status(201, booking)


@router.post("/staff/bookings/{booking_id}/cancel", response={200: BookingOut, **PROBLEMS})
def cancel_for(request: HttpRequest, booking_id: Id, payload: CancelIn):
    """Cancel a member's booking; the reason (required) is sent to the member."""
    require_staff(request, "bookings.change_booking")
    booking = get_object_or_404(Booking, pk=booking_id)
    return bookings.cancel_booking(booking, by=request.user, reason=payload.reason)


@router.get("/staff/donations/pending", response={200: list[DonationOut], **PROBLEMS}, summary="Pledges")
@paginate(Cursor, ordering=("created_at", "pk"))
def pending(request: HttpRequest):
    """The pledges waiting for their money, oldest first; the front desk sees them as on
    the donations desk page, confirming and rejecting take a Manager."""
    require_staff(request, "donations.add_donation")
    return Donation.objects.pledged()


@router.post("/staff/donations/{donation_id}/confirm", response={200: DonationOut, **PROBLEMS})
def confirm(request: HttpRequest, donation_id: Id):
    """The money arrived: receipt, karma, thank-you email. Nobody confirms their own."""
    require_staff(request, "donations.change_donation")
    donation = get_object_or_404(Donation, pk=donation_id)
    donations.confirm_donation(donation, confirmed_by=request.user, confirmed_at=timezone.now())
    return donation


@router.post("/staff/donations/{donation_id}/reject", response={200: DonationOut, **PROBLEMS})
def reject(request: HttpRequest, donation_id: Id, payload: RejectIn):
    require_staff(request, "donations.change_donation")
    donation = get_object_or_404(Donation, pk=donation_id)
    donations.reject_donation(donation, payload.reason, rejected_by=request.user)
    donation.refresh_from_db()
    return donation

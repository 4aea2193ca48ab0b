"""Pledges, my donations, the donors wall and the month's goal, through donations.services."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import paginate

from api.pagination import Cursor
from api.schemas import PROBLEMS, DonationOut, GoalOut, Id, PledgeIn, WallEntryOut
from donations.models import Donation, DonationStatus, GoalProgress, goal_progress
from donations.services import pledge_donation

router = Router(tags=["donations"])


@router.post("/donations", response={201: DonationOut, **PROBLEMS}, summary="Pledge a donation")
def pledge(request: HttpRequest, payload: PledgeIn):
    """A promise to give; staff confirm it when the money arrives. 422 `min` or
    `max` (the site's limits) for an amount outside them."""
    donation = pledge_donation(request.user, payload.amount, payload.message, payload.is_anonymous)
    return Status(201, donation)


@router.get("/donations", response={200: list[DonationOut], **PROBLEMS}, summary="My donations")
@paginate(Cursor, ordering=("-created_at", "-pk"))
def donations(request: HttpRequest, status: DonationStatus | None = None):
    mine = Donation.objects.filter(donor=request.user)
    return mine.filter(status=status) if status else mine


@router.get("/donations/wall", response={200: list[WallEntryOut], **PROBLEMS}, summary="The donors wall")
@paginate(Cursor, ordering=("-confirmed_at", "-pk"))
def wall(request: HttpRequest):
    """Confirmed donations, newest first; an anonymous donor is "Anonymous" to everyone
    but staff, as on the page."""
    return Donation.objects.wall()


def goal_of(progress: GoalProgress) -> GoalOut:
    return GoalOut(
        month=progress.month,
        goal=progress.goal.amount if progress.goal else None,
        description=progress.goal.description if progress.goal else "",
        raised=progress.raised,
        percent=progress.percent,
    )


@router.get("/donations/goal", response={200: GoalOut, **PROBLEMS}, summary="This month's goal")
def goal(request: HttpRequest):
    return goal_of(goal_progress())


@router.get(
    "/donations/{donation_id}", response={200: DonationOut, **PROBLEMS}, summary="One of my donations"
)
def donation(request: HttpRequest, donation_id: Id):
    return get_object_or_404(Donation.objects.filter(donor=request.user), pk=donation_id)

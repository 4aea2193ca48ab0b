"""Staff's donations desk: pledges to confirm or reject, offline money, the goal, monthly totals."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coworking.decorators import staff_required
from coworking.validators import validate_sensible_date
from donations.exports import STAFF_COLUMNS, donations_csv
from donations.forms import GoalForm, OfflineDonationForm, RejectForm
from donations.models import Donation, goal_progress, month_of, monthly_totals
from donations.money import as_typed
from donations.services import (
    DonationError,
    confirm_donation,
    record_offline_donation,
    reject_donation,
    set_monthly_goal,
)

PLEDGES_SHOWN = 100
# What a confirmation or a rejection changes on the page.
FRAGMENTS = ("desk", "goal", "months")


def _render_staff(request: HttpRequest, **context) -> HttpResponse:
    """The staff page; for htmx, the desk fragment plus the goal and the monthly totals,
    which a confirmation also changes, swapped out of band. Bound forms passed in win."""
    progress = goal_progress()
    context = {
        "pledges": Donation.objects.pledged()
        .select_related("donor")
        .order_by("created_at", "pk")[:PLEDGES_SHOWN],
        "pledges_shown": PLEDGES_SHOWN,
        "progress": progress,
        "months": monthly_totals(),
        **context,
    }
    if request.htmx:
        fragments = (render_to_string(f"donations/staff.html#{name}", context, request) for name in FRAGMENTS)
        return HttpResponse("".join(fragments))
    goal = progress.goal
    goal_initial = {"amount": as_typed(goal.amount), "description": goal.description} if goal else {}
    context = {"offline_form": OfflineDonationForm(), "goal_form": GoalForm(initial=goal_initial), **context}
    return render(request, "donations/staff.html", context)


def _after_action(request: HttpRequest) -> HttpResponse:
    return _render_staff(request) if request.htmx else redirect("donations:staff")


@staff_required("donations.add_donation")
def staff(request: HttpRequest) -> HttpResponse:
    return _render_staff(request)


@staff_required("donations.change_donation")
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    donation = get_object_or_404(Donation, pk=pk)
    try:
        confirmed = confirm_donation(donation, confirmed_by=request.user)
    except DonationError as error:  # rejected meanwhile, or an amount outside the limits
        messages.error(request, " ".join(error.messages))
        return _after_action(request)
    if confirmed:
        messages.success(request, _("Confirmed: receipt %(number)s.") % {"number": donation.receipt_number})
    else:
        messages.info(request, _("This donation was already confirmed."))
    return _after_action(request)


@staff_required("donations.change_donation")
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    donation = get_object_or_404(Donation, pk=pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _render_staff(request, reject_form=form, rejecting=donation.pk)
    try:
        rejected = reject_donation(donation, form.cleaned_data["reason"], rejected_by=request.user)
    except DonationError as error:  # confirmed meanwhile
        messages.error(request, " ".join(error.messages))
        return _after_action(request)
    if rejected:
        messages.success(request, _("The pledge is rejected."))
    return _after_action(request)


@staff_required("donations.add_donation")
@require_POST
def offline(request: HttpRequest) -> HttpResponse:
    form = OfflineDonationForm(request.POST)
    if not form.is_valid():
        return _render_staff(request, offline_form=form)
    data = form.cleaned_data
    try:
        donation = record_offline_donation(
            recorded_by=request.user,
            amount=data["amount"],
            donor=data["member_email"],
            donor_name=data["donor_name"],
            donor_email=data["donor_email"],
            message=data["message"],
            is_anonymous=data["is_anonymous"],
            received_at=data["received_on"],
            # The front desk records the money; a manager confirms it.
            confirm=request.user.has_perm("donations.change_donation"),
        )
    except DonationError as error:  # the staff member's own money: someone else records it
        form.add_error(None, error)
        return _render_staff(request, offline_form=form)
    if donation.is_confirmed:
        messages.success(
            request, _("Recorded and confirmed: receipt %(number)s.") % {"number": donation.receipt_number}
        )
    else:
        messages.success(request, _("Recorded as a pledge: a manager confirms it."))
    return redirect("donations:staff")


@staff_required("donations.change_monthlygoal")
@require_POST
def goal(request: HttpRequest) -> HttpResponse:
    form = GoalForm(request.POST)
    if not form.is_valid():
        return _render_staff(request, goal_form=form)
    set_monthly_goal(month_of(), form.cleaned_data["amount"], form.cleaned_data["description"])
    messages.success(request, _("This month's goal is saved."))
    return redirect("donations:staff")


@staff_required("donations.view_donation")
def export(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """Every donation confirmed in the month, with names (anonymous ones too: staff only)."""
    try:
        first_day = dt.date(year, month, 1)
        # Months far from today are typos or probes, and the month's bounds overflow near 1 and 9999.
        validate_sensible_date(first_day)
    except (ValueError, OverflowError, ValidationError) as error:
        raise Http404 from error
    donations = (
        Donation.objects.confirmed_in(first_day)
        .select_related("donor", "recorded_by", "confirmed_by")
        .order_by("confirmed_at", "pk")
    )
    return donations_csv(donations, STAFF_COLUMNS, f"donations-{first_day:%Y-%m}.csv")

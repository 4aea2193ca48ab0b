from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from coworking.pager import page_of
from donations.exports import MEMBER_COLUMNS, donations_csv
from donations.forms import DonationForm
from donations.models import Donation, goal_progress
from donations.services import pledge_donation


def _payment_instructions() -> str:
    """How to pay a pledge while no payment provider is connected; empty: the default text."""
    return settings.DONATION_PAYMENT_INSTRUCTIONS


@login_required
def wall(request: HttpRequest) -> HttpResponse:
    """Recent confirmed donations with their messages, and this month's goal."""
    page = page_of(Donation.objects.wall(), request)
    return render(request, "donations/wall.html", {"page": page, "progress": goal_progress()})


@login_required
def donate(request: HttpRequest) -> HttpResponse:
    form = DonationForm(
        request.POST or None,
        # Members who keep their name private elsewhere start out anonymous here too.
        initial={"is_anonymous": not request.user.visible_to_members},
    )
    if request.method == "POST" and form.is_valid():
        donation = pledge_donation(request.user, **form.cleaned_data)
        messages.success(request, _("Thank you! Your pledge is recorded and waits for confirmation."))
        if request.htmx:
            return HttpResponseClientRedirect(donation.get_absolute_url())
        return redirect(donation)
    if request.htmx:
        return render(request, "donations/donate.html#donate_form", {"form": form})
    context = {
        "form": form,
        "progress": goal_progress(),
        "pledges": Donation.objects.filter(donor=request.user).pledged().order_by("-created_at")[:10],
        "instructions": _payment_instructions(),
    }
    return render(request, "donations/donate.html", context)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A donation and, once confirmed, its receipt. Members reach only their own."""
    donation = get_object_or_404(
        Donation.objects.visible_to(request.user).select_related("donor", "confirmed_by"), pk=pk
    )
    return render(
        request, "donations/detail.html", {"donation": donation, "instructions": _payment_instructions()}
    )


@login_required
def my_export(request: HttpRequest) -> HttpResponse:
    donations = Donation.objects.filter(donor=request.user).order_by("created_at", "pk")
    return donations_csv(donations, MEMBER_COLUMNS, "my-donations.csv")

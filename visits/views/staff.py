"""Staff pages outside the admin: the front desk and the statistics."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.home import buildings_and_home
from accounts.models import User
from coworking.decorators import staff_required
from visits import charts, presence, services, stats
from visits.exports import statistics_csv
from visits.forms import FrontDeskForm, FrontDeskSearchForm, StatisticsForm
from visits.models import Visit

SEARCH_RESULTS = 20
EXPORTS = ("days", "hours", "buildings")


@staff_required("visits.add_visit")
def front_desk(request: HttpRequest) -> HttpResponse:
    form = FrontDeskSearchForm(request.GET)
    form.is_valid()  # every field is optional; a bad building id falls back to the first
    query = form.cleaned_data.get("q", "").strip()
    building = form.cleaned_data.get("building")
    if building is None:  # the desk's own building: the staff member's home one
        buildings, home = buildings_and_home(request.user, form.fields["building"].queryset)
        building = home or next(iter(buildings), None)
        if building is not None:  # and the select shows it
            form.data = form.data.copy()
            form.data["building"] = str(building.pk)
    members = []
    if query:
        members = (
            User.objects.filter(is_active=True)
            .filter(Q(full_name__icontains=query) | Q(email__icontains=query))
            .prefetch_related(
                Prefetch("visits", Visit.objects.open().select_related("building"), to_attr="open_visits")
            )
            .order_by("full_name", "email")[:SEARCH_RESULTS]
        )
    context = {"form": form, "query": query, "building": building, "members": members}
    if request.htmx and request.htmx.target == "desk-results":
        return render(request, "visits/front_desk.html#results", context)
    context["presence"] = presence.who_is_in(request.user)
    return render(request, "visits/front_desk.html", context)


def _back_to_desk(request: HttpRequest) -> HttpResponse:
    params = {"q": request.POST.get("q", ""), "building": request.POST.get("building", "")}
    return redirect(f"{reverse('visits:front_desk')}?{urlencode(params)}")


@staff_required("visits.add_visit")
@require_POST
def desk_check_in(request: HttpRequest) -> HttpResponse:
    form = FrontDeskForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a member and a building."))
        return _back_to_desk(request)
    member = form.cleaned_data["member"]
    try:
        result = services.check_in(member, form.cleaned_data["building"], by=request.user)
    except services.VisitError as error:
        messages.error(request, error.message)
        return _back_to_desk(request)
    values = {
        "member": member,
        "building": result.visit.building,
        "time": time_format(result.visit.local_checked_in_at, "H:i"),
    }
    if result.created:
        messages.success(request, _("%(member)s is checked in at %(building)s.") % values)
    else:
        messages.info(request, _("%(member)s is already checked in at %(building)s since %(time)s.") % values)
    return _back_to_desk(request)


@staff_required("visits.change_visit")
@require_POST
def desk_check_out(request: HttpRequest) -> HttpResponse:
    form = FrontDeskForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a member."))
        return _back_to_desk(request)
    member = form.cleaned_data["member"]
    try:
        services.check_out(member, by=request.user)
    except services.VisitError as error:
        messages.warning(request, error.message)
    else:
        messages.success(request, _("%(member)s is checked out.") % {"member": member})
    return _back_to_desk(request)


@staff_required("staff.view_statistics")
def statistics(request: HttpRequest) -> HttpResponse:
    form = StatisticsForm(request.GET)
    start, end, building = form.period()
    figures = stats.compute(start, end, building)
    context = {
        "form": form,
        "stats": figures,
        "day_chart": charts.day_bars(figures.days),
        "heat_map": charts.heat_map(figures.heat),
        "query": request.GET.urlencode(),
    }
    return render(request, "visits/statistics.html", context)


@staff_required("staff.view_statistics")
def statistics_export(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in EXPORTS:
        raise Http404
    form = StatisticsForm(request.GET)
    if not form.is_valid():
        # The page shows what is wrong with the period.
        return redirect(f"{reverse('visits:statistics')}?{request.GET.urlencode()}")
    start, end, building = form.period()
    return statistics_csv(kind, stats.compute(start, end, building))

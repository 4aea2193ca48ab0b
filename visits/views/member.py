"""A member's check-in and check-out (the home card), history, CSV export and who is in."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings import times
from coworking.pager import page_of
from spaces.models import local_instant
from visits import presence, services
from visits.exports import visits_csv
from visits.forms import CheckInForm, HistoryFilterForm
from visits.models import Visit
from visits.templatetags.visits_tags import duration

HISTORY_PAGE_SIZE = 50


def _home_card(request: HttpRequest, level: int, text: str) -> HttpResponse:
    """The refreshed home card for htmx, else back home with the message."""
    if request.htmx:
        notice = {"level": messages.DEFAULT_TAGS[level], "text": text}
        return render(request, "visits/home_widget.html#widget", {"notice": notice})
    messages.add_message(request, level, text)
    return redirect("home")


@login_required
@require_POST
def check_in(request: HttpRequest) -> HttpResponse:
    form = CheckInForm(request.POST)
    if not form.is_valid():
        return _home_card(request, messages.ERROR, _("Choose one of the buildings."))
    try:
        result = services.check_in(request.user, form.cleaned_data["building"])
    except services.VisitError as error:
        return _home_card(request, messages.ERROR, error.message)
    visit = result.visit
    if result.created:
        text = _("Checked in at %(building)s. Have a good day!") % {"building": visit.building}
        level = messages.SUCCESS
    else:
        text = _("You are already checked in at %(building)s since %(time)s.") % {
            "building": visit.building,
            "time": times.clock(visit.checked_in_at, visit.building.zone),
        }
        level = messages.INFO
    if result.booking is not None:
        text = " ".join([text, _("Your booking is marked as attended.")])
    return _home_card(request, level, text)


@login_required
@require_POST
def check_out(request: HttpRequest) -> HttpResponse:
    try:
        result = services.check_out(request.user)
    except services.VisitError as error:
        return _home_card(request, messages.WARNING, error.message)
    text = _("Checked out of %(building)s after %(duration)s.") % {
        "building": result.visit.building,
        "duration": duration(result.visit.duration_minutes),
    }
    if result.points:
        text = " ".join([text, _("Karma +%(points)d.") % {"points": result.points}])
    return _home_card(request, messages.SUCCESS, text)


def _visible_visits(request: HttpRequest, form: HistoryFilterForm) -> tuple[QuerySet, Q]:
    """The visits the viewer may see, narrowed by the filters (but for the dates, which
    come back as a condition): a member's own, everyone's for staff."""
    visits = Visit.objects.all() if request.user.is_staff else Visit.objects.filter(user=request.user)
    if not form.is_valid():
        return visits, Q()
    return form.scope(visits), form.date_filter()


@login_required
def history(request: HttpRequest) -> HttpResponse:
    form = HistoryFilterForm(request.GET or None, staff=request.user.is_staff)
    visits, dates = _visible_visits(request, form)
    zone = form.zone()
    today = timezone.localdate(timezone=zone)
    week_start = local_instant(today - dt.timedelta(days=today.weekday()), dt.time(0), zone)
    month_start = local_instant(today.replace(day=1), dt.time(0), zone)
    minutes = "duration_minutes"
    totals = visits.aggregate(
        week=Coalesce(Sum(minutes, filter=Q(checked_in_at__gte=week_start)), 0),
        month=Coalesce(Sum(minutes, filter=Q(checked_in_at__gte=month_start)), 0),
        all=Coalesce(Sum(minutes), 0),
        shown=Coalesce(Sum(minutes, filter=dates), 0),
        shown_count=Count("pk", filter=dates),
    )
    shown = visits.filter(dates).select_related("building", "user").order_by("-checked_in_at", "-pk")
    page = page_of(shown, request, per_page=HISTORY_PAGE_SIZE)
    # Only the filters travel on to the export.
    query = urlencode({name: request.GET[name] for name in form.fields if request.GET.get(name)})
    context = {"form": form, "page": page, "totals": totals, "query": query}
    return render(request, "visits/history.html", context)


@login_required
def export(request: HttpRequest) -> HttpResponse:
    form = HistoryFilterForm(request.GET or None, staff=request.user.is_staff)
    if form.errors:
        # Not a file of other visits than asked for: the page says what is wrong.
        return redirect(f"{reverse('visits:history')}?{request.GET.urlencode()}")
    visits, dates = _visible_visits(request, form)
    rows = visits.filter(dates).select_related("building", "user").order_by("-checked_in_at", "-pk")
    return visits_csv(rows.iterator(chunk_size=500))


@login_required
def who_is_in(request: HttpRequest) -> HttpResponse:
    return render(request, "visits/who_is_in.html", {"presence": presence.who_is_in(request.user)})

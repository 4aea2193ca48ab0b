"""Recurring bookings: preview every occurrence, then book the free ones; a member's
series page (every occurrence, cancel one or the rest, extend it)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from bookings import services
from bookings.forms import bookable_places
from bookings.forms_series import ExtendSeriesForm, SeriesForm, series_initial
from bookings.models import Booking, BookingSeries

SERIES_PER_PAGE = 50


@login_required
def series_new(request: HttpRequest) -> HttpResponse:
    """Step 1 (preview) shows every occurrence, free or not, saving nothing; step 2
    (confirm) books the free ones, planned again inside the locks."""
    places = bookable_places()
    form = SeriesForm(request.POST or None, places=places, initial=series_initial(request.GET, places))
    occurrences = None
    if request.method == "POST" and form.is_valid():
        if "confirm" in request.POST:
            try:
                series, occurrences = services.book_series(user=request.user, **form.series_arguments())
            except services.BookingError as error:
                form.add_error("place", error.message)
            else:
                booked = sum(occurrence.booking is not None for occurrence in occurrences)
                if series is not None:
                    messages.success(
                        request,
                        _("Recurring booking made. Booked: %(booked)d, skipped: %(skipped)d.")
                        % {"booked": booked, "skipped": len(occurrences) - booked},
                    )
                    return redirect("bookings:mine")
                form.add_error(None, _("None of these dates is free any more, so nothing was booked."))
        else:
            occurrences = services.plan_series(user=request.user, **form.plan_arguments())
    context = {"form": form, "occurrences": occurrences}
    if occurrences is not None:
        free = sum(occurrence.free for occurrence in occurrences)
        context.update(
            free=free,
            skipped=len(occurrences) - free,
            place=form.resource,
            building=services.building_of(form.resource),
        )
    template = "bookings/series_new.html#planner" if request.htmx else "bookings/series_new.html"
    return render(request, template, context)


def _own_series(request: HttpRequest, pk: int) -> tuple[BookingSeries, services.SeriesShape]:
    found = services.own_series(request.user, pk)
    if found is None:
        raise Http404
    return found


def _series_page(
    request: HttpRequest,
    series: BookingSeries,
    shape: services.SeriesShape,
    extend_form: ExtendSeriesForm | None = None,
) -> HttpResponse:
    now = timezone.now()
    # A series extended again and again grows: its dates are paged.
    counts = series.bookings.aggregate(
        total=Count("pk"), upcoming=Count("pk", filter=Q(status=Booking.Status.CONFIRMED, end__gt=now))
    )
    paginator = Paginator(series.bookings.select_related("building").order_by("start", "pk"), SERIES_PER_PAGE)
    paginator.count = counts["total"]  # counted with the upcoming ones already
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    services.with_cancel_policies(page.object_list, by=request.user, now=now)
    building = services.building_of(shape.resource)
    if extend_form is None:
        extend_form = ExtendSeriesForm(building=building, last_date=shape.last_date)
    context = {
        "series": series,
        "weekdays": ", ".join(str(WEEKDAYS[int(day)]) for day in series.weekdays.split(",") if day),
        "occurrences": page.object_list,
        "page": page,
        "total": counts["total"],
        "shape": shape,
        "building": building,
        "horizon": services.horizon(building),
        "upcoming": counts["upcoming"],
        "extend_form": extend_form,
        "now": now,
    }
    return render(request, "bookings/series.html", context, status=400 if extend_form.errors else 200)


@login_required
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Every occurrence of a series with its state; cancel one or the rest, extend it."""
    return _series_page(request, *_own_series(request, pk))


@login_required
@require_POST
def series_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    series, _shape = _own_series(request, pk)
    booking = get_object_or_404(
        series.bookings.filter(user=request.user), pk=request.POST.get("booking") or 0
    )
    try:
        if request.POST.get("scope") == "following":
            count = services.cancel_series_from(booking, by=request.user)
        else:
            services.cancel_booking(booking, by=request.user)
            count = 1
    except services.BookingError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d booking of the series cancelled.",
                "%(count)d bookings of the series cancelled.",
                count,
            )
            % {"count": count},
        )
    return redirect("bookings:series", series.pk)


@login_required
@require_POST
def series_extend(request: HttpRequest, pk: int) -> HttpResponse:
    """Book the series' further dates up to a new last date, within the rules."""
    series, shape = _own_series(request, pk)
    form = ExtendSeriesForm(
        request.POST, building=services.building_of(shape.resource), last_date=shape.last_date
    )
    if not form.is_valid():
        return _series_page(request, series, shape, form)
    try:
        occurrences = services.extend_series(series, by=request.user, until=form.cleaned_data["until"])
    except services.BookingError as error:
        messages.error(request, error.message)
        return redirect("bookings:series", series.pk)
    booked = [o for o in occurrences if o.booking is not None]
    skipped = [o for o in occurrences if o.booking is None]
    if booked:
        messages.success(
            request,
            _("Series extended. Booked: %(booked)d, skipped: %(skipped)d.")
            % {"booked": len(booked), "skipped": len(skipped)},
        )
    else:
        messages.warning(request, _("None of the further dates is free, so nothing was booked."))
    if skipped:
        zone = services.building_of(shape.resource).zone
        reasons = "; ".join(
            f"{date_format(timezone.localtime(o.start, zone), 'j E')}: {o.problem.message}" for o in skipped
        )
        messages.info(request, _("Skipped: %(reasons)s") % {"reasons": reasons})
    return redirect("bookings:series", series.pk)

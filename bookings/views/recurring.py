"""Recurring bookings: preview every occurrence, then book the free ones."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bookings import services
from bookings.forms import bookable_places
from bookings.forms_series import SeriesForm, series_initial


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
            occurrences = services.plan_series(
                user=request.user,
                resource=form.resource,
                dates=form.dates,
                start_time=form.cleaned_data["start_time"],
                end_time=form.cleaned_data["end_time"],
            )
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

"""Staff pages: every booking, booking on a member's behalf, moving, cancelling with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from bookings import ics, services
from bookings.forms import bookable_places
from bookings.forms_staff import StaffBookingForm, StaffCancelForm, StaffFilterForm, StaffMoveForm
from bookings.models import Booking
from coworking.decorators import staff_required

PER_PAGE = 25


def _list_of_day(booking: Booking) -> str:
    """The staff list showing the booking's building and local day, to land on after a change."""
    query = urlencode({"building": booking.building_id, "day": booking.local_start.date().isoformat()})
    return f"{reverse('bookings:staff_list')}?{query}"


@staff_required("bookings.view_booking")
def staff_list(request: HttpRequest) -> HttpResponse:
    filters = StaffFilterForm(request.GET)
    page = Paginator(filters.bookings(), PER_PAGE).get_page(request.GET.get("page"))
    for booking in page:
        booking.place = ics.resource_label(booking)
    context = {"filters": filters, "page": page, "now": timezone.now()}
    return render(request, "bookings/staff_list.html", context)


def _limit_override(request: HttpRequest, form: StaffBookingForm) -> StaffBookingForm:
    """Only a role that may override the rules (a manager) can tick the box."""
    if not request.user.has_perm(services.OVERRIDE_PERMISSION):
        form.fields["override_rules"].disabled = True
        form.initial["override_rules"] = False
    return form


def _refused(request: HttpRequest, form: StaffBookingForm, error: services.BookingError) -> None:
    """Why the service refused, on the form; with the way out when staff may override."""
    if isinstance(error, services.SlotTaken):
        form.add_error(
            None,
            _(
                "This place is already booked for part of that time. "
                "Overlaps are refused even when the rules are overridden."
            ),
        )
        return
    form.add_error(None, error.message)
    if error.overridable and request.user.has_perm(services.OVERRIDE_PERMISSION):
        form.add_error(None, _("Tick “Override the booking rules” to book anyway."))


@staff_required("bookings.add_booking")
def staff_new(request: HttpRequest) -> HttpResponse:
    form = StaffBookingForm(
        request.POST or None, places=bookable_places(), initial={"member": request.GET.get("member")}
    )
    _limit_override(request, form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booking = services.create_booking(
                user=data["member"],
                resource=form.resource,
                start=form.start,
                end=form.end,
                by=request.user,
                override_rules=data["override_rules"],
            )
        except services.BookingError as error:
            _refused(request, form, error)
        else:
            messages.success(
                request,
                _("Booked for %(member)s: %(place)s.")
                % {"place": ics.resource_label(booking), "member": data["member"].full_name},
            )
            return redirect(_list_of_day(booking))
    return render(request, "bookings/staff_new.html", {"form": form})


@staff_required("bookings.change_booking")
def staff_move(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(
        Booking.objects.select_related("user", "building", "desk__room", "room"), pk=pk
    )
    form = StaffMoveForm(
        request.POST or None, places=bookable_places(), initial=StaffMoveForm.initial_for(booking)
    )
    _limit_override(request, form)
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.reschedule_booking(
                booking,
                start=form.start,
                end=form.end,
                resource=form.resource,
                by=request.user,
                override_rules=form.cleaned_data["override_rules"],
            )
        except services.BookingError as error:
            _refused(request, form, error)
        else:
            messages.success(
                request,
                _("The booking is moved; %(member)s has been sent the new time by email.")
                % {"member": booking.user.full_name or booking.user.email},
            )
            return redirect(_list_of_day(booking))
    booking.place = ics.resource_label(booking)
    return render(request, "bookings/staff_move.html", {"booking": booking, "form": form})


@staff_required("bookings.change_booking")
def staff_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(
        Booking.objects.select_related("user", "building", "desk__room", "room"), pk=pk
    )
    form = StaffCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_booking(booking, by=request.user, reason=form.cleaned_data["reason"])
        except services.BookingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("The booking is cancelled; %(member)s has been sent the reason by email.")
                % {"member": booking.user.full_name or booking.user.email},
            )
            return redirect(_list_of_day(booking))
    booking.place = ics.resource_label(booking)
    return render(request, "bookings/staff_cancel.html", {"booking": booking, "form": form})

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
from bookings.forms import bookable_places, slot_initial
from bookings.forms_staff import StaffBookingForm, StaffCancelForm, StaffFilterForm, StaffMoveForm
from bookings.models import Booking
from bookings.times import clock
from coworking.decorators import staff_required
from spaces.models import Desk

# The htmx targets of the booking forms: the member search's matches, the free places.
FRAGMENTS = {
    "member-results": "bookings/staff_new.html#member-results",
    "place-field": "bookings/staff_place_fields.html#place-field",
}

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


def _form_initial(query, names: list[str]) -> dict:
    """The form's values from a GET: a search without JavaScript, an htmx refresh, a link."""
    return {name: query[name] for name in names if query.get(name)}


def _fragment(request: HttpRequest) -> str | None:
    """The partial an htmx request asks for by its target, if any."""
    if request.htmx and not request.htmx.history_restore_request:
        return FRAGMENTS.get(request.htmx.target)
    return None


def _holders(form: StaffBookingForm, moving: Booking | None) -> list[Booking]:
    """The active bookings holding the place for part of the chosen time: staff may see who."""
    kind = "desk" if isinstance(form.resource, Desk) else "room"
    bookings = Booking.objects.active().filter(**{kind: form.resource}).overlapping(form.start, form.end)
    if moving is not None:
        bookings = bookings.exclude(pk=moving.pk)
    return list(bookings.select_related("user", "building").order_by("start"))


def _alternatives(form: StaffBookingForm, error: services.SlotTaken) -> list[tuple]:
    """The member flow's alternatives (services.nearest_alternatives, carried by SlotTaken),
    each with the form values that book it in one click."""
    offers = []
    for alternative in error.alternatives:
        values = slot_initial(alternative.resource, alternative.start, alternative.end)
        fields = {
            "place": values["place"],
            "day": values["date"].isoformat(),
            "start_time": values["start_time"].strftime("%H:%M"),
            "end_time": values["end_time"].strftime("%H:%M"),
        }
        if "member" in form.cleaned_data:
            fields["member"] = form.cleaned_data["member"].pk
        offers.append((alternative, fields))
    return offers


def _refused(
    request: HttpRequest, form: StaffBookingForm, error: services.BookingError, moving: Booking | None = None
) -> dict:
    """Why the service refused, on the form; with the way out when staff may override.
    A taken place is answered with who holds it and the alternatives members are offered."""
    if isinstance(error, services.SlotTaken):
        holders = _holders(form, moving)
        names = ", ".join(
            _("%(member)s (%(start)s–%(end)s)")
            % {
                "member": booking.user.full_name or booking.user.email,
                "start": clock(booking.start, booking.building.zone),
                "end": clock(booking.end, booking.building.zone),
            }
            for booking in holders
        )
        message = _(
            "This place is already booked for part of that time by %(holders)s. "
            "Overlaps are refused even when the rules are overridden."
        )
        form.add_error(None, message % {"holders": names})
        building = services.building_of(form.resource)
        return {"alternatives": _alternatives(form, error), "building": building, "taken": True}
    form.add_error(None, error.message)
    if error.overridable and request.user.has_perm(services.OVERRIDE_PERMISSION):
        form.add_error(None, _("Tick “Override the booking rules” to book anyway."))
    return {}


@staff_required("bookings.add_booking")
def staff_new(request: HttpRequest) -> HttpResponse:
    # "Find" (the member search without JavaScript) posts the form to search, not to book.
    searching = "find" in request.POST
    initial = _form_initial(request.POST if searching else request.GET, [*StaffBookingForm.base_fields])
    data = None if searching else request.POST or None
    form = StaffBookingForm(data, places=bookable_places(), initial=initial)
    _limit_override(request, form)
    context = {"form": form}
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
            context.update(_refused(request, form, error))
        else:
            messages.success(
                request,
                _("Booked for %(member)s: %(place)s.")
                % {"place": ics.resource_label(booking), "member": data["member"].full_name},
            )
            return redirect(_list_of_day(booking))
    return render(request, _fragment(request) or "bookings/staff_new.html", context)


@staff_required("bookings.change_booking")
def staff_move(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(
        Booking.objects.select_related("user", "building", "desk__room", "room"), pk=pk
    )
    initial = {
        **StaffMoveForm.initial_for(booking),
        **_form_initial(request.GET, [*StaffMoveForm.base_fields]),
    }
    form = StaffMoveForm(request.POST or None, places=bookable_places(), initial=initial, moving=booking)
    _limit_override(request, form)
    context = {"booking": booking, "form": form}
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
            context.update(_refused(request, form, error, moving=booking))
        else:
            messages.success(
                request,
                _("The booking is moved; %(member)s has been sent the new time by email.")
                % {"member": booking.user.full_name or booking.user.email},
            )
            return redirect(_list_of_day(booking))
    booking.place = ics.resource_label(booking)
    return render(request, _fragment(request) or "bookings/staff_move.html", context)


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

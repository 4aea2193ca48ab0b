"""Check-in by QR code: the page a desk's or room's code opens, and the staff's QR sheet."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from bookings import times
from bookings.grid import new_booking_url, place_label
from bookings.services import Alternative, building_of
from coworking.decorators import staff_required
from spaces.models import Building, Desk, Room
from spaces.sorting import natural_key
from visits import scan as scanning
from visits.models import PlaceCode
from visits.qr import qr_svg


@login_required
def scan(request: HttpRequest, token: str) -> HttpResponse:
    """What the place is to the member now; a POST (sent by the page itself as soon as it
    loads, or by its button without JavaScript) checks them in. A GET changes nothing, so a
    link prefetched or planted elsewhere books nothing."""
    code = scanning.find_code(token)
    if code is None:
        return render(request, "visits/scan_unknown.html", status=404)
    error = ""
    if request.method == "POST":
        try:
            result = scanning.scan(request.user, code)
        except scanning.ScanError as failure:
            error = failure.message
        else:
            messages.success(request, _success_text(result))
            return redirect("scan", token)
    current = scanning.place_now(request.user, code)
    acts = current.state in (scanning.State.OWN, scanning.State.FREE)
    context = {
        "now": current,
        "error": error,
        "autosubmit": acts and not error,
        "alternatives": [_offer(alternative) for alternative in current.alternatives],
    }
    return render(request, "visits/scan.html", context, status=409 if error else 200)


def _offer(alternative: Alternative) -> dict:
    """A free place instead, linked to the booking form with its times filled in."""
    place = alternative.resource
    return {
        "name": place_label(place),
        "hours": times.clock_range(alternative.start, alternative.end, building_of(place).zone),
        "url": new_booking_url(place, alternative.start, alternative.end),
    }


def _success_text(result: scanning.Scan) -> str:
    booking = result.booking
    until = times.clock(booking.end, booking.building.zone)
    place = place_label(booking.resource)
    if result.booked:
        return _("%(place)s is yours until %(time)s, and you are checked in.") % {
            "place": place,
            "time": until,
        }
    return _("You are checked in at %(place)s, booked until %(time)s.") % {"place": place, "time": until}


@staff_required("spaces.view_building")
def qr_sheet(request: HttpRequest, building_id: int) -> HttpResponse:
    """One QR code per desk and bookable room of a building, to print on A4 and stick on."""
    building = get_object_or_404(Building, pk=building_id)
    desks = sorted(
        Desk.objects.active()
        .filter(room__building=building, room__is_active=True, room__kind=Room.Kind.OPEN_SPACE)
        .select_related("room"),
        key=lambda desk: (desk.room.floor, natural_key(desk.room.name), natural_key(desk.label)),
    )
    rooms = sorted(
        Room.objects.active().filter(building=building).exclude(kind=Room.Kind.OPEN_SPACE),
        key=lambda room: (room.floor, natural_key(room.name)),
    )
    codes = PlaceCode.objects.for_places(desks, rooms)
    cards = []
    for kind, place in [("desk", desk) for desk in desks] + [("room", room) for room in rooms]:
        code = codes[(kind, place.pk)]
        url = request.build_absolute_uri(reverse("scan", args=[code.token]))
        name = place_label(place)
        cards.append({"place": place, "name": name, "url": url, "svg": qr_svg(url, name)})
    return render(request, "visits/qr_sheet.html", {"building": building, "cards": cards})

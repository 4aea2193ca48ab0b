"""Member pages: find a free place, the day grid of a building, book a place.

The member's own bookings and the calendar feed live in bookings.views.mine and are
re-exported here, where bookings.urls looks for every member view.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from itertools import groupby
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from accounts.home import buildings_and_home
from bookings import services
from bookings.forms import (
    BookablePlaces,
    BookingForm,
    FindForm,
    bookable_places,
    initial_from_query,
    slot_post_data,
)
from bookings.grid import day_grid, next_slot, slot_problems, utc_param
from bookings.kept import FIND_PLACES, Kept, kept_table
from bookings.models import Booking
from bookings.services.availability import desks_with_holders
from bookings.times import clock
from bookings.views.mine import cancel, detail, feed, feed_settings, ics, mine, release, repeat_last_week
from bookings.week import week_of
from coworking.validators import validate_sensible_date
from spaces.models import Amenity, Building, Desk, Room
from spaces.plans import has_plans
from spaces.sorting import natural_key, naturally

__all__ = [
    "cancel",
    "day",
    "day_home",
    "desk_week",
    "detail",
    "feed",
    "feed_settings",
    "find",
    "ics",
    "mine",
    "new",
    "release",
    "repeat_last_week",
    "room_week",
]


def _fragment(request: HttpRequest, template: str, name: str) -> str:
    """The partial for an htmx swap; the whole page otherwise (and for a history restore)."""
    if request.htmx and not request.htmx.history_restore_request:
        return f"{template}#{name}"
    return template


def _search_defaults(building: Building, rules: services.Rules) -> dict:
    """The next open hour of the building: what a member most often looks for."""
    start = next_slot(building, timezone.now(), rules.slot_minutes)
    if start is None:
        return {
            "building": building.pk,
            "date": building.local_today(),
            "start_time": "09:00",
            "end_time": "10:00",
        }
    closes = building.open_interval(start.date())[1]
    end = min(start.astimezone(dt.UTC) + dt.timedelta(hours=1), closes).astimezone(building.zone)
    return {
        "building": building.pk,
        "date": start.date(),
        "start_time": start.strftime("%H:%M"),
        "end_time": end.strftime("%H:%M"),
    }


@login_required
@vary_on_headers("HX-Request")
def find(request: HttpRequest) -> HttpResponse:
    buildings, home = buildings_and_home(
        request.user,
        Building.objects.active().select_related("booking_rules").prefetch_related("opening_hours"),
    )
    if not buildings:
        return render(request, "bookings/find.html", {"form": None})
    # A building's rules, read once for the default search and the search's checks.
    rules_of = cache(services.rules_for)
    if "date" in request.GET:
        data = request.GET
    else:
        asked = next((b for b in buildings if str(b.pk) == request.GET.get("building")), None)
        building = asked or home or buildings[0]
        data = _search_defaults(building, rules_of(building))
    form = FindForm(data, buildings=buildings, amenities=list(Amenity.objects.all()))
    context = {"form": form, "problems": []}
    if form.is_valid():
        search = form.cleaned_data
        start, end = search["start"], search["end"]
        context.update(building=search["building"], start=start, end=end)
        context["problems"] = slot_problems(
            request.user, search["building"], start, end, rules_of(search["building"])
        )
        if not context["problems"]:
            # Desks the member may not add are not offered; the page says which they hold.
            context["desk_limit"] = services.desk_limit_problem(request.user, search["building"], start, end)
            context["places"] = _found_places(request, search, context, show_desks=not context["desk_limit"])
    return render(request, _fragment(request, "bookings/find.html", "results"), context)


def _found_places(request: HttpRequest, search: dict, context: dict, *, show_desks: bool) -> SafeString:
    """The cards of the places free for a search, kept (bookings.kept) per building
    version, search and language: they are the same for every member. When they are
    rendered, what they show is added to `context` too."""
    building, start, end = search["building"], search["start"], search["end"]
    kinds = search["kinds"] or Room.Kind.values
    show_desks = show_desks and Room.Kind.OPEN_SPACE in kinds and (search["min_capacity"] or 1) <= 1
    amenities = search["amenities"]
    parts = (
        "find",
        building.pk,
        building.version,
        utc_param(start),
        utc_param(end),
        ",".join(sorted(kinds)),
        ",".join(sorted(str(amenity.pk) for amenity in amenities)),
        search["min_capacity"] or 0,
        show_desks,
    )

    def render() -> Kept:
        # Whole rooms free for all of it; desks free or taken (until when), so a full
        # open space shows as full rather than vanishing.
        whole_kinds = [kind for kind in kinds if kind != Room.Kind.OPEN_SPACE]
        rooms = []
        if whole_kinds:
            _none, rooms = services.available(
                building,
                start,
                end,
                kinds=whole_kinds,
                amenities=amenities,
                min_capacity=search["min_capacity"],
            )
        desks = desks_with_holders(building, start, end, amenities=amenities) if show_desks else []
        # Each open space with all its desks (the page's cards) and with its free ones.
        cards = sorted(
            (
                (room, sorted(group, key=lambda desk: natural_key(desk.label)))
                for room, group in groupby(desks, key=lambda desk: desk.room)
            ),
            key=lambda pair: (pair[0].floor, natural_key(pair[0].name)),
        )
        rooms = sorted(rooms, key=lambda room: (room.floor, natural_key(room.name)))
        found = {
            "desk_cards": [
                (room, all_desks, sum(desk.taken_until is None for desk in all_desks))
                for room, all_desks in cards
            ],
            "desk_groups": [
                (room, free)
                for room, all_desks in cards
                if (free := [desk for desk in all_desks if desk.taken_until is None])
            ],
            "rooms": rooms,
            # Each room's amenities read here once: the template would build a manager per room.
            "room_cards": [(room, list(room.amenities.all())) for room in rooms],
        }
        context.update(found)
        html = render_to_string(
            "bookings/find_places.html",
            {
                **found,
                "building": building,
                # The booking links' common parts, built once rather than once per place.
                "new_url": reverse("bookings:new"),
                "slot_query": urlencode({"start": utc_param(start), "end": utc_param(end)}, safe=":"),
            },
        )
        # Whether the page has floor plans to show (bookings/floor_plan.html asks for them).
        return Kept(html, holders=frozenset(), mine=0, facts=(has_plans(building),))

    kept = kept_table(FIND_PLACES, parts, request.user, render)
    (context["has_plans"],) = kept.facts
    return kept.html


def _requested_day(request: HttpRequest, building: Building) -> tuple[dt.date, str]:
    """The day asked for by ?date=, else the building's today (with why, when it was bad)."""
    today = building.local_today()
    if not request.GET.get("date"):
        return today, ""
    try:
        day = dt.date.fromisoformat(request.GET["date"])
        validate_sensible_date(day)
    except (ValueError, ValidationError):
        return today, _("“%(value)s” is not a date; showing today.") % {"value": request.GET["date"]}
    return day, ""


@login_required
@vary_on_headers("HX-Request")
def day(request: HttpRequest, building_id: int) -> HttpResponse:
    # One list serves the tabs and the building shown, with its rules (the grid reads its
    # opening hours only when the day's slots are not kept).
    buildings = naturally(Building.objects.active().select_related("booking_rules"))
    building = next((building for building in buildings if building.pk == building_id), None)
    if building is None:
        raise Http404
    day, date_error = _requested_day(request, building)
    context = {
        "grid": day_grid(building, day, request.user),
        "buildings": buildings,
        "date_error": date_error,
    }
    return render(request, _fragment(request, "bookings/day.html", "grid"), context)


@login_required
def day_home(request: HttpRequest) -> HttpResponse:
    """The day view of the member's home building (the date asked for kept; "tomorrow"
    is the building's)."""
    buildings, home = buildings_and_home(request.user, Building.objects.active())
    if not buildings:
        raise Http404
    building = home or buildings[0]
    url = reverse("bookings:day", args=[building.pk])
    date = request.GET.get("date", "")
    if date == "tomorrow":  # the home page's link: tomorrow where the building is
        date = (building.local_today() + dt.timedelta(days=1)).isoformat()
    return redirect(f"{url}?{urlencode({'date': date})}" if date else url)


def _week(request: HttpRequest, place: Desk | Room, building: Building) -> HttpResponse:
    day, date_error = _requested_day(request, building)
    context = {"week": week_of(place, building, day, request.user), "date_error": date_error}
    return render(request, _fragment(request, "bookings/week.html", "week"), context)


@login_required
@vary_on_headers("HX-Request")
def room_week(request: HttpRequest, pk: int) -> HttpResponse:
    """A room booked whole, Monday to Sunday: what members check before booking it."""
    # The building's rules and opening hours are read only when the week's slots are not kept.
    rooms = (
        Room.objects.active()
        .filter(building__is_active=True)
        .exclude(kind=Room.Kind.OPEN_SPACE)
        .select_related("building")
    )
    room = get_object_or_404(rooms, pk=pk)
    return _week(request, room, room.building)


@login_required
@vary_on_headers("HX-Request")
def desk_week(request: HttpRequest, pk: int) -> HttpResponse:
    desks = (
        Desk.objects.active()
        .filter(room__is_active=True, room__building__is_active=True)
        .select_related("room__building")
    )
    desk = get_object_or_404(desks, pk=pk)
    return _week(request, desk, desk.room.building)


def _held(user, place: Desk | Room, start: dt.datetime, end: dt.datetime) -> Booking | None:
    """The member's active booking of exactly this place and time, if there is one."""
    kind = "desk" if isinstance(place, Desk) else "room"
    return Booking.objects.active().filter(user=user, start=start, end=end, **{kind: place}).first()


def _taken(
    request: HttpRequest, place: Desk | Room, start: dt.datetime, taken: services.SlotTaken
) -> HttpResponse:
    """Someone else took the slot first: the nearest free alternatives, one click each."""
    alternatives = [(alt, slot_post_data(alt.resource, alt.start, alt.end)) for alt in taken.alternatives]
    context = {
        "place": place,
        "building": services.building_of(place),
        "start": start,
        "alternatives": alternatives,
    }
    if request.htmx:
        # htmx swaps no 4xx answer by default: the page's content replaces the form page's.
        response = render(request, "bookings/taken.html#taken", context)
        return reswap(retarget(response, "#main"), "innerHTML show:window:top")
    return render(request, "bookings/taken.html", context, status=409)


def _to_booking(request: HttpRequest, booking: Booking) -> HttpResponse:
    """Go to the booking's page, by an htmx client redirect when htmx posted."""
    url = reverse("bookings:detail", args=[booking.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@login_required
def new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        # A post reads the place it names; every place only if the form is shown again.
        form = BookingForm(request.POST, places=BookablePlaces())
    else:
        places = bookable_places()
        form = BookingForm(places=places, initial=initial_from_query(request.GET, places))
    if request.method == "POST" and form.is_valid():
        place, start, end = form.cleaned_data["place"], form.cleaned_data["start"], form.cleaned_data["end"]
        try:
            booking = services.create_booking(user=request.user, resource=place, start=start, end=end)
        except services.BookingError as error:
            # A second tap on "Book" finds the slot taken (or the quota used) by the
            # first one: show the booking it made rather than a refusal.
            held = _held(request.user, place, start, end)
            if held is not None:
                messages.info(request, _("You have already booked this place for this time."))
                return _to_booking(request, held)
            if isinstance(error, services.SlotTaken):
                return _taken(request, place, start, error)
            form.add_error(None, error.message)
        else:
            zone = booking.building.zone
            messages.success(
                request,
                _("Booked for %(day)s at %(time)s. The confirmation is on its way to your email.")
                % {"day": date_format(booking.local_start, "j E"), "time": clock(booking.start, zone)},
            )
            return _to_booking(request, booking)
    template = _fragment(request, "bookings/new.html", "booking-form")
    return render(request, template, {"form": form, "place": form.chosen_place})

"""Staff forms: the bookings list's filters, booking on a member's behalf, cancelling with a reason."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from bookings.forms import DateInput, grouped_choices, place_key
from bookings.forms_series import PlaceTimesForm
from bookings.models import Booking
from bookings.services import Resource, building_of
from coworking.validators import validate_sensible_date
from spaces.models import Building, end_day, local_instant

MEMBER_RESULTS = 20


def find_members(query: str) -> QuerySet[User]:
    """Active members whose name or email contains `query` in any case of any alphabet
    ("мар" finds "Ёлкина Мария"): PostgreSQL's UPPER() folds Cyrillic, and accounts.search
    gives SQLite a LIKE that does too. Ё and Е count as one letter, as Russian writes them."""
    query = _without_yo(query.strip())
    name = Replace(Replace("full_name", Value("ё"), Value("е")), Value("Ё"), Value("Е"))
    return (
        User.objects.filter(is_active=True)
        .alias(name_key=name)
        .filter(Q(name_key__icontains=query) | Q(email__icontains=query))
        .order_by("full_name", "email")
    )


def _without_yo(text: str) -> str:
    return text.replace("ё", "е").replace("Ё", "Е")


def member_label(member: User) -> str:
    return f"{member.full_name} · {member.email}" if member.full_name else member.email


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return member_label(obj)


def free_places(
    places: dict[str, Resource],
    day: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    moving: Booking | None = None,
) -> dict[str, Resource]:
    """The places with no active booking meeting [start, end) of `day`, the times read in
    each place's building zone (one query, whatever the number of places). A booking being
    moved holds nothing: it leaves its place."""
    windows = {}
    for key, place in places.items():
        zone = building_of(place).zone
        windows[key] = (
            local_instant(day, start_time, zone),
            local_instant(end_day(day, end_time), end_time, zone),
        )
    if not windows:
        return {}
    earliest = min(start for start, _end in windows.values())
    latest = max(end for _start, end in windows.values())
    taken: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
    held = Booking.objects.active().overlapping(earliest, latest)
    if moving is not None:
        held = held.exclude(pk=moving.pk)
    held = held.values_list("desk_id", "room_id", "start", "end")
    for desk_id, room_id, start, end in held:
        key = f"desk-{desk_id}" if desk_id else f"room-{room_id}"
        taken.setdefault(key, []).append((start, end))
    return {
        key: place
        for key, place in places.items()
        if not any(s < windows[key][1] and e > windows[key][0] for s, e in taken.get(key, ()))
    }


class StaffBookingForm(PlaceTimesForm):
    """Booking on a member's behalf. The member is picked from a search (`member_query`):
    only the matches and the member already chosen are offered; the places offered are
    those free at the chosen time (any bookable place is still accepted, so that a taken
    one is answered with who holds it)."""

    member_query = forms.CharField(
        label=_("Find a member"),
        required=False,
        max_length=150,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name or email"), "autocomplete": "off"}
        ),
    )
    member = MemberChoiceField(
        label=_("Member"),
        queryset=User.objects.filter(is_active=True),
        widget=forms.RadioSelect,
        error_messages={"required": _("Find the member and choose them.")},
    )
    day = forms.DateField(label=_("Date"), widget=DateInput, validators=[validate_sensible_date])
    override_rules = forms.BooleanField(
        label=_("Override the booking rules"),
        required=False,
        help_text=_(
            "Book outside opening hours, the booking window, the duration limits or the member's quota. "
            "Recorded on the booking. Overlaps are refused even so."
        ),
    )

    field_order = ["member_query", "member", "day", "start_time", "end_time", "place", "override_rules"]

    def __init__(self, *args, moving: Booking | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.moving = moving
        self.free_count: int | None = None
        self._offer_free_places()
        if "member" in self.fields:
            self._offer_members()

    def _raw(self, name: str):
        """What the field holds now: the posted value, else the initial one, as Python."""
        field = self.fields[name]
        value = self[name].value()
        try:
            return field.clean(value) if isinstance(value, str) else value
        except ValidationError:
            return None

    def _offer_members(self) -> None:
        query = (self._raw("member_query") or "").strip()
        chosen = self._raw("member")
        matches = list(find_members(query)[:MEMBER_RESULTS]) if query else []
        if chosen is not None:
            matches = [chosen, *(m for m in matches if m.pk != chosen.pk)]
        self.member_matches = matches
        self.member_search = query
        self.fields["member"].widget.choices = [(m.pk, member_label(m)) for m in matches]

    def _offer_free_places(self) -> None:
        """Offer only the places free at the chosen day and times, and the one already
        chosen even when taken (the answer to booking it names who holds it)."""
        day, start_time, end_time = (self._raw(name) for name in ("day", "start_time", "end_time"))
        if not (day and start_time and end_time) or (end_time <= start_time and end_time != dt.time(0)):
            return
        free = free_places(self.places, day, start_time, end_time, moving=self.moving)
        self.free_count = len(free)
        chosen = self["place"].value()
        if chosen in self.places and chosen not in free:
            free[chosen] = self.places[chosen]
        self.fields["place"].widget.choices = [
            ("", _("Choose a desk or a room")),
            *grouped_choices(place for key, place in self.places.items() if key in free),
        ]

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors:
            self.check_times_exist([data["day"]])
        return data

    @property
    def start(self) -> dt.datetime:
        return local_instant(self.cleaned_data["day"], self.cleaned_data["start_time"], self.zone)

    @property
    def end(self) -> dt.datetime:
        day, end_time = self.cleaned_data["day"], self.cleaned_data["end_time"]
        return local_instant(end_day(day, end_time), end_time, self.zone)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return building_of(self.resource).zone


class StaffMoveForm(StaffBookingForm):
    """Move a booking: its place, day and times, as when booking for a member."""

    field_order = ["place", "day", "start_time", "end_time", "override_rules"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["member"], self.fields["member_query"]

    @staticmethod
    def initial_for(booking: Booking) -> dict:
        start, end = booking.local_start, booking.local_end
        return {
            "place": place_key(booking.resource),
            "day": start.date(),
            "start_time": start.time(),
            "end_time": end.time(),
            "override_rules": booking.rules_overridden,
        }


class StaffCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The member receives it by email."),
        error_messages={"required": _("Give the member a reason for the cancellation.")},
    )


class StaffFilterForm(forms.Form):
    """The bookings list's filters; an invalid value is reported and that filter ignored."""

    building = forms.ModelChoiceField(
        label=_("Building"), queryset=Building.objects.order_by("name"), required=False, empty_label=_("All")
    )
    day = forms.DateField(
        label=_("Day"), required=False, widget=DateInput, validators=[validate_sensible_date]
    )
    member = forms.CharField(
        label=_("Member"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"placeholder": _("Name or email"), "type": "search"}),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *Booking.Status.choices]
    )

    def bookings(self, now: dt.datetime | None = None) -> QuerySet[Booking]:
        self.is_valid()
        data = self.cleaned_data
        bookings = Booking.objects.select_related("user", "building", "desk__room", "room")
        building, day = data.get("building"), data.get("day")
        if building:
            bookings = bookings.filter(building=building)
        if day:
            # The building's local day; across buildings, the space's default zone.
            zone = building.zone if building else zoneinfo.ZoneInfo(settings.TIME_ZONE)
            start = local_instant(day, dt.time(0), zone)
            end = local_instant(day + dt.timedelta(days=1), dt.time(0), zone)
            bookings = bookings.overlapping(start, end)
        else:
            bookings = bookings.filter(end__gt=now or timezone.now())
        if data.get("member"):
            query = data["member"].strip()
            bookings = bookings.filter(Q(user__full_name__icontains=query) | Q(user__email__icontains=query))
        if data.get("status"):
            bookings = bookings.filter(status=data["status"])
        return bookings.order_by("start", "pk")

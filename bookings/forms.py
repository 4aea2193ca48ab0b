"""Member forms: find a place, book one.

Dates and times are typed in the building's local time. A wall-clock time the clocks
skip (the spring DST gap) is refused rather than silently moved; the repeated autumn
hour means its first pass unless the form says "later" (set by the day grid's links).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from bookings.grid import natural_key, place_key
from bookings.services import building_of
from coworking.validators import EARLIEST_DATE, LATEST_DATE, validate_sensible_date
from spaces.models import Amenity, Building, Desk, Room, end_day, local_instant

MIDNIGHT = dt.time(0)


def local_moment(day: dt.date, time: dt.time, zone: zoneinfo.ZoneInfo, later: bool = False) -> dt.datetime:
    """The instant of a local date and time, or ValidationError if the clocks skip it."""
    instant = local_instant(day, time, zone)
    if (instant.date(), instant.time()) != (day, time):
        raise forms.ValidationError(
            _(
                "%(time)s does not exist on %(date)s in %(zone)s: the clocks go forward at that "
                "hour. Choose a time before or after it."
            )
            % {"time": time.strftime("%H:%M"), "date": date_format(day, "j E"), "zone": zone.key}
        )
    if later:
        second = dt.datetime.combine(day, time).replace(tzinfo=zone, fold=1)
        instant = second.astimezone(dt.UTC).astimezone(zone)
    return instant


def local_slot(
    day: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    zone: zoneinfo.ZoneInfo,
    start_later: bool = False,
    end_later: bool = False,
) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a local date; an end at 00:00 is midnight at the end of the day."""
    start = local_moment(day, start_time, zone, start_later)
    end = local_moment(end_day(day, end_time), end_time, zone, end_later)
    # By timestamp: Python compares datetimes sharing a zone by wall clock, ignoring
    # fold, which would refuse 02:30–02:00 in the repeated autumn hour.
    if end.timestamp() <= start.timestamp():
        raise forms.ValidationError(_("The end must be after the start."))
    return start, end


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__({"step": 60 * 15, **(attrs or {})}, format="%H:%M")


class FindForm(forms.Form):
    building = forms.ChoiceField(label=_("Building"))
    date = forms.DateField(label=_("Date"), widget=DateInput, validators=[validate_sensible_date])
    start_time = forms.TimeField(label=_("From"), widget=TimeInput)
    end_time = forms.TimeField(label=_("To"), widget=TimeInput, help_text=_("00:00 means midnight."))
    kinds = forms.MultipleChoiceField(
        label=_("Kind of place"),
        choices=Room.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    amenities = forms.MultipleChoiceField(
        label=_("Amenities"), required=False, widget=forms.CheckboxSelectMultiple
    )
    min_capacity = forms.IntegerField(label=_("People"), min_value=1, max_value=500, required=False)

    def __init__(self, *args, buildings: list[Building], amenities: list[Amenity], **kwargs):
        super().__init__(*args, **kwargs)
        # The view loads buildings and amenities once; choices and cleaning reuse them.
        self.buildings = {str(b.pk): b for b in buildings}
        self.amenities = {str(a.pk): a for a in amenities}
        self.fields["building"].choices = [(key, b.name) for key, b in self.buildings.items()]
        self.fields["amenities"].choices = [(key, a.name) for key, a in self.amenities.items()]
        self.fields["min_capacity"].widget.attrs.update(placeholder="1")

    def clean_building(self) -> Building:
        return self.buildings[self.cleaned_data["building"]]

    def clean_amenities(self) -> list[Amenity]:
        return [self.amenities[key] for key in self.cleaned_data["amenities"]]

    def clean(self) -> dict:
        data = super().clean()
        if {"building", "date", "start_time", "end_time"} <= data.keys():
            zone = data["building"].zone
            try:
                data["start"], data["end"] = local_slot(
                    data["date"], data["start_time"], data["end_time"], zone
                )
            except forms.ValidationError as error:
                self.add_error(None, error)
        return data


class BookingForm(forms.Form):
    """Book one desk or whole room for a slot of one local day."""

    place = forms.ChoiceField(label=_("Place"))
    date = forms.DateField(label=_("Date"), widget=DateInput, validators=[validate_sensible_date])
    start_time = forms.TimeField(label=_("From"), widget=TimeInput)
    end_time = forms.TimeField(label=_("To"), widget=TimeInput, help_text=_("00:00 means midnight."))
    # The second pass of a repeated autumn hour, carried from the day grid's link.
    start_later = forms.BooleanField(required=False, widget=forms.HiddenInput)
    end_later = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, places: dict[str, Desk | Room], **kwargs):
        super().__init__(*args, **kwargs)
        self.places = places
        self.fields["place"].choices = [
            ("", _("Choose a desk or a room")),
            *grouped_choices(places.values()),
        ]

    @property
    def chosen_place(self) -> Desk | Room | None:
        """The chosen place, to describe it next to the form (None if unknown)."""
        key = self.data.get("place") if self.is_bound else self.initial.get("place")
        return self.places.get(key or "")

    def clean_place(self) -> Desk | Room:
        return self.places[self.cleaned_data["place"]]

    def clean(self) -> dict:
        data = super().clean()
        if {"place", "date", "start_time", "end_time"} <= data.keys():
            zone = building_of(data["place"]).zone
            try:
                data["start"], data["end"] = local_slot(
                    data["date"],
                    data["start_time"],
                    data["end_time"],
                    zone,
                    data.get("start_later", False),
                    data.get("end_later", False),
                )
            except forms.ValidationError as error:
                self.add_error(None, error)
        return data


def slot_initial(place: Desk | Room, start: dt.datetime, end: dt.datetime) -> dict:
    """The BookingForm values that book `place` for [start, end), as the form takes them."""
    zone = building_of(place).zone
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    return {
        "place": place_key(place),
        "date": local_start.date(),
        "start_time": local_start.time().replace(tzinfo=None),
        "end_time": local_end.time().replace(tzinfo=None),
        "start_later": bool(local_start.fold),
        "end_later": bool(local_end.fold),
    }


def slot_post_data(place: Desk | Room, start: dt.datetime, end: dt.datetime) -> dict[str, str]:
    """The same values as a form post, for a one-click "book this instead" button."""
    values = slot_initial(place, start, end)
    data = {
        "place": values["place"],
        "date": values["date"].isoformat(),
        "start_time": values["start_time"].strftime("%H:%M"),
        "end_time": values["end_time"].strftime("%H:%M"),
    }
    data.update({name: "on" for name in ("start_later", "end_later") if values[name]})
    return data


def initial_from_query(query, places: dict[str, Desk | Room]) -> dict:
    """Prefill from a link: ?desk=12 or ?room=5, with start and end as ISO instants."""
    kind = "desk" if query.get("desk") else "room"
    place = places.get(f"{kind}-{query.get(kind, '')}")
    if place is None:
        return {}
    start, end = _instant(query.get("start")), _instant(query.get("end"))
    if start is None or end is None or end <= start:
        return {"place": place_key(place), "date": building_of(place).local_today()}
    return slot_initial(place, start, end)


def _instant(value: str | None) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value or "")
    except ValueError:
        return None
    if moment.tzinfo is None or not EARLIEST_DATE <= moment.date() <= LATEST_DATE:
        return None
    return moment


def grouped_choices(places: Iterable[Desk | Room]) -> list[tuple[str, list[tuple[str, str]]]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for place in places:
        if isinstance(place, Desk):
            group = f"{place.room.building.name} · {place.room.name}"
            label = _("Desk %(label)s") % {"label": place.label}
        else:
            group = f"{place.building.name} · {_('Meeting rooms and offices')}"
            label = _("%(name)s (up to %(capacity)s people)") % {
                "name": place.name,
                "capacity": place.capacity,
            }
        groups.setdefault(group, []).append((place_key(place), str(label)))
    return list(groups.items())


def bookable_places() -> dict[str, Desk | Room]:
    """Every active desk and whole room of the active buildings (two queries)."""
    desks = list(
        Desk.objects.active()
        .filter(room__is_active=True, room__building__is_active=True, room__kind=Room.Kind.OPEN_SPACE)
        .select_related("room__building")
    )
    desks.sort(key=lambda d: (d.room.building.name, d.room.floor, d.room.name, natural_key(d.label)))
    rooms = list(
        Room.objects.active()
        .filter(building__is_active=True)
        .exclude(kind=Room.Kind.OPEN_SPACE)
        .select_related("building")
        .order_by("building__name", "floor", "name")
    )
    return {place_key(place): place for place in [*desks, *rooms]}

"""Member forms: find a place, book one.

Dates and times are typed in the building's local time. A wall-clock time the clocks
skip (the spring DST gap) is refused rather than silently moved; the repeated autumn
hour means its first pass unless the form says "later" (set by the day grid's links).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Mapping

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from bookings.grid import place_key
from bookings.services import building_of
from bookings.times import clock, is_repeated, wall_clock_passes
from coworking.validators import EARLIEST_DATE, LATEST_DATE, validate_sensible_date
from spaces.models import Amenity, Building, Desk, Room, end_day
from spaces.sorting import natural_key

MIDNIGHT = dt.time(0)


def gap_error(day: dt.date, time: dt.time, zone: zoneinfo.ZoneInfo) -> forms.ValidationError:
    return forms.ValidationError(
        _(
            "%(time)s does not exist on %(date)s in %(zone)s: the clocks go forward at that "
            "hour. Choose a time before or after it."
        )
        % {"time": time.strftime("%H:%M"), "date": date_format(day, "j E"), "zone": zone.key},
        code="skipped",
    )


def local_moment(day: dt.date, time: dt.time, zone: zoneinfo.ZoneInfo, later: bool = False) -> dt.datetime:
    """The instant of a local date and time, or ValidationError if the clocks skip it.

    A time of the repeated autumn hour means its first pass unless `later`.
    """
    passes = wall_clock_passes(day, time, zone)
    if not passes:
        raise gap_error(day, time, zone)
    return passes[-1 if later else 0].astimezone(zone)


PASSES = {"first": 0, "second": 1}


def _chosen(passes: list[dt.datetime], chosen: str, field: str, day: dt.date, time: dt.time) -> dt.datetime:
    """The pass of a repeated wall-clock time the member chose; asks when they have not."""
    if len(passes) == 1:
        return passes[0]
    if chosen in PASSES:
        return passes[PASSES[chosen]]
    message = _(
        "%(time)s happens twice on %(date)s: the clocks go back an hour. Choose which %(time)s you mean."
    ) % {"time": time.strftime("%H:%M"), "date": date_format(day, "j E")}
    raise forms.ValidationError({field: forms.ValidationError(message, code="repeated")})


def local_slot(
    day: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    building: Building,
    start_pass: str = "",
    end_pass: str = "",
    ask: bool = True,
) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) typed as local times of a date in the building.

    An end at 00:00 is midnight at the end of the day; an end at or before the start
    is on the next day where the building stays open through midnight. A time the clocks
    repeat must come with the pass the member chose ("first" or "second"), unless only
    one pass of the end comes after the start; without `ask`, an unchosen start means
    the first pass and an unchosen end the first after the start. A skipped time is
    refused.
    """
    zone = building.zone
    passes = wall_clock_passes(day, start_time, zone)
    if not passes:
        raise gap_error(day, start_time, zone)
    start = _chosen(passes, start_pass or ("" if ask else "first"), "start_pass", day, start_time)
    end_date = end_day(day, end_time)
    later = [moment for moment in wall_clock_passes(end_date, end_time, zone) if moment > start]
    if not later and end_time != MIDNIGHT and end_time <= start_time:
        if not open_through_midnight(building, day):
            raise forms.ValidationError(
                _(
                    "The end must be after the start. A booking can run past midnight only "
                    "in a building that stays open through the night."
                ),
                code="order",
            )
        end_date = day + dt.timedelta(days=1)
    passes = wall_clock_passes(end_date, end_time, zone)
    if not passes:
        raise gap_error(end_date, end_time, zone)
    later = [moment for moment in passes if moment > start]
    if later and end_pass not in PASSES and (len(later) == 1 or not ask):
        passes = later[:1]
    end = _chosen(passes, end_pass, "end_pass", end_date, end_time)
    if end <= start:
        raise forms.ValidationError(_("The end must be after the start."), code="order")
    return start.astimezone(zone), end.astimezone(zone)


def open_through_midnight(building: Building, day: dt.date) -> bool:
    """Whether the building is open from `day` into the next one without closing."""
    today = building.open_interval(day)
    tomorrow = building.open_interval(day + dt.timedelta(days=1))
    return today is not None and tomorrow is not None and today[1] == tomorrow[0]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__({"step": 60 * 15, **(attrs or {})}, format="%H:%M")


class SlotForm(forms.Form):
    """A date with start and end times local to a building, as [start, end) instants.

    On the day the clocks go back, a time of the repeated hour gets a choice of its two
    passes (shown only then); a link from the day grid comes with the pass chosen.
    """

    date = forms.DateField(label=_("Date"), widget=DateInput, validators=[validate_sensible_date])
    start_time = forms.TimeField(label=_("From"), widget=TimeInput)
    end_time = forms.TimeField(label=_("To"), widget=TimeInput, help_text=_("00:00 means midnight."))
    start_pass = forms.ChoiceField(
        label=_("Which start time?"), choices=PASSES.items(), required=False, widget=forms.HiddenInput
    )
    end_pass = forms.ChoiceField(
        label=_("Which end time?"), choices=PASSES.items(), required=False, widget=forms.HiddenInput
    )

    # Whether an unchosen pass of a repeated time is asked for, or taken as the first.
    ask_which_pass = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        building, day = self.typed_building(), self._typed("date")
        start_time, end_time = self._typed("start_time"), self._typed("end_time")
        if building is None or day is None:
            return
        if start_time is not None:
            self._offer_passes("start_pass", wall_clock_passes(day, start_time, building.zone), building.zone)
        if end_time is not None:
            overnight = start_time is not None and end_time != MIDNIGHT and end_time <= start_time
            end_date = day + dt.timedelta(days=1) if overnight else end_day(day, end_time)
            passes = wall_clock_passes(end_date, end_time, building.zone)
            if overnight and len(wall_clock_passes(day, end_time, building.zone)) == 2:
                passes = wall_clock_passes(day, end_time, building.zone)
            self._offer_passes("end_pass", passes, building.zone)

    def typed_building(self) -> Building | None:
        """The building of the place or building typed or prefilled; None if unknown."""
        raise NotImplementedError

    def _typed(self, name: str):
        """A field's value as typed or prefilled, cleaned; None if missing or invalid."""
        try:
            return self.fields[name].clean(self[name].value())
        except forms.ValidationError:
            return None

    def _offer_passes(self, name: str, passes: list[dt.datetime], zone: zoneinfo.ZoneInfo) -> None:
        if len(passes) != 2:
            return
        first, second = (moment.astimezone(zone) for moment in passes)
        field = self.fields[name]
        field.choices = [
            ("first", _("%(time)s, before the clocks go back") % {"time": clock(first, zone)}),
            ("second", _("%(time)s, after the clocks go back") % {"time": clock(second, zone)}),
        ]
        field.widget = forms.RadioSelect(choices=field.choices)

    def clean_slot(self, data: dict, building: Building) -> None:
        """Add start and end to the cleaned data, or the error that stops them."""
        if not {"date", "start_time", "end_time"} <= data.keys():
            return
        try:
            data["start"], data["end"] = local_slot(
                data["date"],
                data["start_time"],
                data["end_time"],
                building,
                data.get("start_pass", ""),
                data.get("end_pass", ""),
                ask=self.ask_which_pass,
            )
        except forms.ValidationError as error:
            self.add_error(None, error)


class FindForm(SlotForm):
    building = forms.ChoiceField(label=_("Building"))
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

    field_order = ["building", "date", "start_time", "end_time", "start_pass", "end_pass"]
    # A search shows the times it looked for with their zone, and links to the booking
    # form, which asks; asking here would hide the results behind a question.
    ask_which_pass = False

    def __init__(self, *args, buildings: list[Building], amenities: list[Amenity], **kwargs):
        # The view loads buildings and amenities once; choices and cleaning reuse them.
        self.buildings = {str(b.pk): b for b in buildings}
        self.amenities = {str(a.pk): a for a in amenities}
        super().__init__(*args, **kwargs)
        self.fields["building"].choices = [(key, b.name) for key, b in self.buildings.items()]
        self.fields["amenities"].choices = [(key, a.name) for key, a in self.amenities.items()]
        self.fields["min_capacity"].widget.attrs.update(placeholder="1")

    def typed_building(self) -> Building | None:
        return self.buildings.get(str(self["building"].value() or ""))

    def clean_building(self) -> Building:
        return self.buildings[self.cleaned_data["building"]]

    def clean_amenities(self) -> list[Amenity]:
        return [self.amenities[key] for key in self.cleaned_data["amenities"]]

    def clean(self) -> dict:
        data = super().clean()
        if "building" in data:
            self.clean_slot(data, data["building"])
        return data


class PlaceField(forms.ChoiceField):
    """A place by key; valid when it is one of `places`, which is asked for that key alone
    (a BookablePlaces then reads one place, not the list)."""

    places: Mapping[str, Desk | Room] = {}

    def valid_value(self, value) -> bool:
        return str(value) in self.places


class BookingForm(SlotForm):
    """Book one desk or whole room for a slot of one local day (or across midnight)."""

    place = PlaceField(label=_("Place"))

    field_order = ["place", "date", "start_time", "end_time", "start_pass", "end_pass"]

    def __init__(self, *args, places: Mapping[str, Desk | Room], **kwargs):
        self.places = places
        super().__init__(*args, **kwargs)
        field = self.fields["place"]
        field.places = places
        # Listed only when the form is shown: a valid post never reads every place.
        field.choices = lambda: [("", _("Choose a desk or a room")), *grouped_choices(places.values())]

    @property
    def chosen_place(self) -> Desk | Room | None:
        """The chosen place, to describe it next to the form (None if unknown)."""
        return self.places.get(str(self["place"].value() or ""))

    def typed_building(self) -> Building | None:
        place = self.chosen_place
        return None if place is None else building_of(place)

    def clean_place(self) -> Desk | Room:
        return self.places[self.cleaned_data["place"]]

    def clean(self) -> dict:
        data = super().clean()
        if "place" in data:
            self.clean_slot(data, building_of(data["place"]))
        return data


def _pass(moment: dt.datetime) -> str:
    """The pass of a repeated wall-clock time an instant is ("" when it happens once)."""
    return "second" if moment.fold else ("first" if is_repeated(moment, moment.tzinfo) else "")


def slot_initial(place: Desk | Room, start: dt.datetime, end: dt.datetime) -> dict:
    """The BookingForm values that book `place` for [start, end), as the form takes them."""
    zone = building_of(place).zone
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    return {
        "place": place_key(place),
        "date": local_start.date(),
        "start_time": local_start.time().replace(tzinfo=None),
        "end_time": local_end.time().replace(tzinfo=None),
        "start_pass": _pass(local_start),
        "end_pass": _pass(local_end),
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
    data.update({name: values[name] for name in ("start_pass", "end_pass") if values[name]})
    return data


def initial_from_query(query, places: dict[str, Desk | Room]) -> dict:
    """Prefill from a link: ?desk=12 or ?room=5, with start and end as ISO instants, or
    from the day grid: ?slot=desk-12,start,end."""
    if query.get("slot"):
        key, _comma, times = query["slot"].partition(",")
        start, _comma, end = times.partition(",")
        query = {key.partition("-")[0]: key.partition("-")[2], "start": start, "end": end}
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


def _bookable_desks():
    return Desk.objects.active().filter(
        room__is_active=True, room__building__is_active=True, room__kind=Room.Kind.OPEN_SPACE
    )


def _bookable_rooms():
    return Room.objects.active().filter(building__is_active=True).exclude(kind=Room.Kind.OPEN_SPACE)


def bookable_places() -> dict[str, Desk | Room]:
    """Every active desk and whole room of the active buildings (two queries)."""
    desks = list(_bookable_desks().select_related("room__building"))
    desks.sort(
        key=lambda d: (
            natural_key(d.room.building.name),
            d.room.floor,
            natural_key(d.room.name),
            natural_key(d.label),
        )
    )
    rooms = sorted(
        _bookable_rooms().select_related("building"),
        key=lambda room: (natural_key(room.building.name), room.floor, natural_key(room.name)),
    )
    return {place_key(place): place for place in [*desks, *rooms]}


def bookable_place(key: str) -> Desk | Room | None:
    """The bookable place of a key ("desk-12", "room-5"), with its building and the
    building's rules (one query); None if there is no such place."""
    kind, _dash, pk = key.partition("-")
    if not pk.isdigit() or len(pk) > 18:  # no id past 64 bits reaches the database
        return None
    if kind == "desk":
        places = _bookable_desks().select_related("room__building__booking_rules")
    elif kind == "room":
        places = _bookable_rooms().select_related("building__booking_rules")
    else:
        return None
    return places.filter(pk=int(pk)).order_by().first()


class BookablePlaces(Mapping):
    """The bookable places by key, read when asked: a key alone reads that place only
    (one query), the list reads them all (bookable_places, two queries). A booking post
    asks for its place; only a form shown again lists them."""

    def __init__(self) -> None:
        self._every: dict[str, Desk | Room] | None = None
        self._one: dict[str, Desk | Room | None] = {}

    def _all(self) -> dict[str, Desk | Room]:
        if self._every is None:
            self._every = bookable_places()
        return self._every

    def __getitem__(self, key: str) -> Desk | Room:
        if self._every is not None:
            return self._every[key]
        if key not in self._one:
            self._one[key] = bookable_place(key)
        if self._one[key] is None:
            raise KeyError(key)
        return self._one[key]

    def __iter__(self):
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

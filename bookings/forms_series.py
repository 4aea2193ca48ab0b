"""The recurring-booking form, and the place-and-times base the staff booking form shares.

The place choices, date and time inputs and the refusal of a wall-clock time skipped by
the spring DST change are the member booking form's (bookings.forms).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from bookings.forms import MIDNIGHT, DateInput, TimeInput, gap_error, grouped_choices, initial_from_query
from bookings.models import BookingSeries
from bookings.services import Resource, building_of, horizon, series_dates
from bookings.times import wall_clock_passes
from coworking.validators import validate_sensible_date
from spaces.models import Desk, Room

# services.series_dates plans a year of daily occurrences at most.
MAX_SERIES_DAYS = 365
MAX_OCCURRENCES = 100


class PlaceTimesForm(forms.Form):
    """A desk or whole room, and a start and end time local to its building."""

    place = forms.ChoiceField(label=_("Place"))
    start_time = forms.TimeField(label=_("From"), widget=TimeInput)
    end_time = forms.TimeField(label=_("To"), widget=TimeInput)

    def __init__(self, *args, places: dict[str, Desk | Room], **kwargs):
        super().__init__(*args, **kwargs)
        self.places = places
        self.fields["place"].choices = [
            ("", _("Choose a desk or a room")),
            *grouped_choices(places.values()),
        ]

    def clean_place(self) -> Resource:
        return self.places[self.cleaned_data["place"]]

    def clean(self) -> dict:
        data = super().clean()
        start_time, end_time = data.get("start_time"), data.get("end_time")
        if start_time and end_time and end_time <= start_time and end_time != MIDNIGHT:
            self.add_error("end_time", _("The end must be after the start."))
        return data

    @property
    def resource(self) -> Resource:
        return self.cleaned_data["place"]

    def check_times_exist(self, days: list[dt.date]) -> None:
        """Refuse a start or end time that a DST change skips or repeats on any of the days:
        a series has one time for every date, so it cannot say which pass it means."""
        zone = building_of(self.resource).zone
        for name in ("start_time", "end_time"):
            time = self.cleaned_data[name]
            for day in days:
                passes = wall_clock_passes(day, time, zone)
                if len(passes) == 1:
                    continue
                if passes:
                    message = _(
                        "%(time)s happens twice on %(date)s: the clocks go back an hour. "
                        "Choose another time, or book that day on its own."
                    ) % {"time": time.strftime("%H:%M"), "date": date_format(day, "j E")}
                    self.add_error(name, forms.ValidationError(message, code="repeated"))
                else:
                    self.add_error(name, gap_error(day, time, zone))
                break


def beyond_horizon(building, until: dt.date) -> forms.ValidationError | None:
    """A last date past the series horizon (the rule series_days_ahead), or None."""
    last = horizon(building)
    if until <= last:
        return None
    message = _("A recurring booking reaches %(date)s at the latest.") % {"date": date_format(last, "j E Y")}
    return forms.ValidationError(message, code="horizon")


class SeriesForm(PlaceTimesForm):
    first = forms.DateField(label=_("First date"), widget=DateInput, validators=[validate_sensible_date])
    frequency = forms.ChoiceField(
        label=_("Repeats"),
        choices=BookingSeries.Frequency.choices,
        initial=BookingSeries.Frequency.WEEKLY,
        widget=forms.RadioSelect,
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On"),
        choices=list(WEEKDAYS_ABBR.items()),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For weekly series."),
    )
    until = forms.DateField(
        label=_("Until (inclusive)"), required=False, widget=DateInput, validators=[validate_sensible_date]
    )
    count = forms.IntegerField(
        label=_("Or this many times"),
        required=False,
        min_value=1,
        max_value=MAX_OCCURRENCES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    field_order = ["place", "first", "start_time", "end_time", "frequency", "weekdays", "until", "count"]

    def clean(self) -> dict:
        data = super().clean()
        first, until, count = data.get("first"), data.get("until"), data.get("count")
        if data.get("frequency") == BookingSeries.Frequency.WEEKLY and not data.get("weekdays"):
            self.add_error("weekdays", _("Choose at least one weekday."))
        if "until" in data and "count" in data and (until is None) == (count is None):
            self.add_error("until", _("Fill in either the last date or the number of times: one of the two."))
        if first and until and until < first:
            self.add_error("until", _("The last date is before the first one."))
        elif first and until and (until - first).days > MAX_SERIES_DAYS:
            self.add_error("until", _("A series can run for a year at most."))
        if self.errors:
            return data
        if first < building_of(self.resource).local_today():
            self.add_error("first", _("The first date is in the past."))
            return data
        if until is not None and (error := beyond_horizon(building_of(self.resource), until)):
            self.add_error("until", error)
            return data
        self.dates = series_dates(first, data["frequency"], data["weekdays"], until, count)
        if not self.dates:
            self.add_error("weekdays", _("No date of the series falls on these weekdays."))
            return data
        self.check_times_exist(self.dates)
        return data

    def plan_arguments(self) -> dict:
        """What services.plan_series takes, besides the member: every date, nothing saved."""
        data = self.cleaned_data
        return {
            "resource": self.resource,
            "dates": self.dates,
            "start_time": data["start_time"],
            "end_time": data["end_time"],
        }

    def series_arguments(self) -> dict:
        """What services.book_series takes, besides the member."""
        data = self.cleaned_data
        weekly = data["frequency"] == BookingSeries.Frequency.WEEKLY
        return {
            "resource": self.resource,
            "frequency": data["frequency"],
            "weekdays": data["weekdays"] if weekly else [],
            "first": data["first"],
            "until": data["until"],
            "count": data["count"],
            "start_time": data["start_time"],
            "end_time": data["end_time"],
        }


def series_initial(query, places: dict[str, Desk | Room]) -> dict:
    """Prefill from a link as the booking form does (?desk=12 or ?room=5, optionally
    with start and end): the slot's date becomes the first date, repeated on its weekday."""
    initial = initial_from_query(query, places)
    if "date" in initial:
        initial["first"] = initial.pop("date")
        initial["weekdays"] = [initial["first"].weekday()]
    return initial


class ExtendSeriesForm(forms.Form):
    """Book a series' further dates, up to a new last date."""

    until = forms.DateField(
        label=_("Until (inclusive)"), widget=DateInput, validators=[validate_sensible_date]
    )

    def __init__(self, *args, building, last_date: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.building = building
        self.last_date = last_date

    def clean_until(self) -> dt.date:
        until = self.cleaned_data["until"]
        if until <= self.last_date:
            raise forms.ValidationError(
                _("Choose a date after the last one of the series (%(date)s).")
                % {"date": date_format(self.last_date, "j E Y")},
                code="not_after",
            )
        if error := beyond_horizon(self.building, until):
            raise error
        return until

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from coworking.validators import validate_sensible_date
from spaces.models import Building, local_instant
from visits import stats

# The statistics charts stay readable up to a year of days.
LONGEST_RANGE_DAYS = 366


def _building_field(**kwargs) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        Building.objects.active().order_by("name", "pk"), label=_("Building"), **kwargs
    )


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_sensible_date],
    )


class CheckInForm(forms.Form):
    building = _building_field(required=False, empty_label=_("Choose a building"))


class DateRangeForm(forms.Form):
    start = _date_field(_("From"))
    end = _date_field(_("To"))

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end date must not be before the start date."))
        return data


class HistoryFilterForm(DateRangeForm):
    """Filters of the visit history; staff may also narrow it to members by name or email."""

    building = _building_field(required=False, empty_label=_("All buildings"))
    member = forms.CharField(label=_("Member"), required=False, max_length=100)

    def __init__(self, *args, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["member"]

    def zone(self) -> zoneinfo.ZoneInfo:
        """Whose local days the dates and the totals count: the chosen building's, else the
        space's (also when the filters are invalid, and so ignored)."""
        return stats.zone_for(self.cleaned_data.get("building") if self.is_valid() else None)

    def date_filter(self) -> Q:
        """The chosen dates as a condition on checked_in_at (local days in `zone()`)."""
        zone = self.zone()
        condition = Q()
        if self.cleaned_data.get("start"):
            condition &= Q(checked_in_at__gte=_midnight(self.cleaned_data["start"], zone))
        if self.cleaned_data.get("end"):
            condition &= Q(checked_in_at__lt=_midnight(self.cleaned_data["end"] + dt.timedelta(days=1), zone))
        return condition

    def scope(self, visits: QuerySet) -> QuerySet:
        """Everything but the dates: whose visits and where."""
        if self.cleaned_data.get("building"):
            visits = visits.filter(building=self.cleaned_data["building"])
        member = (self.cleaned_data.get("member") or "").strip()
        if member:
            visits = visits.filter(Q(user__full_name__icontains=member) | Q(user__email__icontains=member))
        return visits


def _midnight(day: dt.date, zone) -> dt.datetime:
    return local_instant(day, dt.time(0), zone)


class StatisticsForm(DateRangeForm):
    """The period and building of the statistics; empty dates mean the last 30 days."""

    building = _building_field(required=False, empty_label=_("All buildings"))

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        today = stats.default_range(data.get("building"))[1]
        data["end"] = data.get("end") or max(today, data.get("start") or today)
        data["start"] = data.get("start") or data["end"] - dt.timedelta(days=stats.DEFAULT_DAYS - 1)
        if (data["end"] - data["start"]).days >= LONGEST_RANGE_DAYS:
            self.add_error("start", _("Choose at most %(days)d days.") % {"days": LONGEST_RANGE_DAYS})
            return data
        # The inputs show the dates actually used, defaults included.
        self.data = self.data.copy()
        self.data["start"], self.data["end"] = data["start"].isoformat(), data["end"].isoformat()
        return data

    def period(self) -> tuple[dt.date, dt.date, Building | None]:
        """The chosen period, or the default one when the input is invalid."""
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"], self.cleaned_data["building"]
        start, end = stats.default_range()
        return start, end, None


class FrontDeskSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or email"), required=False, max_length=100)
    building = _building_field(required=False, empty_label=None)


class FrontDeskForm(forms.Form):
    """A member the front desk checks in (to `building`) or out."""

    member = forms.ModelChoiceField(User.objects.filter(is_active=True), widget=forms.HiddenInput)
    building = _building_field(required=False)

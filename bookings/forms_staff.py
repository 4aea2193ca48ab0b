"""Staff forms: the bookings list's filters, booking on a member's behalf, cancelling with a reason."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from bookings.forms import DateInput, place_key
from bookings.forms_series import PlaceTimesForm
from bookings.models import Booking
from bookings.services import building_of
from coworking.validators import validate_sensible_date
from spaces.models import Building, end_day, local_instant


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} · {obj.email}" if obj.full_name else obj.email


class StaffBookingForm(PlaceTimesForm):
    member = MemberChoiceField(
        label=_("Member"),
        queryset=User.objects.filter(is_active=True).order_by("full_name", "email"),
        empty_label=_("Choose a member"),
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

    field_order = ["member", "place", "day", "start_time", "end_time", "override_rules"]

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
        del self.fields["member"]

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

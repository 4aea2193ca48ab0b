"""Staff's admin for bookings, their rules and notifications.

New bookings are made through services.create_booking, moves through
services.reschedule_booking and cancellations through services.cancel_booking, exactly
as on the member and staff pages; the form asks services.booking_problems first so
that problems show as form errors.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditChangesMixin, AuditTrailMixin
from bookings import ics, services
from bookings.forms import local_moment
from bookings.forms_staff import StaffCancelForm
from bookings.models import RULE_FIELDS, Booking, BookingRules, BuildingRules, CalendarFeed, Notification
from bookings.tasks import deliver_notification
from coworking.admin import CheckedAutocompleteAdmin, SensibleDatesAdmin, field_label, preview
from coworking.admin_csv import CsvExportMixin
from coworking.tasks import enqueue_on_commit
from spaces.models import Desk

PLACE_FIELDS = {"desk", "room", "start", "end"}


def _local_display(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    local = timezone.localtime(moment, zone)
    return f"{formats.date_format(local, 'SHORT_DATETIME_FORMAT')} {local.tzname()}"


def _local_csv(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    return timezone.localtime(moment, zone).strftime("%Y-%m-%d %H:%M %Z")


def _taken_message(resource) -> str:
    if isinstance(resource, Desk):
        return gettext("This desk is already booked for that time.")
    return gettext("This room is already booked for that time.")


class BookingAdminForm(forms.ModelForm):
    """Start and end are typed and shown in the building's local time, whatever the
    admin's own time zone; the rules and overlaps are checked with the services."""

    class Meta:
        model = Booking
        fields = ["user", "desk", "room", "start", "end", "rules_overridden"]
        help_texts = {
            "start": _("The building's local time."),
            "end": _("The building's local time."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Naive values are shown as they are: the building's wall-clock time.
            zone = self.instance.building.zone
            for name in ("start", "end"):
                self.initial[name] = timezone.make_naive(getattr(self.instance, name), zone)

    def _as_local(self, name: str, zone: zoneinfo.ZoneInfo) -> dt.datetime | None:
        """The typed wall-clock time (parsed in the admin's zone) read in the building's zone."""
        wall = timezone.make_naive(self.cleaned_data[name])
        try:
            return local_moment(wall.date(), wall.time(), zone)
        except ValidationError as error:
            self.add_error(name, error)
            return None

    def clean(self) -> dict:
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", gettext("The end must be after the start."))
        desk, room = data.get("desk"), data.get("room")
        if self.errors or (desk is None) == (room is None):
            # The model's desk-or-room constraint reports a wrong choice of place.
            return data
        resource = desk or room
        building = services.building_of(resource)
        start, end = self._as_local("start", building.zone), self._as_local("end", building.zone)
        if start is None or end is None:
            return data
        data["start"], data["end"] = start, end
        self.instance.building = building
        if self.instance.pk and not PLACE_FIELDS & set(self.changed_data):
            return data
        try:
            services.check_resource(resource)
        except services.BookingError as error:
            self.add_error(None, error.message)
        user = data.get("user") or self.instance.user
        self._check_booking(user, resource, start, end, override_rules=bool(data.get("rules_overridden")))
        return data

    def _check_booking(
        self, user, resource, start: dt.datetime, end: dt.datetime, *, override_rules: bool
    ) -> None:
        """What create_booking or reschedule_booking would refuse, as form errors."""
        problems = services.booking_problems(
            user=user,
            resource=resource,
            start=start,
            end=end,
            override_rules=override_rules,
            now=timezone.now(),
            moving=self.instance if self.instance.pk else None,
        )
        for problem in problems:
            if isinstance(problem, services.SlotTaken):
                self.add_error(None, _taken_message(resource))
            else:
                self.add_error(None, problem.message)
        if any(problem.overridable for problem in problems):
            self.add_error(None, gettext("Tick “Override the booking rules” to book anyway."))

    def validate_constraints(self) -> None:
        """The model's constraints, the PostgreSQL overlap ones included, as form errors.

        Their condition reads `status`, which this form does not edit, and Django skips a
        constraint that refers to a field left out of the form; so `status` is put back.
        """
        if self.errors:
            # Until the fields are right the times may not be read in the building's zone yet.
            return
        try:
            self.instance.validate_constraints(exclude=self._get_validation_exclusions() - {"status"})
        except ValidationError as error:
            self._update_errors(error)


STATE_FIELDS = (
    "building",
    "status",
    "series_column",
    "created_at",
    "created_by_column",
    "checked_in_at",
    "sequence_column",
)
CANCEL_FIELDS = ("cancelled_at", "cancelled_by_column", "cancel_reason")


@admin.register(Booking)
class BookingAdmin(
    CsvExportMixin, AuditTrailMixin, CheckedAutocompleteAdmin, SensibleDatesAdmin, admin.ModelAdmin
):
    form = BookingAdminForm
    list_display = ("member", "place", "building", "local_start", "status", "rules_overridden")
    list_filter = ("status", "building", "rules_overridden")
    search_fields = ("user__email", "user__full_name", "desk__label", "room__name")
    date_hierarchy = "start"
    # Booking.__str__ (the row checkbox's label) names a room with its building.
    list_select_related = ("user", "building", "desk__room", "room__building")
    autocomplete_fields = ("user", "desk", "room")
    ordering = ("-start",)
    actions = ("cancel_selected",)
    csv_columns = [
        (_("member"), lambda b: b.user.full_name),
        (_("email"), lambda b: b.user.email),
        (_("building"), lambda b: b.building.name),
        (_("place"), lambda b: ics.resource_label(b)),
        (_("start (local time)"), lambda b: _local_csv(b.start, b.building.zone)),
        (_("end (local time)"), lambda b: _local_csv(b.end, b.building.zone)),
        (_("status"), lambda b: b.get_status_display()),
        (_("rules overridden by staff"), lambda b: b.rules_overridden),
        (_("checked in"), lambda b: b.checked_in_at),
        (_("reason"), lambda b: b.cancel_reason),
    ]

    def get_fieldsets(self, request: HttpRequest, obj: Booking | None = None):
        booking = (None, {"fields": ("user", "desk", "room", "start", "end", "rules_overridden")})
        if obj is None:
            return [booking]
        return [
            booking,
            (_("State"), {"fields": STATE_FIELDS}),
            (_("Cancellation"), {"fields": CANCEL_FIELDS}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Booking | None = None):
        if obj is None:
            return ()
        if not obj.is_active:
            # Cancelled and released bookings are history.
            return ("user", "desk", "room", "start", "end", "rules_overridden", *STATE_FIELDS, *CANCEL_FIELDS)
        return ("user", *STATE_FIELDS, *CANCEL_FIELDS)

    def has_delete_permission(self, request: HttpRequest, obj: Booking | None = None) -> bool:
        # Bookings are cancelled (the member is told), never deleted.
        return False

    @admin.display(description=_("member"), ordering="user__full_name")
    def member(self, booking: Booking) -> str:
        return str(booking.user)

    # Fields without a translated name of their own, labelled here for the Russian admin.
    @admin.display(description=_("series"))
    def series_column(self, booking: Booking) -> str:
        return str(booking.series) if booking.series_id else "—"

    @admin.display(description=_("created by"))
    def created_by_column(self, booking: Booking) -> str:
        return str(booking.created_by) if booking.created_by_id else "—"

    @admin.display(description=_("calendar version"))
    def sequence_column(self, booking: Booking) -> int:
        return booking.sequence

    @admin.display(description=_("cancelled by"))
    def cancelled_by_column(self, booking: Booking) -> str:
        return str(booking.cancelled_by) if booking.cancelled_by_id else "—"

    @admin.display(description=_("place"))
    def place(self, booking: Booking) -> str:
        return ics.resource_label(booking)

    @admin.display(description=_("start (local time)"), ordering="start")
    def local_start(self, booking: Booking) -> str:
        return _local_display(booking.start, booking.building.zone)

    def save_model(self, request: HttpRequest, obj: Booking, form: BookingAdminForm, change: bool) -> None:
        if change and PLACE_FIELDS & set(form.changed_data):
            # Moved like anywhere else: under the locks, with the rules, and the member told.
            services.reschedule_booking(
                obj,
                start=obj.start,
                end=obj.end,
                resource=obj.resource,
                by=request.user,
                override_rules=form.cleaned_data["rules_overridden"],
            )
            obj.refresh_from_db()
            return
        if change:
            super().save_model(request, obj, form, change)
            return
        booking = services.create_booking(
            user=obj.user,
            resource=obj.resource,
            start=obj.start,
            end=obj.end,
            by=request.user,
            override_rules=form.cleaned_data["rules_overridden"],
        )
        obj.pk = booking.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def changeform_view(self, request: HttpRequest, object_id=None, form_url="", extra_context=None):
        """A booking taken (or a rule broken) between the form's check and the save is
        reported, not a 500."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (services.BookingError, IntegrityError) as error:
            if isinstance(error, IntegrityError) and "no_overlap" not in str(error):
                raise
            message = (
                error.message
                if isinstance(error, services.BookingError)
                else gettext("This slot was just taken.")
            )
            self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.action(description=_("Cancel selected bookings (with a reason)"))
    def cancel_selected(self, request: HttpRequest, queryset) -> HttpResponse | None:
        form = StaffCancelForm(request.POST if "apply" in request.POST else None)
        bookings = list(queryset.select_related("user", "building", "desk__room", "room"))
        for booking in bookings:
            booking.place = ics.resource_label(booking)
        if form.is_valid():
            cancelled, refused = 0, []
            for booking in bookings:
                try:
                    services.cancel_booking(booking, by=request.user, reason=form.cleaned_data["reason"])
                except services.BookingError as error:
                    refused.append(f"{booking.user} · {booking.place}: {error.message}")
                else:
                    cancelled += 1
            self.message_user(
                request, gettext("Bookings cancelled: %(count)d.") % {"count": cancelled}, messages.SUCCESS
            )
            if refused:
                self.message_user(
                    request, gettext("Not cancelled: %s") % "; ".join(refused), messages.WARNING
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Cancel bookings"),
            "opts": self.model._meta,
            "bookings": bookings,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/bookings/booking/cancel_selected.html", context)


@admin.register(BookingRules)
class BookingRulesAdmin(AuditChangesMixin, admin.ModelAdmin):
    """One row of default rules: the list opens it straight away."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: BookingRules | None = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return redirect(reverse("admin:bookings_bookingrules_change", args=[BookingRules.load().pk]))


@admin.register(BuildingRules)
class BuildingRulesAdmin(AuditChangesMixin, CheckedAutocompleteAdmin, admin.ModelAdmin):
    list_display = ("building", *RULE_FIELDS)
    list_select_related = ("building",)
    search_fields = ("building__name",)
    autocomplete_fields = ("building",)


@admin.register(Notification)
class NotificationAdmin(SensibleDatesAdmin, admin.ModelAdmin):
    list_display = ("kind", "booking", "created_at", "delivery", "sent_at", "attempts", "error_column")
    list_filter = ("kind", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("booking__user__email",)
    date_hierarchy = "created_at"
    list_select_related = ("booking__desk__room", "booking__room__building")
    actions = ("retry_now",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    @admin.display(description=field_label(Notification, "last_error"))
    def error_column(self, notification: Notification) -> str:
        return preview(notification.last_error)

    @admin.display(description=_("delivery"))
    def delivery(self, notification: Notification) -> str:
        if notification.sent_at:
            return gettext("sent")
        if notification.attempts >= settings.TASK_MAX_ATTEMPTS:
            return gettext("failed, gave up")
        return gettext("waiting") if not notification.attempts else gettext("failing, will retry")

    @admin.action(description=_("Send the selected unsent notifications now"))
    def retry_now(self, request: HttpRequest, queryset) -> None:
        # The worker sends them: a slow mail server must not hold this page.
        pending = list(queryset.filter(sent_at__isnull=True).values_list("pk", flat=True))
        for pk in pending:
            enqueue_on_commit(deliver_notification, pk)
        self.message_user(
            request, gettext("Queued for sending: %(count)d.") % {"count": len(pending)}, messages.SUCCESS
        )


@admin.register(CalendarFeed)
class CalendarFeedAdmin(CheckedAutocompleteAdmin, admin.ModelAdmin):
    list_display = ("user", "created_at")
    search_fields = ("user__email", "user__full_name")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    readonly_fields = ("token", "created_at")

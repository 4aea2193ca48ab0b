from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from coworking.admin import SensibleDatesAdmin, compact_time, field_label
from coworking.admin_csv import CsvExportMixin
from visits import services
from visits.models import PlaceCode, Visit
from visits.templatetags.visits_tags import duration


class OpenFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("In the building now")), ("no", _("Finished"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.open()
        if self.value() == "no":
            return queryset.closed()
        return queryset


@admin.register(Visit)
class VisitAdmin(CsvExportMixin, SensibleDatesAdmin, admin.ModelAdmin):
    """Visits are read-only here: durations (and so karma) are never edited afterwards.
    An open visit is closed with the action, an ordinary check-out."""

    list_display = (
        "user",
        "building",
        "checked_in_column",
        "checked_out_column",
        "length",
        "closed_automatically",
        "booking",
    )
    # The booking column names the desk and its room, or the room and its building.
    list_select_related = ("user", "building", "booking__desk__room", "booking__room__building")
    list_filter = (OpenFilter, "building", "closed_automatically")
    search_fields = ("user__email", "user__full_name")
    date_hierarchy = "checked_in_at"
    raw_id_fields = ("user", "checked_in_by", "checked_out_by", "booking")
    readonly_fields = (
        "user",
        "building",
        "checked_in_at",
        "checked_out_at",
        "duration_minutes",
        "closed_automatically",
        "checked_in_by",
        "checked_out_by",
        "booking",
    )
    actions = ["check_out_now"]
    csv_columns = [
        (_("member"), lambda v: v.user.full_name),
        (_("email"), lambda v: v.user.email),
        (_("building"), lambda v: v.building.name),
        (_("checked in"), lambda v: v.checked_in_at),
        (_("checked out"), lambda v: v.checked_out_at),
        (_("duration (minutes)"), lambda v: v.duration_minutes),
        (_("closed automatically"), lambda v: v.closed_automatically),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Check-ins go through the front desk, which applies the rules.
        return False

    # Short dates: the key columns fit a 1280 px screen.
    @admin.display(description=field_label(Visit, "checked_in_at"), ordering="checked_in_at")
    def checked_in_column(self, visit: Visit) -> str:
        return compact_time(visit.checked_in_at)

    @admin.display(description=field_label(Visit, "checked_out_at"), ordering="checked_out_at")
    def checked_out_column(self, visit: Visit) -> str:
        return compact_time(visit.checked_out_at)

    @admin.display(description=_("duration"), ordering="duration_minutes")
    def length(self, visit: Visit) -> str:
        return duration(visit.duration_minutes)

    @admin.action(description=_("Check the members out now"))
    def check_out_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        closed = 0
        for visit in queryset.open().select_related("user"):
            try:
                services.check_out(visit.user, by=request.user)
            except services.VisitError:
                continue  # checked out meanwhile
            closed += 1
        self.message_user(
            request,
            ngettext("%(count)d visit checked out.", "%(count)d visits checked out.", closed)
            % {"count": closed},
            messages.SUCCESS,
        )


@admin.register(PlaceCode)
class PlaceCodeAdmin(admin.ModelAdmin):
    """The tokens behind the printed QR codes. They are made with the building's QR sheet
    (the "Print QR sheet" link on a building); replacing one voids its printed code."""

    list_display = ("__str__", "building", "rotated_at")
    list_select_related = ("desk__room__building", "room__building")
    search_fields = (
        "desk__label",
        "desk__room__name",
        "room__name",
        "desk__room__building__name",
        "room__building__name",
    )
    readonly_fields = ("token", "desk", "room", "rotated_at")
    actions = ["rotate"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("building"))
    def building(self, code: PlaceCode) -> str:
        return str(code.desk.room.building if code.desk_id else code.room.building)

    @admin.action(
        description=_("Replace the QR codes (the printed ones stop working)"), permissions=["change"]
    )
    def rotate(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for code in queryset:
            code.rotate()
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d QR code replaced: print it again.",
                "%(count)d QR codes replaced: print them again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

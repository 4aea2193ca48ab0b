from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.widgets import AdminTimeWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Length
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.admin import AuditChangesMixin
from coworking.admin import BoundedInline, CheckedChoicesAdmin
from spaces import services
from spaces.forms import AddDesksForm, BuildingForm, FloorPlanForm, PhotoForm
from spaces.models import (
    Amenity,
    Building,
    BuildingPhoto,
    Desk,
    FloorPlan,
    OpeningHours,
    Photo,
    Room,
    RoomPhoto,
)


def _thumbnail(photo: Photo | None) -> str:
    if photo is None:
        return "—"
    return format_html(
        '<img src="{}" alt="" class="spaces-thumb" width="72" height="54" loading="lazy">',
        photo.thumbnail.url,
    )


class RetireInsteadOfDeleteMixin:
    """Deleting a space that has history (rows pointing at it with PROTECT) deactivates it.

    The confirmation pages say so and list what refers to it; the single delete view,
    the bulk delete action and the log all go through services.delete_or_deactivate.
    """

    delete_confirmation_template = "admin/spaces/delete_confirmation.html"
    delete_selected_confirmation_template = "admin/spaces/delete_selected_confirmation.html"
    actions = ["delete_selected"]

    def get_deleted_objects(self, objs, request: HttpRequest):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if request.POST.get("post"):
            # Confirmed: what is protected gets deactivated, so it no longer blocks.
            protected = []
        return to_delete, model_count, perms_needed, protected

    def log_deletions(self, request: HttpRequest, queryset) -> None:
        """Nothing yet: _remove logs once it knows what was deleted and what deactivated."""

    def delete_model(self, request: HttpRequest, obj) -> None:
        self._remove(request, [obj], announce_deleted=False)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._remove(request, queryset, announce_deleted=True)

    @admin.action(permissions=["delete"], description=gettext_lazy("Delete selected %(verbose_name_plural)s"))
    def delete_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        if not request.POST.get("post"):
            return django_delete_selected(self, request, queryset)
        if self.get_deleted_objects(queryset, request)[2]:
            raise PermissionDenied
        self.delete_queryset(request, queryset)
        return None

    def _remove(self, request: HttpRequest, objs, announce_deleted: bool) -> None:
        removal = services.delete_or_deactivate(objs, by=request.user)
        if removal.deleted:
            super().log_deletions(request, removal.deleted)
            if announce_deleted:
                names = ", ".join(str(obj) for obj in removal.deleted)
                self.message_user(request, _("Deleted: %(names)s.") % {"names": names}, messages.SUCCESS)
        for obj in removal.deactivated:
            self.log_change(request, obj, _("Deactivated instead of deleted: it has history."))
            self.message_user(
                request,
                _(
                    "“%(object)s” has history, so it was deactivated instead of deleted, with everything "
                    "in it. Members no longer see it."
                )
                % {"object": obj},
                messages.WARNING,
            )

    def response_delete(self, request: HttpRequest, obj_display: str, obj_id) -> HttpResponse:
        if self.model._base_manager.filter(pk=obj_id).exists():
            # Deactivated, not deleted: _remove has said so; Django would report a deletion.
            return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))
        return super().response_delete(request, obj_display, obj_id)


class PhotoColumnMixin:
    """A cover thumbnail column and a count of active children, in a fixed number of queries."""

    counted: tuple[str, str]  # (annotation, relation): ("desk_count", "desks")

    class Media:
        css = {"all": ["spaces/admin.css"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        name, relation = self.counted
        active = Q(**{f"{relation}__is_active": True})
        return (
            super()
            .get_queryset(request)
            .annotate(**{name: Count(relation, filter=active)})
            .prefetch_related("photos")
        )

    @admin.display(description=gettext_lazy("Photo"))
    def photo(self, obj: Building | Room) -> str:
        return _thumbnail(obj.cover_photo)


class PhotoInline(BoundedInline, admin.TabularInline):
    form = PhotoForm
    max_num = 30
    fields = ["preview", "upload", "caption", "position"]
    readonly_fields = ["preview"]
    extra = 1
    verbose_name_plural = gettext_lazy("Photos")

    @admin.display(description=gettext_lazy("Preview"))
    def preview(self, obj: Photo) -> str:
        return _thumbnail(obj if obj.pk else None)


class BuildingPhotoInline(PhotoInline):
    model = BuildingPhoto


class RoomPhotoInline(PhotoInline):
    model = RoomPhoto


class OpeningHoursInline(BoundedInline, admin.TabularInline):
    model = OpeningHours
    max_num = 7
    # "08:00", not "08:00:00".
    formfield_overrides = {models.TimeField: {"widget": AdminTimeWidget(format="%H:%M")}}

    def get_extra(self, request: HttpRequest, obj: Building | None = None, **kwargs) -> int:
        return 7 if obj is None else 7 - len(obj.opening_hours.all())


class RoomInline(BoundedInline, admin.TabularInline):
    model = Room
    max_num = 300
    fields = ["name", "floor", "kind", "capacity", "is_active"]
    show_change_link = True
    # Rooms are retired from their own page, where history is checked.
    can_delete = False
    extra = 0


class FloorPlanInline(BoundedInline, admin.StackedInline):
    """The room's plan image and, once it is saved, the editor that places the desks on it.

    The editor (spaces/plan-editor.js) moves markers and writes their positions into the
    desk rows' plan x / plan y inputs below, so the positions are validated and saved with
    the desks, as if typed there.
    """

    model = FloorPlan
    form = FloorPlanForm
    max_num = 1
    fields = ["editor", "upload"]
    readonly_fields = ["editor"]
    verbose_name_plural = gettext_lazy("Floor plan")

    class Media:
        css = {"all": ["spaces/admin.css"]}
        js = ["spaces/plan-editor.js"]

    def get_extra(self, request: HttpRequest, obj: Room | None = None, **kwargs) -> int:
        return 0 if obj is not None and hasattr(obj, "floor_plan") else 1

    @admin.display(description=gettext_lazy("Desks on the plan"))
    def editor(self, plan: FloorPlan) -> str:
        if not plan.pk:
            return _("Upload the plan and save; then drag the desks onto it here.")
        return render_to_string("admin/spaces/room/plan_editor.html", {"plan": plan})


class DeskInline(BoundedInline, admin.TabularInline):
    model = Desk
    max_num = 500
    fields = ["label", "plan_x", "plan_y", "is_active"]
    # Desks are retired from the desk list, where history is checked.
    can_delete = False
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # A-2 before A-10 for labels sharing a prefix.
        return super().get_queryset(request).order_by(Length("label"), "label")


@admin.register(Building)
class BuildingAdmin(AuditChangesMixin, PhotoColumnMixin, RetireInsteadOfDeleteMixin, admin.ModelAdmin):
    form = BuildingForm
    list_display = ["photo", "name", "address", "time_zone", "room_count", "is_active"]
    list_display_links = ["photo", "name"]
    list_filter = ["is_active", "time_zone"]
    search_fields = ["name", "address"]
    inlines = [OpeningHoursInline, BuildingPhotoInline, RoomInline]
    counted = ("room_count", "rooms")

    @admin.display(description=gettext_lazy("Active rooms"), ordering="room_count")
    def room_count(self, obj: Building) -> int:
        return obj.room_count


@admin.register(Room)
class RoomAdmin(
    AuditChangesMixin, CheckedChoicesAdmin, PhotoColumnMixin, RetireInsteadOfDeleteMixin, admin.ModelAdmin
):
    list_display = ["photo", "name", "building", "floor", "kind", "capacity", "desk_count", "is_active"]
    list_display_links = ["photo", "name"]
    list_filter = ["kind", "is_active", "building", "floor"]
    list_select_related = ["building"]
    search_fields = ["name", "building__name"]
    filter_horizontal = ["amenities"]
    actions = ["add_desks", "delete_selected"]
    counted = ("desk_count", "desks")

    def get_inlines(self, request: HttpRequest, obj: Room | None) -> list:
        if obj is not None and obj.kind == Room.Kind.OPEN_SPACE:
            return [FloorPlanInline, DeskInline, RoomPhotoInline]
        return [RoomPhotoInline]

    @admin.display(description=gettext_lazy("Active desks"), ordering="desk_count")
    def desk_count(self, obj: Room) -> int | str:
        return obj.desk_count if obj.kind == Room.Kind.OPEN_SPACE else "—"

    @admin.action(permissions=["change"], description=gettext_lazy("Add numbered desks"))
    def add_desks(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        rooms = list(queryset.select_related("building"))
        try:
            for room in rooms:
                services.ensure_open_space(room)
        except ValidationError as error:
            self.message_user(request, error.messages[0], messages.ERROR)
            return None
        initial = {"prefix": services.usual_desk_prefix(rooms[0])} if len(rooms) == 1 else {}
        form = AddDesksForm(request.POST if "apply" in request.POST else None, initial=initial)
        if form.is_valid():
            try:
                for room in rooms:
                    desks = services.add_numbered_desks(room, **form.cleaned_data)
                    self.message_user(
                        request,
                        _("Added desks %(first)s … %(last)s to “%(room)s”.")
                        % {"first": desks[0].label, "last": desks[-1].label, "room": room.name},
                        messages.SUCCESS,
                    )
            except ValidationError as error:
                self.message_user(request, error.messages[0], messages.ERROR)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Add numbered desks"),
            "opts": self.opts,
            "rooms": rooms,
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/spaces/room/add_desks.html", context)


@admin.register(Desk)
class DeskAdmin(AuditChangesMixin, CheckedChoicesAdmin, RetireInsteadOfDeleteMixin, admin.ModelAdmin):
    list_display = ["label", "room", "building", "is_active"]
    list_filter = ["is_active", ("room__building", admin.RelatedOnlyFieldListFilter), "amenities"]
    list_select_related = ["room__building"]
    search_fields = ["label", "room__name", "room__building__name"]
    filter_horizontal = ["amenities"]

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "room":
            kwargs["queryset"] = Room.objects.filter(kind=Room.Kind.OPEN_SPACE).select_related("building")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("building"), ordering="room__building__name")
    def building(self, obj: Desk) -> Building:
        return obj.room.building


@admin.register(Amenity)
class AmenityAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]

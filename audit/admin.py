"""The audit trail in the admin: read-only, filtered by actor, object and action, and on
each audited object's own page."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit import trail
from audit.models import Action, AuditEntry
from coworking.admin import SensibleDatesAdmin

TRAIL_SHOWN = 20


def _shown(value: object) -> object:
    return "—" if value in (None, "", []) else value


def changes_text(entry: AuditEntry) -> str:
    """Each changed field as "name: before → after", or the empty mark."""
    if not entry.changes:
        return "—"
    return "; ".join(
        f"{name}: {_shown(values[0])} → {_shown(values[1])}"
        if isinstance(values, list) and len(values) == 2
        else f"{name}: {values}"
        for name, values in entry.changes.items()
    )


def trail_url(obj: Model) -> str:
    """The audit list filtered to one object."""
    content_type = ContentType.objects.get_for_model(obj)
    query = urlencode({"target_type__id__exact": content_type.pk, "target_id": obj.pk})
    return f"{reverse('admin:audit_auditentry_changelist')}?{query}"


@admin.register(AuditEntry)
class AuditEntryAdmin(SensibleDatesAdmin, admin.ModelAdmin):
    list_display = ("when", "actor", "action", "target_link", "member", "changes_column", "reason")
    # Only the object types and staff that appear in the trail.
    list_filter = (
        "action",
        ("target_type", admin.RelatedOnlyFieldListFilter),
        ("actor", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("actor", "member", "target_type")
    search_fields = (
        "target_repr",
        "reason",
        "actor__email",
        "actor__full_name",
        "member__email",
        "member__full_name",
    )
    date_hierarchy = "at"
    ordering = ("-at", "-pk")

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # Each object's page links here filtered to it.
        return lookup in {"target_id", "member__id__exact"} or super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    @admin.display(description=_("time"), ordering="at")
    def when(self, entry: AuditEntry) -> str:
        return date_format(timezone.localtime(entry.at), "SHORT_DATETIME_FORMAT")

    @admin.display(description=_("object"), ordering="target_repr")
    def target_link(self, entry: AuditEntry) -> str:
        model = entry.target_type.model_class()
        if model is None:
            return entry.target_repr
        try:
            url = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[entry.target_id]
            )
        except NoReverseMatch:
            return entry.target_repr
        return format_html('<a href="{}">{}</a>', url, entry.target_repr)

    @admin.display(description=_("before and after"))
    def changes_column(self, entry: AuditEntry) -> str:
        return changes_text(entry)


class AuditTrailMixin:
    """Shows an object's latest audit entries on its admin page, with a link to them all."""

    def audit_trail_url(self, obj: Model) -> str:
        return trail_url(obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "audit_trail") if obj is not None else fields

    def get_fieldsets(self, request: HttpRequest, obj: Model | None = None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and "audit_trail" not in flatten_fieldsets(fieldsets):
            fieldsets.append((_("Audit trail"), {"fields": ("audit_trail",), "classes": ("collapse",)}))
        return fieldsets

    def audit_entries(self, obj: Model):
        return AuditEntry.objects.of_object(obj)

    @admin.display(description=_("Audit trail"))
    def audit_trail(self, obj: Model) -> str:
        entries = list(self.audit_entries(obj).select_related("actor")[:TRAIL_SHOWN])
        if not entries:
            return gettext("Nothing recorded yet.")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    date_format(timezone.localtime(entry.at), "SHORT_DATETIME_FORMAT"),
                    entry.actor or "—",
                    entry.get_action_display(),
                    changes_text(entry),
                    entry.reason or "—",
                )
                for entry in entries
            ),
        )
        return format_html(
            '<table data-testid="audit-trail"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>'
            '<th>{}</th></tr></thead><tbody>{}</tbody></table><p><a href="{}">{}</a></p>',
            gettext("time"),
            gettext("by"),
            gettext("action"),
            gettext("before and after"),
            gettext("reason"),
            rows,
            self.audit_trail_url(obj),
            gettext("The whole trail"),
        )


def _stored(obj: Model | None, name: str) -> object:
    if obj is None:
        return None
    field = obj._meta.get_field(name)
    if field.many_to_many:
        return sorted(str(item) for item in getattr(obj, name).all())
    return getattr(obj, name)


def _typed(form, name: str) -> object:
    value = form.cleaned_data.get(name)
    if form._meta.model._meta.get_field(name).many_to_many:
        return sorted(str(item) for item in value or [])
    return value


def form_changes(form) -> dict[str, list[object]]:
    """{field: [stored, typed]} for the model fields the form changes; read before it saves."""
    model = form._meta.model
    field_names = {field.name for field in model._meta.get_fields() if field.concrete}
    names = [name for name in form.changed_data if name in field_names]
    stored = model._base_manager.filter(pk=form.instance.pk).first() if form.instance.pk else None
    return trail.diff(
        {name: _stored(stored, name) for name in names}, {name: _typed(form, name) for name in names}
    )


class AuditChangesMixin(AuditTrailMixin):
    """Records what staff add, change and delete through this admin page and its inlines,
    with the values before and after."""

    def save_model(self, request: HttpRequest, obj: Model, form, change: bool) -> None:
        changes = form_changes(form)
        super().save_model(request, obj, form, change)
        if changes or not change:
            trail.record(Action.CHANGED if change else Action.ADDED, obj, actor=request.user, changes=changes)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        deleted = {id(inline.instance) for inline in formset.deleted_forms}
        pending = [
            (inline, form_changes(inline), inline.instance.pk is None)
            for inline in formset.forms
            if inline.has_changed() and id(inline.instance) not in deleted and inline.is_valid()
        ]
        for inline in formset.deleted_forms:
            if inline.instance.pk:
                trail.record(Action.REMOVED, inline.instance, actor=request.user)
        super().save_formset(request, form, formset, change)
        for inline, changes, added in pending:
            if inline.instance.pk and (changes or added):
                trail.record(
                    Action.ADDED if added else Action.CHANGED,
                    inline.instance,
                    actor=request.user,
                    changes=changes,
                )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        trail.record(Action.REMOVED, obj, actor=request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for obj in queryset:
            trail.record(Action.REMOVED, obj, actor=request.user)
        super().delete_queryset(request, queryset)

from __future__ import annotations

from allauth.usersessions.admin import UserSessionAdmin as BaseUserSessionAdmin
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit import trail
from audit.admin import AuditTrailMixin
from audit.models import Action, AuditEntry
from coworking.admin import SensibleDatesAdmin
from coworking.admin_csv import CsvExportMixin

# Who may do what is for superusers to decide: a manager edits members, not their rights.
SUPERUSER_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


class MemberChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class MemberCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


@admin.register(User)
class UserAdmin(CsvExportMixin, AuditTrailMixin, SensibleDatesAdmin, BaseUserAdmin):
    form = MemberChangeForm
    add_form = MemberCreationForm
    list_display = ("email", "full_name", "karma", "roles", "is_active", "date_joined")
    list_filter = ("is_staff", "groups", "is_superuser", "is_active", "language")
    search_fields = ("email", "full_name")
    csv_columns = [
        (_("email"), lambda u: u.email),
        (_("full name"), lambda u: u.full_name),
        (_("karma"), lambda u: u.karma),
        (_("active"), lambda u: u.is_active),
        (_("staff"), lambda u: u.is_staff),
        (_("member since"), lambda u: u.date_joined),
    ]
    ordering = ("full_name", "email")
    date_hierarchy = "date_joined"
    readonly_fields = ("karma", "date_joined", "last_login")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "language", "karma")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )

    def audit_entries(self, obj: User):
        """On a member's page: changes to the member and to what is theirs."""
        return AuditEntry.objects.filter(
            Q(member=obj) | Q(pk__in=AuditEntry.objects.of_object(obj).values("pk"))
        )

    def audit_trail_url(self, obj: User) -> str:
        return f"{reverse('admin:audit_auditentry_changelist')}?member__id__exact={obj.pk}"

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("groups")

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else (*fields, *SUPERUSER_FIELDS)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    @admin.display(description=_("roles"))
    def roles(self, user: User) -> str:
        names = [str(_("superuser"))] if user.is_superuser else []
        return ", ".join(names + [self.role_name(group.name) for group in user.groups.all()]) or "—"

    def role_name(self, group: str) -> str:
        return group

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        if change:
            before = User.objects.get(pk=obj.pk)
            request._audit_roles_before = sorted(before.groups.values_list("name", flat=True))
            request._audit_staff_before = (before.is_staff, before.is_superuser)
            if before.is_active != obj.is_active:
                trail.record(
                    Action.MEMBER_REACTIVATED if obj.is_active else Action.MEMBER_DEACTIVATED,
                    obj,
                    actor=request.user,
                    member=obj,
                    changes={"is_active": [before.is_active, obj.is_active]},
                )
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        user = form.instance
        before = getattr(request, "_audit_roles_before", [])
        staff_before = getattr(request, "_audit_staff_before", (False, False))
        after = sorted(user.groups.values_list("name", flat=True))
        changes = trail.diff(
            {"groups": before, "is_staff": staff_before[0], "is_superuser": staff_before[1]},
            {"groups": after, "is_staff": user.is_staff, "is_superuser": user.is_superuser},
        )
        if changes:
            trail.record(Action.ROLE_CHANGED, user, actor=request.user, member=user, changes=changes)


# allauth's own admin searches a username, which our members don't have (a FieldError).
admin.site.unregister(UserSession)


@admin.register(UserSession)
class UserSessionAdmin(BaseUserSessionAdmin):
    search_fields = ["user__email", "user__full_name", "ip"]

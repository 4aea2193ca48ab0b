"""The member's admin page as staff use it: what they booked, visited, gave and earned, and
a karma adjustment with a reason (managers). Registered here, above every app, so that
accounts knows nothing of bookings, visits or donations."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.admin import UserAdmin
from accounts.models import User
from bookings.models import Booking
from coworking.admin import CheckedChoicesAdmin
from donations.models import Donation
from staff.roles import ROLE_LABELS
from staff.services import ADJUSTMENT_LIMIT, adjust_karma
from visits.models import Visit

LEDGER_SHOWN = 10


class KarmaAdjustmentForm(forms.Form):
    points = forms.IntegerField(
        label=_("Points"),
        min_value=-ADJUSTMENT_LIMIT,
        max_value=ADJUSTMENT_LIMIT,
        help_text=_("Negative to take karma away."),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=200, help_text=_("Kept in the ledger and the audit trail.")
    )


def _changelist(model, **filters) -> str:
    opts = model._meta
    return f"{reverse(f'admin:{opts.app_label}_{opts.model_name}_changelist')}?{urlencode(filters)}"


class MemberAdmin(CheckedChoicesAdmin, UserAdmin):
    actions = ("adjust_karma_selected",)

    def role_name(self, group: str) -> str:
        """A role by its name in the admin's language (the groups keep their English names)."""
        return str(ROLE_LABELS.get(group, group))

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets.insert(1, (_("Activity"), {"fields": ("activity", "karma_ledger")}))
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "activity", "karma_ledger") if obj is not None else fields

    def has_adjust_karma_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.add_karmaentry")

    @admin.display(description=_("Bookings, visits and donations"))
    def activity(self, member: User) -> str:
        now = timezone.now()
        rows = [
            (
                _changelist(
                    Booking,
                    user__id__exact=member.pk,
                    status__exact=Booking.Status.CONFIRMED,
                    start__gte=now.isoformat(),
                ),
                gettext("Upcoming bookings"),
                Booking.objects.filter(user=member, status=Booking.Status.CONFIRMED, start__gte=now).count(),
            ),
            (
                _changelist(Booking, user__id__exact=member.pk),
                gettext("All bookings"),
                Booking.objects.filter(user=member).count(),
            ),
            (
                _changelist(Visit, user__id__exact=member.pk),
                gettext("Visits"),
                Visit.objects.filter(user=member).count(),
            ),
            (
                _changelist(Donation, donor__id__exact=member.pk),
                gettext("Donations"),
                Donation.objects.filter(donor=member).count(),
            ),
        ]
        return format_html(
            '<ul class="member-activity">{}</ul>',
            format_html_join("", '<li><a href="{}">{}: {}</a></li>', rows),
        )

    @admin.display(description=_("Karma ledger"))
    def karma_ledger(self, member: User) -> str:
        entries = list(member.karma_entries.all()[:LEDGER_SHOWN])
        if not entries:
            return gettext("No karma yet.")
        return format_html(
            '<table data-testid="karma-ledger"><tbody>{}</tbody></table>',
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        date_format(timezone.localtime(entry.created_at), "SHORT_DATETIME_FORMAT"),
                        f"{entry.points:+d}",
                        entry.get_reason_display(),
                        entry.note or "",
                    )
                    for entry in entries
                ),
            ),
        )

    @admin.action(permissions=["adjust_karma"], description=_("Adjust karma (with a reason)…"))
    def adjust_karma_selected(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        members = list(queryset)
        form = KarmaAdjustmentForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                with transaction.atomic():  # all of them or none
                    for member in members:
                        adjust_karma(
                            member, form.cleaned_data["points"], form.cleaned_data["reason"], by=request.user
                        )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "Karma adjusted for %(count)d member.",
                        "Karma adjusted for %(count)d members.",
                        len(members),
                    )
                    % {"count": len(members)},
                    messages.SUCCESS,
                )
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Adjust karma"),
            "opts": self.opts,
            "members": members,
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/accounts/user/adjust_karma.html", context)


admin.site.unregister(User)
admin.site.register(User, MemberAdmin)


class RoleAdmin(CheckedChoicesAdmin, GroupAdmin):
    """Django's groups (the roles are groups), with their permissions checked as every
    many-to-many field of ours is."""


admin.site.unregister(Group)
admin.site.register(Group, RoleAdmin)


from staff import admin_tasks  # noqa: E402, F401  (the tasks' admin, re-registered)
from staff.admin_labels import name_the_libraries_models  # noqa: E402

name_the_libraries_models()

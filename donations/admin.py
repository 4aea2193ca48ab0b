from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditTrailMixin
from coworking.admin import CheckedAutocompleteAdmin, SensibleDatesAdmin, compact_time, field_label
from coworking.admin_csv import CsvExportMixin
from donations.exports import STAFF_COLUMNS
from donations.forms import RejectForm
from donations.models import Donation, DonationStatus, MonthlyGoal
from donations.money import money
from donations.services import (
    DonationError,
    confirm_donation,
    reject_donation,
    send_receipt,
    validate_amount,
)

# Once a receipt exists, what it says is fixed.
LOCKED_WHEN_CONFIRMED = ("donor", "donor_name", "donor_email", "amount", "currency")
ALWAYS_READ_ONLY = (
    "status",
    "created_at",
    "confirmed_at",
    "confirmed_by",
    "rejected_at",
    "rejected_by",
    "rejected_reason",
    "recorded_by",
    "receipt_number",
    "receipt_emailed_at",
)


class DonationAdminForm(forms.ModelForm):
    class Meta:
        model = Donation
        fields = ["donor", "donor_name", "donor_email", "amount", "currency", "message", "is_anonymous"]

    def clean_amount(self) -> Decimal:
        # Only a pledge's amount is editable, and confirming it will check the same rule.
        return validate_amount(self.cleaned_data["amount"])


@admin.register(Donation)
class DonationAdmin(
    CsvExportMixin, AuditTrailMixin, CheckedAutocompleteAdmin, SensibleDatesAdmin, admin.ModelAdmin
):
    form = DonationAdminForm
    list_display = (
        "number",
        "donor_column",
        "amount_column",
        "status",
        "pledged_column",
        "receipt_column",
        "receipt_emailed",
    )
    list_display_links = ("number", "donor_column")
    list_filter = ("status", "is_anonymous", "currency", ("receipt_emailed_at", admin.EmptyFieldListFilter))
    list_select_related = ("donor",)
    search_fields = (
        "donor__email",
        "donor__full_name",
        "donor_name",
        "donor_email",
        "receipt_number",
        "message",
    )
    date_hierarchy = "created_at"
    autocomplete_fields = ("donor",)
    actions = ("confirm_selected", "reject_selected", "resend_receipts")
    # Staff's columns, as in the monthly export.
    csv_columns = [
        (_("No."), lambda d: d.pk),
        (_("Status"), lambda d: d.get_status_display()),
        *STAFF_COLUMNS,
    ]
    fieldsets = (
        (None, {"fields": ("donor", "donor_name", "donor_email", "amount", "currency")}),
        (_("On the wall"), {"fields": ("message", "is_anonymous")}),
        (
            _("Status"),
            {
                "fields": (
                    "status",
                    "created_at",
                    "confirmed_at",
                    "confirmed_by",
                    "receipt_number",
                    "receipt_emailed_at",
                    "rejected_at",
                    "rejected_by",
                    "rejected_reason",
                    "recorded_by",
                )
            },
        ),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Offline money is recorded on the donations desk, which confirms it in one step.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Donation | None = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or not obj.is_confirmed)

    def get_readonly_fields(self, request: HttpRequest, obj: Donation | None = None) -> tuple[str, ...]:
        shown = tuple(super().get_readonly_fields(request, obj))  # the audit trail
        if obj is not None and not obj.is_pledged:
            return shown + ALWAYS_READ_ONLY + LOCKED_WHEN_CONFIRMED
        return shown + ALWAYS_READ_ONLY

    @admin.display(description=_("No."), ordering="pk")
    def number(self, donation: Donation) -> str:
        return f"#{donation.pk}"

    @admin.display(description=_("donor"), ordering="donor__full_name")
    def donor_column(self, donation: Donation) -> str:
        name = donation.real_name
        return f"{name} ({_('anonymous')})" if donation.is_anonymous else name

    @admin.display(description=_("amount"), ordering="amount")
    def amount_column(self, donation: Donation) -> str:
        return money(donation.amount, donation.currency)

    # Short dates, and the confirmation with its receipt in one column: the key columns
    # fit a 1280 px screen (the donor column says "anonymous" where it applies).
    @admin.display(description=field_label(Donation, "created_at"), ordering="created_at")
    def pledged_column(self, donation: Donation) -> str:
        return compact_time(donation.created_at)

    @admin.display(description=_("confirmed, receipt"), ordering="confirmed_at")
    def receipt_column(self, donation: Donation) -> str:
        if not donation.receipt_number:
            return "—"
        return f"{compact_time(donation.confirmed_at)} · №\u00a0{donation.receipt_number}"

    @admin.display(description=_("receipt emailed"), boolean=True)
    def receipt_emailed(self, donation: Donation) -> bool | None:
        return None if not donation.is_confirmed else donation.receipt_emailed_at is not None

    @admin.action(description=_("Confirm the selected pledges (the money has arrived)"))
    def confirm_selected(self, request: HttpRequest, queryset: QuerySet[Donation]) -> None:
        pledges = list(queryset.filter(status=DonationStatus.PLEDGED))
        confirmed, skipped = 0, queryset.count() - len(pledges)
        for donation in pledges:
            try:
                confirmed += confirm_donation(donation, confirmed_by=request.user)
            except DonationError as error:  # rejected meanwhile, or an amount outside the limits
                self.message_user(
                    request,
                    gettext("%(donation)s is not confirmed: %(reason)s")
                    % {"donation": donation, "reason": " ".join(error.messages)},
                    messages.ERROR,
                )
        self.message_user(
            request,
            ngettext("%(count)d donation confirmed.", "%(count)d donations confirmed.", confirmed)
            % {"count": confirmed},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d was not a waiting pledge and was left alone.",
                    "%(count)d were not waiting pledges and were left alone.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Reject the selected pledges…"))
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[Donation]) -> HttpResponse | None:
        pledges = queryset.filter(status=DonationStatus.PLEDGED).select_related("donor")
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            rejected = 0
            for donation in pledges:
                try:
                    rejected += reject_donation(
                        donation, form.cleaned_data["reason"], rejected_by=request.user
                    )
                except DonationError:  # confirmed meanwhile
                    continue
            self.message_user(
                request,
                ngettext("%(count)d pledge rejected.", "%(count)d pledges rejected.", rejected)
                % {"count": rejected},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reject pledges"),
            "opts": self.model._meta,
            "form": form,
            "pledges": pledges,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/donations/reject_pledges.html", context)

    @admin.action(description=_("Email the receipt again"))
    def resend_receipts(self, request: HttpRequest, queryset: QuerySet[Donation]) -> None:
        sent = sum(send_receipt(pk) for pk in queryset.confirmed().values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d receipt sent.", "%(count)d receipts sent.", sent) % {"count": sent},
            messages.SUCCESS,
        )


class MonthlyGoalForm(forms.ModelForm):
    class Meta:
        model = MonthlyGoal
        fields = ["month", "amount", "description"]

    def clean_month(self):
        return self.cleaned_data["month"].replace(day=1)


@admin.register(MonthlyGoal)
class MonthlyGoalAdmin(SensibleDatesAdmin, admin.ModelAdmin):
    form = MonthlyGoalForm
    list_display = ("month_column", "amount_column", "description")
    search_fields = ("description",)
    date_hierarchy = "month"

    @admin.display(description=_("month"), ordering="month")
    def month_column(self, goal: MonthlyGoal) -> str:
        return f"{goal.month:%Y-%m}"

    @admin.display(description=_("goal"), ordering="amount")
    def amount_column(self, goal: MonthlyGoal) -> str:
        return money(goal.amount, settings.DONATION_CURRENCY)

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from api.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from api.tasks import deliver_webhook
from coworking.admin import SensibleDatesAdmin, field_label, preview
from coworking.tasks import enqueue_on_commit


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("url", "description", "events", "secret", "is_active")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(SensibleDatesAdmin, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("url", "description", "event_list", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "description")

    @admin.display(description=_("events"))
    def event_list(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.events)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(SensibleDatesAdmin, admin.ModelAdmin):
    list_display = (
        "event",
        "endpoint",
        "created_at",
        "status",
        "attempts",
        "last_status_code",
        "error_column",
    )
    list_filter = ("status", "event", "endpoint")
    list_select_related = ("endpoint",)
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]
    actions = ("send_again",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=field_label(WebhookDelivery, "last_error"))
    def error_column(self, delivery: WebhookDelivery) -> str:
        return preview(delivery.last_error)

    @admin.action(description=_("Send the selected deliveries again"))
    def send_again(self, request: HttpRequest, queryset: QuerySet) -> None:
        again = list(queryset.exclude(status=WebhookDelivery.Status.DELIVERED).values_list("pk", flat=True))
        WebhookDelivery.objects.filter(pk__in=again).update(status=WebhookDelivery.Status.PENDING, attempts=0)
        for pk in again:
            enqueue_on_commit(deliver_webhook, pk)
        count = len(again)
        self.message_user(
            request,
            ngettext("%(count)d delivery queued.", "%(count)d deliveries queued.", count) % {"count": count},
            messages.SUCCESS,
        )

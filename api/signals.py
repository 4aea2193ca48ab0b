"""Which saves are webhook events. Connected in ApiConfig.ready; the apps that send
them know nothing of webhooks."""

from __future__ import annotations

from django.db.models.signals import post_save

from api import webhooks
from api.models import WebhookEvent
from bookings.models import Booking
from bookings.signals import booking_attended
from donations.models import Donation, DonationStatus
from visits.models import Visit


def _changed(kwargs: dict, field: str) -> bool:
    return field in (kwargs.get("update_fields") or ())


def booking_saved(sender, instance: Booking, created: bool, **kwargs) -> None:
    if created:
        webhooks.emit(WebhookEvent.BOOKING_CREATED, webhooks.booking_data(instance))
    elif _changed(kwargs, "status") and instance.status == Booking.Status.CANCELLED:
        webhooks.emit(WebhookEvent.BOOKING_CANCELLED, webhooks.booking_data(instance))
    elif _changed(kwargs, "status") and instance.status == Booking.Status.RELEASED:
        webhooks.emit(WebhookEvent.BOOKING_NO_SHOW, webhooks.booking_data(instance))


def booking_checked_in(sender, booking: Booking, **kwargs) -> None:
    webhooks.emit(WebhookEvent.BOOKING_CHECKED_IN, webhooks.booking_data(booking))


def visit_saved(sender, instance: Visit, created: bool, **kwargs) -> None:
    if created:
        webhooks.emit(WebhookEvent.VISIT_STARTED, webhooks.visit_data(instance))
    elif _changed(kwargs, "checked_out_at") and instance.checked_out_at:
        webhooks.emit(WebhookEvent.VISIT_ENDED, webhooks.visit_data(instance))


def donation_saved(sender, instance: Donation, created: bool, **kwargs) -> None:
    if _changed(kwargs, "status") and instance.status == DonationStatus.CONFIRMED:
        webhooks.emit(WebhookEvent.DONATION_CONFIRMED, webhooks.donation_data(instance))


def connect() -> None:
    post_save.connect(booking_saved, sender=Booking, dispatch_uid="api.webhooks.booking")
    post_save.connect(visit_saved, sender=Visit, dispatch_uid="api.webhooks.visit")
    post_save.connect(donation_saved, sender=Donation, dispatch_uid="api.webhooks.donation")
    booking_attended.connect(booking_checked_in, dispatch_uid="api.webhooks.attended")

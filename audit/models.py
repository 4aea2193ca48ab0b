"""The audit trail: who did what to which object, when, what it was before and after, and why.

Append-only: an entry is written once by audit.record and never changed or deleted, by
the admin or by code (save refuses an update, delete refuses). The object is a generic
reference, so this app knows nothing of the apps that record into it; `member` is the
member the change is about, so members can see the entries about themselves.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    BOOKED_ON_BEHALF = "booking.on_behalf", _("Booked on a member's behalf")
    BOOKING_CANCELLED = "booking.cancelled", _("Booking cancelled by staff")
    BOOKING_MOVED = "booking.moved", _("Booking moved")
    RULES_OVERRIDDEN = "booking.rules_overridden", _("Booking rules overridden")
    KARMA_ADJUSTED = "karma.adjusted", _("Karma adjusted")
    DONATION_RECORDED = "donation.recorded", _("Offline donation recorded")
    DONATION_CONFIRMED = "donation.confirmed", _("Donation confirmed")
    DONATION_REJECTED = "donation.rejected", _("Donation rejected")
    ROLE_CHANGED = "member.roles", _("Roles changed")
    MEMBER_DEACTIVATED = "member.deactivated", _("Member deactivated")
    MEMBER_REACTIVATED = "member.reactivated", _("Member reactivated")
    ADDED = "added", _("Added in the admin")
    CHANGED = "changed", _("Changed in the admin")
    REMOVED = "removed", _("Deleted or deactivated")


# What members see about themselves: their bookings and their karma.
MEMBER_VISIBLE = (
    Action.BOOKED_ON_BEHALF,
    Action.BOOKING_CANCELLED,
    Action.BOOKING_MOVED,
    Action.RULES_OVERRIDDEN,
    Action.KARMA_ADJUSTED,
)


class AuditEntryQuerySet(models.QuerySet):
    def about_member(self, member) -> AuditEntryQuerySet:
        return self.filter(member=member, action__in=MEMBER_VISIBLE)

    def of_object(self, obj: models.Model) -> AuditEntryQuerySet:
        from django.contrib.contenttypes.models import ContentType

        return self.filter(target_type=ContentType.objects.get_for_model(obj), target_id=obj.pk)

    def update(self, **kwargs):
        raise TypeError("Audit entries are append-only.")

    def delete(self):
        raise TypeError("Audit entries are append-only.")


class AuditEntry(models.Model):
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_actions",
    )
    action = models.CharField(_("action"), max_length=32, choices=Action.choices, db_index=True)
    target_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("object type"), on_delete=models.PROTECT
    )
    target_id = models.PositiveBigIntegerField(_("object id"))
    target = GenericForeignKey("target_type", "target_id")
    # The object's name when it happened: it reads even after the object is gone.
    target_repr = models.CharField(_("object"), max_length=200)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member concerned"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    changes = models.JSONField(_("before and after"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "-at"], name="audit_target_recent"),
            models.Index(fields=["member", "-at"], name="audit_member_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.target_repr}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise TypeError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit entries are append-only.")

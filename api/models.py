"""Credentials for the API: personal access tokens and JWT sessions.

Only a SHA-256 digest of a personal access token is stored: the token is 32 random
bytes, so a slow hash would add nothing, and the digest is looked up directly.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    READ = "read", _("Read")
    READ_WRITE = "read_write", _("Read and write")
    STAFF = "staff", _("Staff")


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now), revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal access token for an integration; shown once, then only its prefix."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("member"),
    )
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices, default=Scope.READ)
    # The first characters of the token, so the member can tell tokens apart.
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("personal access token")
        verbose_name_plural = _("personal access tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())


class JwtSession(models.Model):
    """One login of an app: the chain of refresh tokens it rotates through.

    Access tokens name their session, so logging out (revoking the session) ends them
    at once, not only when they expire.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("app session")
        verbose_name_plural = _("app sessions")

    def __str__(self) -> str:
        return str(self.pk)


class RefreshToken(models.Model):
    """A refresh token handed out once; using it twice revokes its whole session."""

    jti = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(JwtSession, on_delete=models.CASCADE, related_name="refresh_tokens")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return str(self.jti)


class WebhookEvent(models.TextChoices):
    BOOKING_CREATED = "booking.created", "booking.created"
    BOOKING_CANCELLED = "booking.cancelled", "booking.cancelled"
    BOOKING_CHECKED_IN = "booking.checked_in", "booking.checked_in"
    BOOKING_NO_SHOW = "booking.no_show", "booking.no_show"
    VISIT_STARTED = "visit.started", "visit.started"
    VISIT_ENDED = "visit.ended", "visit.ended"
    DONATION_CONFIRMED = "donation.confirmed", "donation.confirmed"


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """An external system told about events: a JSON POST signed with its secret."""

    url = models.URLField(
        _("URL"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Where the events are POSTed (https in production)."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret = models.CharField(
        _("secret"),
        max_length=100,
        default=new_webhook_secret,
        help_text=_("Signs every delivery (HMAC-SHA256); give it to the receiving system."),
    )
    events = models.JSONField(_("events"), default=list, help_text=_("The events sent to this endpoint."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["url"]

    def __str__(self) -> str:
        return self.description or self.url


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed, gave up")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}"

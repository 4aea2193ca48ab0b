"""Bookings of desks and whole rooms, the rules they obey, and their notifications.

A booking holds exactly one desk (in an open-space room) or one room that is booked
whole (meeting room, private office); see spaces.models. Times are aware UTC instants
forming the half-open interval [start, end), so back-to-back bookings do not overlap.

On PostgreSQL an exclusion constraint per desk and per room stands behind the check in
bookings.services, so no code path (a race, the admin, a command) can store an overlap.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Func, Q
from django.templatetags.tz import do_timezone
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spaces.models import Building, Desk, Room


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint on PostgreSQL; nothing on SQLite.

    SQLite (the embedded default) serializes every booking transaction instead
    (IMMEDIATE transactions), so the application check alone is race-free there.
    """

    def constraint_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        if connections[using].vendor != "postgresql":
            return
        super().validate(model, instance, exclude=exclude, using=using)


class BookingRules(models.Model):
    """The rules every building follows unless it overrides them (one row, pk=1)."""

    slot_minutes = models.PositiveSmallIntegerField(
        _("slot granularity (minutes)"), default=30, help_text=_("Bookings start and end on this grid.")
    )
    min_duration_minutes = models.PositiveIntegerField(_("minimum duration (minutes)"), default=30)
    max_duration_minutes = models.PositiveIntegerField(_("maximum duration (minutes)"), default=12 * 60)
    max_days_ahead = models.PositiveSmallIntegerField(_("book at most this many days ahead"), default=30)
    max_upcoming_bookings = models.PositiveSmallIntegerField(
        _("upcoming bookings per member"), default=20, help_text=_("Every occurrence of a series counts.")
    )
    cancellation_cutoff_minutes = models.PositiveIntegerField(
        _("cancellation cut-off (minutes before start)"), default=60
    )

    class Meta:
        verbose_name = _("booking rules")
        verbose_name_plural = _("booking rules")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="booking_rules_singleton")]

    def __str__(self) -> str:
        return str(_("Default booking rules"))

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> BookingRules:
        rules, _created = cls.objects.get_or_create(pk=1)
        return rules


RULE_FIELDS = (
    "slot_minutes",
    "min_duration_minutes",
    "max_duration_minutes",
    "max_days_ahead",
    "max_upcoming_bookings",
    "cancellation_cutoff_minutes",
)


class BuildingRules(models.Model):
    """A building's overrides of the default rules; an empty field inherits the default."""

    building = models.OneToOneField(Building, on_delete=models.CASCADE, related_name="booking_rules")
    slot_minutes = models.PositiveSmallIntegerField(_("slot granularity (minutes)"), null=True, blank=True)
    min_duration_minutes = models.PositiveIntegerField(_("minimum duration (minutes)"), null=True, blank=True)
    max_duration_minutes = models.PositiveIntegerField(_("maximum duration (minutes)"), null=True, blank=True)
    max_days_ahead = models.PositiveSmallIntegerField(
        _("book at most this many days ahead"), null=True, blank=True
    )
    max_upcoming_bookings = models.PositiveSmallIntegerField(
        _("upcoming bookings per member"), null=True, blank=True
    )
    cancellation_cutoff_minutes = models.PositiveIntegerField(
        _("cancellation cut-off (minutes before start)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("building rules")
        verbose_name_plural = _("building rules")

    def __str__(self) -> str:
        return str(self.building)


class BookingSeries(models.Model):
    """A recurring booking: its occurrences are ordinary bookings pointing here."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="booking_series"
    )
    frequency = models.CharField(_("repeats"), max_length=10, choices=Frequency.choices)
    # Weekday numbers (Monday = 0) for weekly series, e.g. "0,2,4".
    weekdays = models.CharField(_("weekdays"), max_length=20, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(_("occurrences"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("booking series")
        verbose_name_plural = _("booking series")

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} #{self.pk}"


class BookingQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Booking.Status.CONFIRMED)

    def overlapping(self, start, end):
        """Bookings whose [start, end) meets the half-open interval [start, end)."""
        return self.filter(start__lt=end, end__gt=start)

    def upcoming(self, now=None):
        return self.active().filter(end__gt=now or timezone.now())


class Booking(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
        RELEASED = "released", _("Released (no-show)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("member")
    )
    # The building is derived from the desk or room and stored for the day view and
    # availability queries, which select by building and time.
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        related_name="bookings",
        editable=False,
        verbose_name=_("building"),
    )
    desk = models.ForeignKey(
        Desk, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings", verbose_name=_("desk")
    )
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings", verbose_name=_("room")
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CONFIRMED)
    series = models.ForeignKey(
        BookingSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="bookings"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rules_overridden = models.BooleanField(
        _("rules overridden by staff"),
        default=False,
        help_text=_("Staff booked outside the rules on purpose. Overlaps are never allowed."),
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("reason"), max_length=500, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    # Bumped on every change published to calendars (iCalendar SEQUENCE).
    sequence = models.PositiveIntegerField(default=0, editable=False)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["start"]
        indexes = [
            # The day view: one building's active bookings that end after the day starts,
            # so years of history do not slow it down.
            models.Index(
                fields=["building", "end"],
                condition=Q(status="confirmed"),
                name="booking_building_end_active",
            ),
            # My bookings, quota.
            models.Index(fields=["user", "status", "end"], name="booking_user_status_end"),
            # Is this desk or room taken? Only active bookings that have not ended matter,
            # so a long history does not slow the availability search (see bench/).
            models.Index(
                fields=["desk", "end"], condition=Q(status="confirmed"), name="booking_desk_end_active"
            ),
            models.Index(
                fields=["room", "end"], condition=Q(status="confirmed"), name="booking_room_end_active"
            ),
            # Reminders and no-shows scan upcoming confirmed bookings by start.
            models.Index(fields=["status", "start"], name="booking_status_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(desk__isnull=False, room__isnull=True) | Q(desk__isnull=True, room__isnull=False)
                ),
                name="booking_desk_xor_room",
                violation_error_message=_("A booking is for one desk or one room."),
            ),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")),
                name="booking_end_after_start",
                violation_error_message=_("The end must be after the start."),
            ),
            PostgresExclusionConstraint(
                name="booking_no_overlap_desk",
                expressions=[
                    (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("desk", "="),
                ],
                condition=Q(status="confirmed", desk__isnull=False),
                violation_error_message=_("This desk is already booked for that time."),
            ),
            PostgresExclusionConstraint(
                name="booking_no_overlap_room",
                expressions=[
                    (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("room", "="),
                ],
                condition=Q(status="confirmed", room__isnull=False),
                violation_error_message=_("This room is already booked for that time."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} · {self.start:%Y-%m-%d %H:%M}"

    @property
    def resource(self) -> Desk | Room:
        return self.desk if self.desk_id else self.room

    # In the building's zone, and marked so that the template `date` filter keeps them
    # there instead of converting to the current zone.
    @property
    def local_start(self):
        return do_timezone(self.start, self.building.zone)

    @property
    def local_end(self):
        return do_timezone(self.end, self.building.zone)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.CONFIRMED


class Notification(models.Model):
    """An email about a booking, recorded with the booking and sent after it commits.

    A failing mail server leaves the row pending with the error; `manage.py
    send_notifications` retries. One row per booking and kind, so nothing is sent twice.
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Confirmation")
        CANCELLATION = "cancellation", _("Cancellation")
        REMINDER = "reminder", _("Reminder")
        RELEASED = "released", _("Released (no-show)")

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=["booking", "kind"], name="one_notification_per_kind")]
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(sent_at__isnull=True), name="notification_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.booking_id}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A member's private iCalendar feed URL; regenerating the token revokes the old URL."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)

    def regenerate(self) -> None:
        self.token = new_feed_token()
        self.save(update_fields=["token"])

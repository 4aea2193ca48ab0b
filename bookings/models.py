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
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import F, Func, Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.templatetags.tz import do_timezone
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from spaces.models import Building, Desk, Room


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class BookingSpanIndex(models.Index):
    """A GiST index of (building, [start, end)) on PostgreSQL: "the bookings of this building
    that meet this window" is then bounded on both ends, however long the history is and
    however long a booking may last (staff may override the maximum duration).

    SQLite has neither GiST nor ranges: there the same name is a B-tree on (building, start).
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=" USING gist", **kwargs)
        fallback = models.Index(fields=["building", "start"], name=self.name, condition=self.condition)
        return fallback.create_sql(model, schema_editor, **kwargs)


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


# The bounds of every rule (inclusive). A slot must also divide the day, so that every
# day's grid starts at midnight; values outside these are typos that would make the
# booking pages loop or refuse everything.
RULE_BOUNDS = {
    "slot_minutes": (5, 240),
    "min_duration_minutes": (1, 7 * 24 * 60),
    "max_duration_minutes": (1, 7 * 24 * 60),
    "max_days_ahead": (1, 1000),
    "max_upcoming_bookings": (0, 1000),
    "cancellation_cutoff_minutes": (0, 7 * 24 * 60),
    "max_concurrent_desks": (1, 100),
    "series_days_ahead": (1, 1000),
}
RULE_FIELDS = tuple(RULE_BOUNDS)
MINUTES_PER_DAY = 24 * 60
SLOT_CHOICES = [
    m
    for m in range(RULE_BOUNDS["slot_minutes"][0], RULE_BOUNDS["slot_minutes"][1] + 1)
    if MINUTES_PER_DAY % m == 0
]


@deconstructible
class RuleBounds:
    """A rule's value lies within RULE_BOUNDS (the slot also divides the day)."""

    def __init__(self, name: str):
        self.name = name

    def __call__(self, value: int) -> None:
        low, high = RULE_BOUNDS[self.name]
        if not low <= value <= high:
            raise ValidationError(
                _("Enter a number from %(low)d to %(high)d."),
                code="out_of_range",
                params={"low": low, "high": high},
            )
        if self.name == "slot_minutes" and MINUTES_PER_DAY % value:
            raise ValidationError(
                _("The slot must divide the day evenly, e.g. 15, 30 or 60 minutes; %(value)d does not."),
                code="slot_not_dividing_day",
                params={"value": value},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RuleBounds) and other.name == self.name


def _in_bounds(name: str) -> Q:
    if name == "slot_minutes":
        return Q(slot_minutes__in=SLOT_CHOICES)
    low, high = RULE_BOUNDS[name]
    return Q(**{f"{name}__gte": low, f"{name}__lte": high})


def rule_constraints(prefix: str, *, nullable: bool) -> list[models.CheckConstraint]:
    """The database's guard behind the forms: every rule in bounds, min <= max.
    A building's override may be empty (NULL: it inherits the default)."""
    min_le_max = Q(min_duration_minutes__lte=models.F("max_duration_minutes"))
    if nullable:
        min_le_max |= Q(min_duration_minutes__isnull=True) | Q(max_duration_minutes__isnull=True)
    constraints = [
        models.CheckConstraint(
            condition=(Q(**{f"{name}__isnull": True}) | _in_bounds(name)) if nullable else _in_bounds(name),
            name=f"{prefix}_{name}_in_bounds",
            violation_error_message=_("A booking rule is outside its allowed range."),
        )
        for name in RULE_FIELDS
    ]
    constraints.append(
        models.CheckConstraint(
            condition=min_le_max,
            name=f"{prefix}_min_duration_le_max",
            violation_error_message=_("The minimum duration is longer than the maximum duration."),
        )
    )
    return constraints


def _min_longer_than_max() -> ValidationError:
    return ValidationError(
        {"max_duration_minutes": _("The maximum duration must be at least the minimum duration.")},
        code="min_longer_than_max",
    )


class BookingRules(models.Model):
    """The rules every building follows unless it overrides them (one row, pk=1)."""

    slot_minutes = models.PositiveSmallIntegerField(
        _("slot granularity (minutes)"),
        default=30,
        validators=[RuleBounds("slot_minutes")],
        help_text=_("Bookings start and end on this grid."),
    )
    min_duration_minutes = models.PositiveIntegerField(
        _("minimum duration (minutes)"), default=30, validators=[RuleBounds("min_duration_minutes")]
    )
    max_duration_minutes = models.PositiveIntegerField(
        _("maximum duration (minutes)"), default=12 * 60, validators=[RuleBounds("max_duration_minutes")]
    )
    max_days_ahead = models.PositiveSmallIntegerField(
        _("book at most this many days ahead"), default=30, validators=[RuleBounds("max_days_ahead")]
    )
    max_upcoming_bookings = models.PositiveSmallIntegerField(
        _("upcoming bookings per member"),
        default=20,
        validators=[RuleBounds("max_upcoming_bookings")],
        help_text=_("Every occurrence of a series counts."),
    )
    cancellation_cutoff_minutes = models.PositiveIntegerField(
        _("cancellation cut-off (minutes before start)"),
        default=60,
        validators=[RuleBounds("cancellation_cutoff_minutes")],
    )
    max_concurrent_desks = models.PositiveSmallIntegerField(
        _("desks per member at the same time"),
        default=1,
        validators=[RuleBounds("max_concurrent_desks")],
        help_text=_("Counted across all buildings; meeting rooms and offices do not count."),
    )
    series_days_ahead = models.PositiveSmallIntegerField(
        _("book a recurring series at most this many days ahead"),
        default=90,
        validators=[RuleBounds("series_days_ahead")],
        help_text=_("The horizon of recurring bookings, instead of the single-booking one."),
    )

    class Meta:
        verbose_name = _("booking rules")
        verbose_name_plural = _("booking rules")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="booking_rules_singleton"),
            *rule_constraints("booking_rules", nullable=False),
        ]

    def __str__(self) -> str:
        return str(_("Default booking rules"))

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)

    def clean(self) -> None:
        least, most = self.min_duration_minutes, self.max_duration_minutes
        if least is None or most is None:
            return  # the field's own error says what is missing
        if least > most:
            raise _min_longer_than_max()
        # A building overriding only one of the two durations combines it with these.
        clashing = BuildingRules.objects.filter(
            Q(max_duration_minutes__isnull=True, min_duration_minutes__gt=most)
            | Q(min_duration_minutes__isnull=True, max_duration_minutes__lt=least)
        ).select_related("building")
        if clashing:
            raise ValidationError(
                _(
                    "With these durations the minimum would exceed the maximum in: %(buildings)s. "
                    "Change those buildings' rules first."
                ),
                code="min_longer_than_max",
                params={"buildings": ", ".join(str(rules.building) for rules in clashing)},
            )

    @classmethod
    def load(cls) -> BookingRules:
        rules, _created = cls.objects.get_or_create(pk=1)
        return rules


class BuildingRules(models.Model):
    """A building's overrides of the default rules; an empty field inherits the default."""

    building = models.OneToOneField(
        Building, verbose_name=_("building"), on_delete=models.CASCADE, related_name="booking_rules"
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot granularity (minutes)"), null=True, blank=True, validators=[RuleBounds("slot_minutes")]
    )
    min_duration_minutes = models.PositiveIntegerField(
        _("minimum duration (minutes)"),
        null=True,
        blank=True,
        validators=[RuleBounds("min_duration_minutes")],
    )
    max_duration_minutes = models.PositiveIntegerField(
        _("maximum duration (minutes)"),
        null=True,
        blank=True,
        validators=[RuleBounds("max_duration_minutes")],
    )
    max_days_ahead = models.PositiveSmallIntegerField(
        _("book at most this many days ahead"),
        null=True,
        blank=True,
        validators=[RuleBounds("max_days_ahead")],
    )
    max_upcoming_bookings = models.PositiveSmallIntegerField(
        _("upcoming bookings per member"),
        null=True,
        blank=True,
        validators=[RuleBounds("max_upcoming_bookings")],
    )
    cancellation_cutoff_minutes = models.PositiveIntegerField(
        _("cancellation cut-off (minutes before start)"),
        null=True,
        blank=True,
        validators=[RuleBounds("cancellation_cutoff_minutes")],
    )
    max_concurrent_desks = models.PositiveSmallIntegerField(
        _("desks per member at the same time"),
        null=True,
        blank=True,
        validators=[RuleBounds("max_concurrent_desks")],
        help_text=_("Counted across all buildings, against the limit of the building being booked."),
    )
    series_days_ahead = models.PositiveSmallIntegerField(
        _("book a recurring series at most this many days ahead"),
        null=True,
        blank=True,
        validators=[RuleBounds("series_days_ahead")],
    )

    class Meta:
        verbose_name = _("building rules")
        verbose_name_plural = _("building rules")
        constraints = rule_constraints("building_rules", nullable=True)

    def __str__(self) -> str:
        return str(self.building)

    def clean(self) -> None:
        # An empty field inherits the default, so the pair that counts is the effective one.
        defaults = BookingRules.load()
        least = self.min_duration_minutes or defaults.min_duration_minutes
        most = self.max_duration_minutes or defaults.max_duration_minutes
        if least > most:
            raise _min_longer_than_max()


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
        """Bookings whose [start, end) meets the half-open interval [start, end).

        On PostgreSQL also said as a range overlap, the one form the GiST indexes (the
        exclusion constraints' per desk and room, booking_building_span_active per
        building) can serve with both ends bounded; the plain comparisons alone walk the
        history on one side of the window.
        """
        overlapping = self.filter(start__lt=end, end__gt=start)
        # An empty window (start == end: "what holds this instant?") is no range to overlap.
        if connections[self.db].vendor == "postgresql" and start < end:
            overlapping = overlapping.alias(span=TsTzRange("start", "end", RangeBoundary())).filter(
                span__overlap=DateTimeTZRange(start, end)
            )
        return overlapping

    def upcoming(self, now=None):
        return self.active().filter(end__gt=now or timezone.now())

    def past_or_cancelled(self, now=None):
        """A member's history, newest first (booking_user_recent reads it in this order)."""
        ended = Q(end__lte=now or timezone.now()) | ~Q(status=Booking.Status.CONFIRMED)
        return self.filter(ended).order_by("-start", "-pk")


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
            # The day and week views: one building's active bookings that meet a window,
            # bounded on both ends, so years of history do not slow them down.
            BookingSpanIndex(
                F("building"),
                TsTzRange("start", "end", RangeBoundary()),
                condition=Q(status="confirmed"),
                name="booking_building_span_active",
            ),
            # My bookings, quota.
            models.Index(fields=["user", "status", "end"], name="booking_user_status_end"),
            # My past bookings, newest first: a page is read in order, never the whole history.
            models.Index(F("user"), F("start").desc(), F("id").desc(), name="booking_user_recent"),
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

    @classmethod
    def from_db(cls, db, field_names, values, *, fetch_mode=None):
        booking = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        # A booking moved to another building changes the pages of both.
        booking._loaded_building_id = booking.__dict__.get("building_id")
        return booking

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
        UPDATED = "updated", _("Update")

    booking = models.ForeignKey(
        Booking, verbose_name=_("booking"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

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


# What the day grid and the other booking pages show changes with every booking and rule:
# the buildings' versions change in the same transaction (spaces.models.Building.version).


@receiver(post_save, sender=Booking)
@receiver(post_delete, sender=Booking)
def booking_changed(sender, instance: Booking, **kwargs) -> None:
    loaded = getattr(instance, "_loaded_building_id", None)
    Building.changed(pk__in={instance.building_id, loaded} - {None})


@receiver(post_save, sender=BuildingRules)
@receiver(post_delete, sender=BuildingRules)
def building_rules_changed(sender, instance: BuildingRules, **kwargs) -> None:
    Building.changed(pk=instance.building_id)


@receiver(post_save, sender=BookingRules)
def default_rules_changed(sender, instance: BookingRules, **kwargs) -> None:
    Building.changed()


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A member's private iCalendar feed URL; regenerating the token revokes the old URL."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)

    def regenerate(self) -> None:
        self.token = new_feed_token()
        self.save(update_fields=["token"])

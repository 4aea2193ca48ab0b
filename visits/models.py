"""Visits: a member's presence in a building, from check-in to check-out.

A visit is open while `checked_out_at` is empty. The database keeps at most one open
visit per member (a partial unique index), so two taps or two devices can never open
two. Times are aware UTC instants; pages show them in the building's zone.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.templatetags.tz import do_timezone
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spaces.models import Building, Desk, Room


def minutes_between(start: dt.datetime, end: dt.datetime) -> int:
    """Whole minutes of real elapsed time (aware instants: right across DST and midnight)."""
    return max(0, int((end - start) // dt.timedelta(minutes=1)))


def _recorded_by(verbose_name) -> models.ForeignKey:
    """Who did it: the member themself, or staff at the front desk."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


class VisitQuerySet(models.QuerySet):
    def open(self):
        return self.filter(checked_out_at__isnull=True)

    def closed(self):
        return self.filter(checked_out_at__isnull=False)


class Visit(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="visits", verbose_name=_("member")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="visits", verbose_name=_("building")
    )
    checked_in_at = models.DateTimeField(_("checked in"), default=timezone.now)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    closed_automatically = models.BooleanField(
        _("closed automatically"),
        default=False,
        help_text=_("The member did not check out; the visit was closed at the building's closing time."),
    )
    checked_in_by = _recorded_by(_("checked in by"))
    checked_out_by = _recorded_by(_("checked out by"))
    booking = models.ForeignKey(
        "bookings.Booking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("booking attended"),
    )

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-checked_in_at", "-pk"]
        indexes = [
            # A member's history, newest first.
            models.Index(F("user"), F("checked_in_at").desc(), name="visit_user_recent"),
            # Who is in now: the open visits of a building.
            models.Index(fields=["building"], condition=Q(checked_out_at__isnull=True), name="visit_open"),
            # Statistics over a date range.
            models.Index(fields=["checked_in_at"], name="visit_checked_in_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(checked_out_at__isnull=True),
                name="one_open_visit_per_member",
                violation_error_message=_("This member is already checked in."),
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_out_at__gte=F("checked_in_at")),
                name="visit_out_after_in",
                violation_error_message=_("The check-out must be after the check-in."),
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True, duration_minutes__isnull=True)
                | Q(checked_out_at__isnull=False, duration_minutes__isnull=False),
                name="visit_duration_when_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.building} · {self.local_checked_in_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.checked_out_at is None

    # In the building's zone, and marked so that the template date and time filters keep
    # them there instead of converting to the current zone.
    @property
    def local_checked_in_at(self) -> dt.datetime:
        return do_timezone(self.checked_in_at, self.building.zone)

    @property
    def local_checked_out_at(self) -> dt.datetime | None:
        if self.checked_out_at is None:
            return None
        return do_timezone(self.checked_out_at, self.building.zone)

    def elapsed_minutes(self, now: dt.datetime | None = None) -> int:
        """Minutes so far for an open visit, the stored duration for a closed one."""
        if self.duration_minutes is not None:
            return self.duration_minutes
        return minutes_between(self.checked_in_at, now or timezone.now())


def new_place_token() -> str:
    # 12 URL-safe characters (72 random bits): short enough for a small QR code,
    # far too many to guess one.
    return secrets.token_urlsafe(9)


class PlaceCodeQuerySet(models.QuerySet):
    def for_places(self, desks: list[Desk], rooms: list[Room]) -> dict[tuple[str, int], PlaceCode]:
        """The codes of these places, by ("desk"|"room", pk), made for those that have none yet."""
        wanted = [PlaceCode(desk=desk) for desk in desks] + [PlaceCode(room=room) for room in rooms]
        self.bulk_create(wanted, ignore_conflicts=True)
        codes = self.filter(Q(desk__in=desks) | Q(room__in=rooms))
        return {code.key: code for code in codes}


class PlaceCode(models.Model):
    """The token behind a desk's or room's QR code (/q/<token>/): scanning it checks the
    member in there. Staff replace the token when a printed code leaks; the old one then
    leads nowhere. Made on first need (the QR sheet, the admin)."""

    token = models.CharField(_("token"), max_length=32, unique=True, default=new_place_token)
    desk = models.OneToOneField(
        Desk, on_delete=models.CASCADE, null=True, blank=True, related_name="code", verbose_name=_("desk")
    )
    room = models.OneToOneField(
        Room, on_delete=models.CASCADE, null=True, blank=True, related_name="code", verbose_name=_("room")
    )
    rotated_at = models.DateTimeField(_("token made"), default=timezone.now)

    objects = PlaceCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("QR code of a place")
        verbose_name_plural = _("QR codes of places")
        constraints = [
            models.CheckConstraint(
                condition=Q(desk__isnull=False, room__isnull=True) | Q(desk__isnull=True, room__isnull=False),
                name="place_code_desk_xor_room",
                violation_error_message=_("A QR code is for one desk or one room."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.place)

    @property
    def place(self) -> Desk | Room:
        return self.desk if self.desk_id else self.room

    @property
    def key(self) -> tuple[str, int]:
        return ("desk", self.desk_id) if self.desk_id else ("room", self.room_id)

    def rotate(self) -> None:
        """A new token: the printed code stops working."""
        self.token = new_place_token()
        self.rotated_at = timezone.now()
        self.save(update_fields=["token", "rotated_at"])

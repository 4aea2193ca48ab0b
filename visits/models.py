"""Visits: a member's presence in a building, from check-in to check-out.

A visit is open while `checked_out_at` is empty. The database keeps at most one open
visit per member (a partial unique index), so two taps or two devices can never open
two. Times are aware UTC instants; pages show them in the building's zone.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.templatetags.tz import do_timezone
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spaces.models import Building


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

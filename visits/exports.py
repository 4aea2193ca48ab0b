"""CSV files: visit history (a member's own, or everyone's for staff) and statistics."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpResponse
from django.utils.translation import gettext as _

from coworking.exports import csv_response
from visits.models import Visit
from visits.stats import Statistics


def _local(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def visits_csv(visits: Iterable[Visit]) -> HttpResponse:
    header = [
        _("Member"),
        _("Email"),
        _("Building"),
        _("Checked in"),
        _("Checked out"),
        _("Minutes"),
        _("Closed automatically"),
        _("Booking"),
    ]
    rows = (
        [
            visit.user.full_name,
            visit.user.email,
            visit.building.name,
            _local(visit.local_checked_in_at),
            _local(visit.local_checked_out_at),
            "" if visit.duration_minutes is None else visit.duration_minutes,
            _("yes") if visit.closed_automatically else _("no"),
            visit.booking_id or "",
        ]
        for visit in visits
    )
    return csv_response("visits.csv", header, rows)


def statistics_csv(kind: str, stats: Statistics) -> HttpResponse:
    """One chart's numbers: kind is "days", "hours" or "buildings"."""
    period = f"{stats.start:%Y%m%d}-{stats.end:%Y%m%d}"
    if kind == "days":
        header = [_("Date"), _("Visits"), _("Minutes")]
        rows = ([day.day.isoformat(), day.visits, day.minutes] for day in stats.days)
    elif kind == "hours":
        header = [_("Weekday (1 = Monday)"), _("Hour"), _("Check-ins")]
        rows = (
            [weekday + 1, hour, count]
            for weekday, counts in enumerate(stats.heat)
            for hour, count in enumerate(counts)
        )
    else:
        header = [_("Building"), _("Ended bookings"), _("Attended"), _("Attended, %")]
        rows = ([row.building, row.ended, row.attended, row.percent] for row in stats.usage)
    return csv_response(f"visits-{kind}-{period}.csv", header, rows)

"""Printing local times so that none can be misread.

When the clocks go back, one local hour happens twice (02:00–03:00 on the last Sunday of
October in Berlin). A time of that hour is printed with its zone abbreviation ("02:00
CEST", then "02:00 CET"), or its UTC offset where the zone has no letters for it; every
other time prints as plain "HH:MM". Pages, emails, calendar files and staff lists all
print times through `clock` (the `clock` template filter), so they read the same.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone
from django.utils.formats import date_format


def is_repeated(moment: dt.datetime, zone: dt.tzinfo) -> bool:
    """Whether the local wall-clock time of `moment` happens twice that day."""
    local = moment.astimezone(zone)
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def offset_label(moment: dt.datetime) -> str:
    """The UTC offset of an aware datetime, e.g. "UTC+01:00"."""
    offset = moment.utcoffset() or dt.timedelta(0)
    sign = "-" if offset < dt.timedelta(0) else "+"
    hours, rest = divmod(abs(offset), dt.timedelta(hours=1))
    return f"UTC{sign}{hours:02d}:{rest // dt.timedelta(minutes=1):02d}"


def zone_label(moment: dt.datetime) -> str:
    """The abbreviation that tells the two passes of a repeated hour apart ("CEST",
    "CET"), or the UTC offset where the zone has none ("+03") or uses one for both."""
    name = moment.tzname() or ""
    other = moment.replace(fold=1 - moment.fold).tzname()
    if name[:1].isalpha() and name != other:
        return name
    return offset_label(moment)


def clock(moment: dt.datetime, zone: dt.tzinfo | None = None) -> str:
    """The local time of an instant in `zone` (the current zone by default): "14:30",
    or "02:00 CEST" when that wall-clock time happens twice that day."""
    local = moment.astimezone(zone or timezone.get_current_timezone())
    if is_repeated(local, local.tzinfo):
        return f"{local:%H:%M} {zone_label(local)}"
    return f"{local:%H:%M}"


def clock_range(start: dt.datetime, end: dt.datetime, zone: dt.tzinfo | None = None) -> str:
    """ "10:00–11:30"; "02:00 CEST–02:00 CET" for the first pass of a repeated hour."""
    return f"{clock(start, zone)}–{clock(end, zone)}"


def zoned_clock_range(start: dt.datetime, end: dt.datetime, zone: dt.tzinfo) -> str:
    """ "19:00–20:00 EST" for lists mixing zones; the repeated hour names its zones anyway."""
    hours = clock_range(start, end, zone)
    local = start.astimezone(zone)
    if is_repeated(local, zone) or is_repeated(end, zone):
        return hours
    name = local.tzname() or ""
    return f"{hours} {name if name[:1].isalpha() else offset_label(local)}"


def day_and_clock(moment: dt.datetime, zone: dt.tzinfo | None = None, day_format: str = "j E") -> str:
    """ "26 November, 10:00" with the local date of the instant."""
    local = moment.astimezone(zone or timezone.get_current_timezone())
    return f"{date_format(local, day_format)}, {clock(local, local.tzinfo)}"


def wall_clock_passes(day: dt.date, time: dt.time, zone: zoneinfo.ZoneInfo) -> list[dt.datetime]:
    """The instants a local date and time stand for: none in the spring gap, two in the
    repeated autumn hour, one otherwise (in order)."""
    passes = []
    for fold in (0, 1):
        candidate = dt.datetime.combine(day, time).replace(tzinfo=zone, fold=fold)
        instant = candidate.astimezone(dt.UTC)
        back = instant.astimezone(zone)
        if (back.date(), back.time()) == (day, time) and instant not in passes:
            passes.append(instant)
    return passes

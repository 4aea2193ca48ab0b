"""Geometry of the server-rendered SVG charts (the templates draw, this module measures).

Sizes are in viewBox units; CSS scales the SVG to its box. Colours come from CSS
classes (the Content Security Policy forbids inline styles).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from visits.stats import Day

HEAT_LEVELS = 4


def nice_ceiling(value: int) -> int:
    """A round top for the axis not below value: 1, 2, 4, 6, 8 or 10 times a power of
    ten, so that its half, the middle gridline, is a whole number too."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 4, 6, 8, 10) if step * power >= value)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str
    label: str  # shown under the bar, or ""


@dataclass(frozen=True)
class Gridline:
    y: float
    label: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int
    right: float
    bottom: float
    bars: list[Bar]
    gridlines: list[Gridline]


def day_bars(days: list[Day], width: int = 720, height: int = 220) -> BarChart:
    """Visits per day: one bar a day, a date label every few days."""
    left, top, bottom = 36, 10, height - 24
    plot_width, plot_height = width - left - 8, bottom - top
    ceiling = nice_ceiling(max((day.visits for day in days), default=0))
    slot = plot_width / max(len(days), 1)
    every = math.ceil(len(days) / 10)
    bars = []
    for index, day in enumerate(days):
        bar_height = plot_height * day.visits / ceiling
        label = date_format(day.day, "j.m") if index % every == 0 else ""
        title = ngettext("%(day)s: %(count)d visit", "%(day)s: %(count)d visits", day.visits) % {
            "day": date_format(day.day, "D, j E"),
            "count": day.visits,
        }
        bars.append(
            Bar(
                x=round(left + index * slot + slot * 0.15, 2),
                y=round(bottom - bar_height, 2),
                width=round(max(slot * 0.7, 1), 2),
                height=round(bar_height, 2),
                title=title,
                label=label,
            )
        )
    gridlines = [
        Gridline(round(bottom - plot_height * share, 2), str(round(ceiling * share)))
        for share in ((0, 0.5, 1) if ceiling > 1 else (0, 1))
    ]
    return BarChart(width, height, left, width - 8, bottom, bars, gridlines)


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    level: int
    title: str


@dataclass(frozen=True)
class HeatMap:
    width: int
    height: int
    cell: int
    left: int
    top: int
    cells: list[Cell]
    rows: list[tuple[int, str]]  # (y of the label, weekday)
    columns: list[tuple[int, str]]  # (x of the label, hour)


def heat_map(heat: list[list[int]], cell: int = 26, left: int = 40, top: int = 20) -> HeatMap:
    """Check-ins per weekday and hour, 7 rows by 24 columns, in HEAT_LEVELS shades."""
    weekdays = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    busiest = max((count for row in heat for count in row), default=0)
    cells = []
    for weekday, row in enumerate(heat):
        for hour, count in enumerate(row):
            level = math.ceil(HEAT_LEVELS * count / busiest) if busiest else 0
            title = ngettext(
                "%(weekday)s %(hour)02d:00: %(count)d check-in",
                "%(weekday)s %(hour)02d:00: %(count)d check-ins",
                count,
            ) % {"weekday": weekdays[weekday], "hour": hour, "count": count}
            cells.append(Cell(left + hour * cell, top + weekday * cell, level, title))
    rows = [(top + index * cell + cell // 2, name) for index, name in enumerate(weekdays)]
    columns = [(left + hour * cell + cell // 2, f"{hour:02d}") for hour in range(0, 24, 3)]
    return HeatMap(left + 24 * cell + 2, top + 7 * cell + 2, cell - 2, left, top, cells, rows, columns)

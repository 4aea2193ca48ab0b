"""One place's week: its seven days against the slots of the day, for the week view.

Built from a fixed number of queries: the place with its building and rules; unless the
week's slots are kept, the opening hours and the default rules; unless the week's table
is kept, the week's bookings of that place (bounded on both ends by the exclusion
constraint's range index on PostgreSQL).
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import itertools
from dataclasses import dataclass
from functools import cached_property, partial

from django.core.cache import caches
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from bookings import services
from bookings.grid import Booked, CellWords, Column, day_columns, place_label
from bookings.kept import WEEK_TABLES, Kept, kept_table
from bookings.models import Booking
from spaces.models import Building, Desk, Room

DAYS = 7


@dataclass(slots=True)
class WeekCell:
    state: str  # free, past, mine, taken, closed
    rows: int = 1
    href: str = ""
    text: str = ""
    title: str = ""


@dataclass
class WeekRow:
    label: str
    # One entry per day; None where a booking from a row above spans this one.
    cells: list[WeekCell | None]


@dataclass
class Week:
    place: Desk | Room
    building: Building
    first_day: dt.date
    days: list[dt.date]
    rows: list[WeekRow]  # built only when the table is rendered
    booked_by_viewer: int
    # The table of slots and days (bookings/week_table.html), rendered or kept.
    table: str = ""

    @property
    def previous(self) -> dt.date:
        return self.first_day - dt.timedelta(days=DAYS)

    @property
    def next(self) -> dt.date:
        return self.first_day + dt.timedelta(days=DAYS)

    @cached_property
    def name(self) -> str:
        return place_label(self.place)

    @cached_property
    def url(self) -> str:
        kind = "desk" if isinstance(self.place, Desk) else "room"
        return reverse(f"bookings:{kind}_week", args=[self.place.pk])

    @property
    def title(self) -> str:
        """ "9 March – 15 March 2026" in the language of the page."""
        return f"{date_format(self.days[0], 'j E')} – {date_format(self.days[-1], 'j E Y')}"

    @property
    def is_this_week(self) -> bool:
        return self.first_day == monday_of(self.building.local_today())


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _place_bookings(place: Desk | Room, start: dt.datetime, end: dt.datetime) -> list[Booked]:
    kind = "desk" if isinstance(place, Desk) else "room"
    rows = (
        Booking.objects.active()
        .filter(**{kind: place})
        .overlapping(start, end)
        .order_by("start")
        .values_list("pk", "start", "end", "desk_id", "room_id", "user_id", "user__full_name", "user__email")
    )
    return [Booked(*row) for row in rows]


def _day_keys(columns: list[Column]) -> list[tuple[str, int]]:
    """A day's slots as (wall-clock time, pass): the repeated autumn hour has two passes."""
    seen: dict[str, int] = {}
    keys = []
    for column in columns:
        keys.append((column.label, seen.get(column.label, 0)))
        seen[column.label] = keys[-1][1] + 1
    return keys


def _row_keys(keys_by_day: list[list[tuple[str, int]]]) -> list[tuple[str, int]]:
    """Every slot of the week once, in an order that keeps each day's own order: the two
    passes of the repeated hour in turn, the skipped spring hour absent that day only.
    (A topological merge of the days' sequences, the earliest time first.)"""
    after: dict[tuple[str, int], set[tuple[str, int]]] = {}
    waiting: dict[tuple[str, int], int] = {}
    for keys in keys_by_day:
        for key in keys:
            after.setdefault(key, set())
            waiting.setdefault(key, 0)
        for earlier, later in itertools.pairwise(keys):
            if later not in after[earlier]:
                after[earlier].add(later)
                waiting[later] += 1
    ready = [key for key, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        key = heapq.heappop(ready)
        order.append(key)
        for later in after[key]:
            waiting[later] -= 1
            if waiting[later] == 0:
                heapq.heappush(ready, later)
    return order


def _booking_cell(booking: Booked, viewer: User, words: CellWords) -> WeekCell:
    if booking.user_id == viewer.pk:
        return WeekCell("mine", text=words.you, title=words.yours)
    if viewer.is_staff:
        name = booking.full_name or booking.email
        return WeekCell("taken", text=name, title=name)
    return WeekCell("taken", title=words.taken)


def week_of(place: Desk | Room, building: Building, day: dt.date, viewer: User) -> Week:
    """The week (Monday to Sunday) holding `day` for one desk or room, with its table
    rendered (`table`), from the cache when it can (then `rows` stays empty)."""
    first_day = monday_of(day)
    days = [first_day + dt.timedelta(days=n) for n in range(DAYS)]
    week = Week(place, building, first_day, days, [], 0)
    now = timezone.now()
    slot_minutes, slots_by_day = week_slots(building, first_day)
    passed = sum(bisect.bisect_left(slots, now) for slots in slots_by_day)
    kind = "desk" if isinstance(place, Desk) else "room"
    parts = ("week", kind, place.pk, building.version, first_day.isoformat(), passed)
    render = partial(_render, week, viewer, slot_minutes, now, slots_by_day)
    kept = kept_table(WEEK_TABLES, parts, viewer, render)
    week.table, week.booked_by_viewer = kept.html, kept.mine
    return week


def week_slots(building: Building, first_day: dt.date) -> tuple[int, list[list[dt.datetime]]]:
    """The slot length and the slot starts of each day of the week from `first_day`, kept
    per building version (which its rules and opening hours change).

    Only the starts: whether each has passed is all a kept week asks of them, and loading
    them costs a tenth of loading seven days of the day grid's kept columns
    (bookings.grid.kept_day_columns), which the week builds only when it renders.

    Queries, unless kept: the default rules and the building's own (1 or 2) and its
    opening hours (1).
    """
    key = f"week-slots:{building.pk}:{building.version}:{first_day.isoformat()}"

    def work_out() -> tuple[int, list[list[dt.datetime]]]:
        prefetch_related_objects([building], "opening_hours")
        minutes = services.rules_for(building).slot_minutes
        days = [first_day + dt.timedelta(days=n) for n in range(DAYS)]
        return minutes, [services.day_slots(building, day, minutes) for day in days]

    return caches[WEEK_TABLES].get_or_set(key, work_out)


def _render(
    week: Week, viewer: User, slot_minutes: int, now: dt.datetime, slots_by_day: list[list[dt.datetime]]
) -> Kept:
    building = week.building
    columns_by_day = [
        day_columns(building, day, slot_minutes, now, slots)
        for day, slots in zip(week.days, slots_by_day, strict=True)
    ]
    everything = [column for columns in columns_by_day for column in columns]
    bookings = _place_bookings(week.place, everything[0].start, everything[-1].end) if everything else []
    week.rows = _rows(week.place, building, columns_by_day, bookings, viewer)
    week.booked_by_viewer = sum(booking.user_id == viewer.pk for booking in bookings)
    html = render_to_string("bookings/week_table.html", {"week": week})
    return Kept(html, frozenset(booking.user_id for booking in bookings), week.booked_by_viewer)


def _rows(
    place: Desk | Room,
    building: Building,
    columns_by_day: list[list[Column]],
    bookings: list[Booked],
    viewer: User,
) -> list[WeekRow]:
    """The week's rows: one per slot of the day, a cell per day (None under a booking
    spanning rows from above)."""
    keys_by_day = [_day_keys(columns) for columns in columns_by_day]
    keys = _row_keys(keys_by_day)
    index_of = {key: n for n, key in enumerate(keys)}
    grid: list[list[WeekCell | None]] = [[WeekCell("closed") for _day in columns_by_day] for _key in keys]
    labels = [""] * len(keys)
    words = CellWords(_("You"), _("Your booking"), _("Taken"), _("Taken until %(time)s"), building.zone)
    link = _booking_link(place)
    for day_index, columns in enumerate(columns_by_day):
        rows_of_day = [index_of[key] for key in keys_by_day[day_index]]
        for column, row in zip(columns, rows_of_day, strict=True):
            # "02:00 CEST" and "02:00 CET" on the day the hour repeats, whichever day came first.
            if column.offset or not labels[row]:
                labels[row] = column.time
        position = 0
        for booking in bookings:
            while position < len(columns) and columns[position].end <= booking.start:
                grid[rows_of_day[position]][day_index] = _free_or_past(columns[position], link)
                position += 1
            covered = 0
            while position + covered < len(columns) and columns[position + covered].start < booking.end:
                covered += 1
            if covered == 0:
                continue
            first_row, last_row = rows_of_day[position], rows_of_day[position + covered - 1]
            cell = _booking_cell(booking, viewer, words)
            cell.rows = last_row - first_row + 1
            grid[first_row][day_index] = cell
            for row in range(first_row + 1, last_row + 1):
                grid[row][day_index] = None
            position += covered
        for rest in range(position, len(columns)):
            grid[rows_of_day[rest]][day_index] = _free_or_past(columns[rest], link)
    return [WeekRow(labels[n], grid[n]) for n in range(len(keys))]


def _booking_link(place: Desk | Room) -> str:
    """The booking form's link for this place, without the slot."""
    kind = "desk" if isinstance(place, Desk) else "room"
    return f"{reverse('bookings:new')}?{kind}={place.pk}"


def _free_or_past(column: Column, link: str) -> WeekCell:
    if column.past:
        return WeekCell("past")
    return WeekCell("free", href=f"{link}&{column.query}", title=column.time)

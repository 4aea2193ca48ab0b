"""The data of the member pages that show many places at once: the day grid of a
building and the slot that "find a place" starts from.

Built from a fixed number of queries whatever the number of places and bookings: the
rooms with their desks, and the day's bookings of the building, into dicts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple
from urllib.parse import urlencode

from django.core.cache import caches
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from accounts.models import User
from bookings import services
from bookings.kept import DAY_TABLES, Kept, kept_table
from bookings.models import Booking
from bookings.times import clock, is_repeated, zone_label
from spaces.models import Building, Desk, Room
from spaces.sorting import natural_key

# How far "find a place" looks for the next open slot when the building is closed now.
SEARCH_DAYS = 14


def utc_param(moment: dt.datetime) -> str:
    """A compact, unambiguous instant for a query string (the doubled autumn hour too)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")


def place_key(resource: Desk | Room) -> str:
    return f"{'desk' if isinstance(resource, Desk) else 'room'}-{resource.pk}"


def place_label(place: Desk | Room) -> str:
    """A desk as "Desk A-3, Open space", a room by its name, as emails and calendars name them."""
    if isinstance(place, Desk):
        return _("Desk %(label)s, %(room)s") % {"label": place.label, "room": place.room.name}
    return place.name


def new_booking_url(resource: Desk | Room, start: dt.datetime, end: dt.datetime) -> str:
    kind = "desk" if isinstance(resource, Desk) else "room"
    query = urlencode({kind: resource.pk, "start": utc_param(start), "end": utc_param(end)}, safe=":")
    return f"{reverse('bookings:new')}?{query}"


def next_slot(building: Building, now: dt.datetime, slot_minutes: int) -> dt.datetime | None:
    """The first bookable slot start from now on, looking a fortnight ahead."""
    today = building.local_today()
    for offset in range(SEARCH_DAYS):
        for start in services.day_slots(building, today + dt.timedelta(days=offset), slot_minutes):
            if start >= now:
                return start
    return None


def slot_problems(
    user: User, building: Building, start: dt.datetime, end: dt.datetime, rules: services.Rules | None = None
) -> list[str]:
    """What the rules say about booking anything in this building for [start, end).

    The rules depend on the building only, so an unsaved room stands for "any place";
    they are read unless given.
    """
    rules = rules or services.rules_for(building)
    anywhere = Room(building=building, kind=Room.Kind.MEETING_ROOM)
    problems = services.rule_problems(
        user=user, resource=anywhere, start=start, end=end, rules=rules, now=timezone.now()
    )
    return [problem.message for problem in problems]


@dataclass
class Column:
    start: dt.datetime
    end: dt.datetime
    label: str
    past: bool
    on_the_hour: bool
    # The zone ("CEST", "CET") of a time the clocks repeat, so the two passes are told apart.
    offset: str = ""

    @cached_property
    def time(self) -> str:
        return f"{self.label} {self.offset}".rstrip()

    @cached_property
    def query(self) -> str:
        """This slot in a booking link's query string."""
        return urlencode({"start": utc_param(self.start), "end": utc_param(self.end)}, safe=":")

    # Escaped once per column rather than once per cell of the grid.
    @cached_property
    def html_query(self) -> str:
        return escape(self.query)

    @cached_property
    def html_slot(self) -> str:
        """This slot in a day-grid button's value: "start,end" (after the place's key)."""
        return escape(f"{utc_param(self.start)},{utc_param(self.end)}")

    @cached_property
    def html_time(self) -> str:
        return escape(self.time)


@dataclass(slots=True)
class Cell:
    state: str  # free, past, mine, taken
    span: int = 1
    text: str = ""
    title: str = ""
    # A free cell's slot, and its row's booking link and label; a booking of the viewer's
    # own, its page (as `link`).
    column: Column | None = None
    link: str = ""
    label: str = ""

    @property
    def href(self) -> str:
        return f"{self.link}&{self.column.query}" if self.column else ""

    def __post_init__(self) -> None:
        if self.column is not None:
            self.title = f"{self.label} · {self.column.time}"


@dataclass
class Row:
    label: str
    note: str
    cells: list[Cell]
    link: str = ""  # the booking link of the row's place, without the slot
    week_url: str = ""  # the place's week view
    key: str = ""  # the place as the booking form names it ("desk-12")


@dataclass
class Group:
    title: str
    note: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class DayGrid:
    building: Building
    day: dt.date
    columns: list[Column]
    groups: list[Group]
    booked_by_viewer: int
    # Where the "now" line goes: the column holding now and how far into it (today only).
    now_column: int | None = None
    now_fraction: float = 0.0
    # The table of places and slots (bookings/day_table.html), rendered or kept. The
    # groups are built only when it is rendered.
    table: str = ""
    has_places: bool = False
    has_plans: bool = False

    @property
    def previous_day(self) -> dt.date:
        return self.day - dt.timedelta(days=1)

    @property
    def next_day(self) -> dt.date:
        return self.day + dt.timedelta(days=1)

    @property
    def now_start(self) -> str:
        """The start of the column holding now, as the grid's buttons write instants."""
        return "" if self.now_column is None else utc_param(self.columns[self.now_column].start)

    @property
    def is_today(self) -> bool:
        return self.day == self.building.local_today()


def day_columns(
    building: Building,
    day: dt.date,
    slot_minutes: int,
    now: dt.datetime,
    slots: list[dt.datetime] | None = None,
) -> list[Column]:
    """The day's slots (`slots`, when the caller has them already) as the grids' columns."""
    step = dt.timedelta(minutes=slot_minutes)
    columns = []
    for start in services.day_slots(building, day, slot_minutes) if slots is None else slots:
        # In UTC: adding to a local time is wall-clock arithmetic, wrong across DST.
        end = start.astimezone(dt.UTC) + step
        column = Column(start, end, start.strftime("%H:%M"), past=start < now, on_the_hour=start.minute == 0)
        if is_repeated(start, building.zone):
            column.offset = zone_label(start)
        columns.append(column)
    return columns


def kept_day_columns(building: Building, day: dt.date, now: dt.datetime) -> list[Column]:
    """day_columns, with the slots kept per building version (its rules and opening hours
    change it) and day; only whether each has passed is worked out again."""
    key = f"slots:{building.pk}:{building.version}:{day.isoformat()}"
    cache = caches[DAY_TABLES]
    columns = cache.get(key)
    if columns is None:
        columns = day_columns(building, day, services.rules_for(building).slot_minutes, now)
        cache.set(key, columns)
    for column in columns:
        column.past = column.start < now
    return columns


@dataclass(frozen=True)
class CellWords:
    """Cell texts, translated once per grid rather than once per cell."""

    you: str
    yours: str
    taken: str
    taken_until: str  # "Taken until %(time)s"
    zone: dt.tzinfo


class Booked(NamedTuple):
    """What the grid needs of a booking: plain values, not model instances (the grid of a
    busy building holds hundreds, and building models was most of its cost)."""

    pk: int
    start: dt.datetime
    end: dt.datetime
    desk_id: int | None
    room_id: int | None
    user_id: int
    full_name: str
    email: str


def _free_or_past(column: Column, link: str, label: str) -> Cell:
    if column.past:
        return Cell("past")
    return Cell("free", column=column, link=link, label=label)


def _cells(
    link: str, label: str, bookings: list[Booked], columns: list[Column], viewer: User, words: CellWords
) -> list[Cell]:
    """One row: a cell per free or past slot, one spanning cell per booking.

    `bookings` are the place's, sorted by start and never overlapping (the database
    refuses overlaps), so one walk over columns and bookings together suffices.
    """
    cells: list[Cell] = []
    index, count = 0, len(columns)
    viewer_id, staff = viewer.pk, viewer.is_staff
    for booking in bookings:
        while index < count and columns[index].end <= booking.start:
            cells.append(_free_or_past(columns[index], link, label))
            index += 1
        span = 0
        while index + span < count and columns[index + span].start < booking.end:
            span += 1
        if span == 0:
            continue
        if booking.user_id == viewer_id:
            link = reverse("bookings:detail", args=[booking.pk])
            cells.append(Cell("mine", span, text=words.you, title=words.yours, link=link))
        elif staff:
            name = booking.full_name or booking.email  # as User.__str__ names a member
            cells.append(Cell("taken", span, text=name, title=name))
        else:
            until = words.taken_until % {"time": clock(booking.end, words.zone)}
            cells.append(Cell("taken", span, text=words.taken, title=until))
        index += span
    cells.extend(_free_or_past(column, link, label) for column in columns[index:])
    return cells


def booked_between(building: Building, start: dt.datetime, end: dt.datetime) -> list[Booked]:
    """The building's active bookings meeting [start, end), by start (one query, bounded
    on both ends by the building's range index)."""
    rows = (
        Booking.objects.active()
        .filter(building=building)
        .overlapping(start, end)
        .order_by("start")
        .values_list("pk", "start", "end", "desk_id", "room_id", "user_id", "user__full_name", "user__email")
    )
    return [Booked(*row) for row in rows]


def day_grid(building: Building, day: dt.date, viewer: User) -> DayGrid:
    """The desks (grouped by room) and whole rooms of a building against the day's slots,
    with the table rendered (`table`), from the cache when it can.

    Queries, unless the slots come from the cache: the default rules (1; the building's
    own should come with it) and its opening hours (1, unless prefetched); unless the
    table comes from the cache: the rooms with their floor plans and their desks (2) and
    the day's bookings (1).
    """
    now = timezone.now()
    columns = kept_day_columns(building, day, now)
    grid = DayGrid(building, day, columns, [], 0, *now_mark(columns, now))
    if not columns:
        return grid
    passed = sum(column.past for column in columns)
    parts = ("day", building.pk, building.version, day.isoformat(), passed)
    kept = kept_table(DAY_TABLES, parts, viewer, lambda: _render(grid, viewer))
    grid.table, grid.booked_by_viewer = kept.html, kept.mine
    grid.has_places, grid.has_plans = kept.facts
    return grid


def _render(grid: DayGrid, viewer: User) -> Kept:
    holders = _fill(grid, viewer)
    html = render_to_string("bookings/day_table.html", {"grid": grid})
    return Kept(html, holders, grid.booked_by_viewer, (grid.has_places, grid.has_plans))


def _fill(grid: DayGrid, viewer: User) -> frozenset[int]:
    """Build the grid's groups of rows; return who holds the bookings shown."""
    building, columns = grid.building, grid.columns
    rooms = sorted(
        Room.objects.active()
        .filter(building=building)
        .select_related("floor_plan")
        .prefetch_related(Prefetch("desks", queryset=Desk.objects.active())),
        key=lambda room: (room.floor, natural_key(room.name)),
    )
    # Whether the page has floor plans to show (bookings/floor_plan.html asks for them).
    grid.has_plans = any(not room.is_booked_whole and hasattr(room, "floor_plan") for room in rooms)
    by_desk: dict[int, list[Booked]] = defaultdict(list)
    by_room: dict[int, list[Booked]] = defaultdict(list)
    holders = set()
    for booking in booked_between(building, columns[0].start, columns[-1].end):
        (by_desk[booking.desk_id] if booking.desk_id else by_room[booking.room_id]).append(booking)
        grid.booked_by_viewer += booking.user_id == viewer.pk
        holders.add(booking.user_id)
    words = CellWords(_("You"), _("Your booking"), _("Taken"), _("Taken until %(time)s"), building.zone)
    new_url = reverse("bookings:new")
    # The week views' paths end in the place's id: reversed once, not once per row.
    room_weeks = reverse("bookings:room_week", args=[0]).removesuffix("0/")
    desk_weeks = reverse("bookings:desk_week", args=[0]).removesuffix("0/")
    whole = Group(_("Meeting rooms and offices"), _("Booked whole"))
    for room in rooms:
        if room.is_booked_whole:
            note = _("floor %(floor)s · up to %(capacity)s people") % {
                "floor": room.floor,
                "capacity": room.capacity,
            }
            link = f"{new_url}?room={room.pk}"
            cells = _cells(link, room.name, by_room[room.pk], columns, viewer, words)
            whole.rows.append(Row(room.name, note, cells, link, f"{room_weeks}{room.pk}/", place_key(room)))
            continue
        desks = sorted(room.desks.all(), key=lambda desk: natural_key(desk.label))
        if not desks:
            continue
        group = Group(room.name, _("floor %(floor)s · open space") % {"floor": room.floor})
        for desk in desks:
            link = f"{new_url}?desk={desk.pk}"
            cells = _cells(link, desk.label, by_desk[desk.pk], columns, viewer, words)
            group.rows.append(Row(desk.label, "", cells, link, f"{desk_weeks}{desk.pk}/", place_key(desk)))
        grid.groups.append(group)
    if whole.rows:
        grid.groups.append(whole)
    grid.has_places = bool(grid.groups)
    return frozenset(holders)


def now_mark(columns: list[Column], now: dt.datetime) -> tuple[int | None, float]:
    """The column holding `now` and how far into it, for the day grid's "now" line."""
    for index, column in enumerate(columns):
        if column.start <= now < column.end:
            return index, (now - column.start) / (column.end - column.start)
    return None, 0.0

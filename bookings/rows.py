"""Booking rows as HTML, for My bookings, the home widget, a series and a booking's page.

Built here in one pass rather than with an include and a dozen tags per row: the template
engine spent about half a millisecond on each row of My bookings (forty a page), most of
it resolving variables, formatting dates and reversing URLs. What rows share is worked out
once per page: the URL paths (reversed once, the id put in), the translated words, the
CSRF field, each day's formats and each building's zone badge. Every value is escaped.

The date tile, the status badge and the cancel form are also template tags
(bookings_tags), so every page draws them from the one function here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import cached_property

from django.template import Context
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import DateFormat
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from bookings import again, grid, times
from bookings.models import Booking

# An id no booking has yet, reversed in place of the real one and replaced by it.
_MARK = 2_147_483_647


def _path(name: str) -> Callable[[object], str]:
    """The escaped path of a URL that takes one id, as a function of the id."""
    head, _mark, tail = reverse(name, args=[_MARK]).partition(str(_MARK))
    head, tail = escape(head), escape(tail)
    return lambda pk: f"{head}{pk}{tail}"


# The day as `when` names it: "Thu, 26 November".
DAY_FORMAT = "D, j E"


def when(booking: Booking, day: str | None = None) -> str:
    """The day and times in the building's zone, e.g. "Thu, 26 November · 10:00–11:30"
    ("02:00 CEST–02:00 CET" in the repeated autumn hour); `day`: the day, if formatted
    already."""
    hours = times.clock_range(booking.start, booking.end, booking.building.zone)
    return f"{day or date_format(booking.local_start, DAY_FORMAT)} · {hours}"


class Day:
    """A day in a building's zone, in the formats the rows print (formatted once a page)."""

    def __init__(self, local: dt.datetime, month: str):
        self.month = month  # "dec", escaped
        self.number = local.day
        self.name = DateFormat(local).format(DAY_FORMAT)
        self.iso = local.date().isoformat()


class Rows:
    """Writes the rows of one page; `context` gives `now` and the CSRF token."""

    def __init__(self, context: Context):
        self.context = context
        self.now = context.get("now")
        self._days: dict[tuple[str, dt.date], Day] = {}
        self._months: dict[int, str] = {}
        self._zone_badges: dict[int, str] = {}
        self._places: dict[tuple[type, int], str] = {}

    # --- what the rows share -------------------------------------------------------

    @cached_property
    def words(self) -> dict[str, str]:
        """The rows' words in the page's language, escaped: translated once a page."""
        words = {
            "cancelled": _("Cancelled"),
            "released": _("Released (no-show)"),
            "finished": _("Finished"),
            "now": _("Now"),
            "confirmed": _("Confirmed"),
            "series_title": _("All dates of the series"),
            "recurring": _("Recurring"),
            "cancel_one": _("Cancel this one"),
            "cancel_following": _("This and the following ones"),
            "cancel_it": _("Yes, cancel it"),
            "cancel": _("Cancel booking"),
            "add_to_calendar": _("Add to calendar"),
            "day_view": _("Day view"),
            "wont_come": _("I won’t come…"),
            "book_again": _("Book again"),
        }
        return {key: escape(text) for key, text in words.items()}

    @cached_property
    def csrf_field(self) -> str:
        return CsrfTokenNode().render(self.context)

    @cached_property
    def detail(self) -> Callable[[object], str]:
        return _path("bookings:detail")

    @cached_property
    def ics(self) -> Callable[[object], str]:
        return _path("bookings:ics")

    @cached_property
    def day_view(self) -> Callable[[object], str]:
        return _path("bookings:day")

    @cached_property
    def series(self) -> Callable[[object], str]:
        return _path("bookings:series")

    @cached_property
    def cancel(self) -> Callable[[object], str]:
        return _path("bookings:cancel")

    @cached_property
    def current_zone(self) -> str:
        return timezone.get_current_timezone_name()

    def day(self, booking: Booking) -> Day:
        local = booking.start.astimezone(booking.building.zone)
        key = (booking.building.time_zone, local.date())
        day = self._days.get(key)
        if day is None:
            month = self._months.get(local.month)
            if month is None:
                month = self._months[local.month] = escape(DateFormat(local).format("b"))
            day = self._days[key] = Day(local, month)
        return day

    def when(self, booking: Booking) -> str:
        return escape(when(booking, self.day(booking).name))

    def place(self, booking: Booking) -> str:
        """The booking's place as grid.place_label names it, escaped (once per place)."""
        resource = booking.resource
        key = (type(resource), resource.pk)
        label = self._places.get(key)
        if label is None:
            label = self._places[key] = escape(grid.place_label(resource))
        return label

    def zone_badge(self, booking: Booking) -> str:
        """The building's zone, named when it is not the zone the page reads in."""
        badge = self._zone_badges.get(booking.building_id)
        if badge is None:
            zone = booking.building.time_zone
            badge = ""
            if zone != self.current_zone:
                badge = f' <span class="badge badge-muted">{escape(zone)}</span>'
            self._zone_badges[booking.building_id] = badge
        return badge

    # --- parts -----------------------------------------------------------------------

    def date_tile(self, booking: Booking) -> str:
        day = self.day(booking)
        return (
            f'<div class="date-tile" aria-hidden="true">\n'
            f"<span>{day.month}</span>\n<strong>{day.number}</strong>\n</div>"
        )

    def status_badge(self, booking: Booking) -> str:
        """The booking's state; `now` (when the page has it) tells a finished or running
        booking apart."""
        now = self.now
        if booking.status == Booking.Status.CANCELLED:
            kind, label = "muted", "cancelled"
        elif booking.status == Booking.Status.RELEASED:
            kind, label = "danger", "released"
        elif now and booking.end <= now:
            kind, label = "muted", "finished"
        elif now and booking.start <= now:
            kind, label = "warning", "now"
        else:
            kind, label = "success", "confirmed"
        return f'<span class="badge badge-{kind}" data-testid="status">{self.words[label]}</span>'

    def series_link(self, booking: Booking) -> str:
        if not booking.series_id:
            return ""
        return (
            f'<a class="badge" href="{self.series(booking.series_id)}" '
            f'title="{self.words["series_title"]}" data-testid="series-link">{self.words["recurring"]}</a>'
        )

    def cancel_form(self, booking: Booking, following: int = 0) -> str:
        """Cancel the booking; `following` counts the later occurrences of its series."""
        words = self.words
        if booking.series_id:
            more = f" (+{following})" if following else ""
            buttons = (
                '<button type="submit" name="scope" value="one" class="btn btn-danger btn-sm" '
                f'data-testid="cancel-one">{words["cancel_one"]}</button>\n'
                '<button type="submit" name="scope" value="following" class="btn btn-secondary btn-sm" '
                f'data-testid="cancel-following">{words["cancel_following"]}{more}</button>'
            )
        else:
            buttons = (
                '<button type="submit" name="scope" value="one" class="btn btn-danger btn-sm" '
                f'data-testid="cancel-one">{words["cancel_it"]}</button>'
            )
        return (
            '<details class="cancel-box">\n'
            '<summary class="btn btn-secondary btn-sm" data-testid="cancel-open">'
            f"{words['cancel']}</summary>\n"
            f'<form method="post" action="{self.cancel(booking.pk)}" class="button-group">\n'
            f"{self.csrf_field}\n{buttons}\n</form>\n</details>"
        )

    # --- rows --------------------------------------------------------------------------

    def upcoming(self, bookings: Iterable[Booking]) -> SafeString:
        """My bookings' upcoming cards: each with its `cancel_policy` set."""
        add_to_calendar, day_view = self.words["add_to_calendar"], self.words["day_view"]
        wont_come = self.words["wont_come"]
        html = []
        for booking in bookings:
            detail = self.detail(booking.pk)
            policy = booking.cancel_policy
            if policy.can_cancel:
                action = self.cancel_form(booking)
            elif policy.can_release:
                action = (
                    f'<a class="btn btn-secondary btn-sm" href="{detail}" '
                    f'data-testid="release-link">{wont_come}</a>'
                )
            else:
                action = ""
            series = self.series_link(booking)
            html.append(
                '<li class="card booking-row" data-testid="upcoming-booking">\n'
                f"{self.date_tile(booking)}\n"
                '<div class="booking-row-main">\n'
                f'<a class="booking-row-title" href="{detail}">'
                f"{self.place(booking)}</a>\n"
                f'<div class="muted">{self.when(booking)}{self.zone_badge(booking)}</div>\n'
                f'<div class="muted">{escape(booking.building.name)}</div>\n'
                "</div>\n"
                '<div class="booking-row-side">\n'
                f"<div>{self.status_badge(booking)}{' ' + series if series else ''}</div>\n"
                '<div class="button-group">\n'
                f'<a class="btn btn-ghost btn-sm" href="{self.ics(booking.pk)}" '
                f'title="{add_to_calendar}">.ics</a>\n'
                f'<a class="btn btn-ghost btn-sm" href="{self.day_view(booking.building_id)}'
                f'?date={self.day(booking).iso}">{day_view}</a>\n'
                f"{action}\n"
                "</div>\n</div>\n</li>"
            )
        return mark_safe("\n".join(html))  # noqa: S308 - every value above is escaped

    def history(self, bookings: Iterable[Booking]) -> SafeString:
        """My bookings' table of past and cancelled bookings."""
        book_again = self.words["book_again"]
        now = self.now or timezone.now()
        html = []
        for booking in bookings:
            again_url = escape(grid.new_booking_url(booking.resource, *again.next_time(booking, now)))
            html.append(
                "<tr>\n"
                f'<td><a href="{self.detail(booking.pk)}">{self.when(booking)}</a>'
                f"{self.zone_badge(booking)}</td>\n"
                f"<td>{self.place(booking)}</td>\n"
                f"<td>{escape(booking.building.name)}</td>\n"
                f"<td>{self.status_badge(booking)}</td>\n"
                f'<td class="num"><a href="{again_url}" data-testid="book-again-link">{book_again}</a>'
                f' · <a href="{self.ics(booking.pk)}">.ics</a></td>\n'
                "</tr>"
            )
        return mark_safe("\n".join(html))  # noqa: S308 - every value above is escaped

    def compact(self, bookings: Iterable[Booking]) -> SafeString:
        """The home widget's next bookings."""
        html = []
        for booking in bookings:
            html.append(
                '<li class="booking-row booking-row-compact">\n'
                f"{self.date_tile(booking)}\n"
                '<div class="booking-row-main">\n'
                f'<a class="booking-row-title" href="{self.detail(booking.pk)}">'
                f"{self.place(booking)}</a>\n"
                f'<div class="muted">{self.when(booking)} · {escape(booking.building.name)}</div>\n'
                "</div>\n</li>"
            )
        return mark_safe("\n".join(html))  # noqa: S308 - every value above is escaped

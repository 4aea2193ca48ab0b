"""Template helpers of the member booking pages and the home widget."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import template
from django.templatetags.tz import do_timezone
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from bookings import again, grid, rows, services, times
from bookings.models import Booking

register = template.Library()

HOME_WIDGET_LENGTH = 3


@register.simple_tag
def next_bookings(user, limit: int = HOME_WIDGET_LENGTH) -> list[Booking]:
    """The member's next active bookings (one query)."""
    return list(
        Booking.objects.filter(user=user)
        .upcoming()
        .select_related("building", "desk__room", "room")
        .order_by("start")[:limit]
    )


@register.filter
def place_name(place) -> str:
    """A desk as "Desk A-3, Open space", a room by its name."""
    return grid.place_label(place)


register.filter("when", rows.when)


def _rows(context: template.Context) -> rows.Rows:
    """The page's row writer, made at its first row: the rows of a page share it."""
    render_context = context.render_context
    writer = render_context.get(rows.Rows)
    if writer is None:
        writer = render_context[rows.Rows] = rows.Rows(context)
    return writer


@register.simple_tag(takes_context=True)
def upcoming_rows(context: template.Context, bookings) -> str:
    return _rows(context).upcoming(bookings)


@register.simple_tag(takes_context=True)
def history_rows(context: template.Context, bookings) -> str:
    return _rows(context).history(bookings)


@register.simple_tag(takes_context=True)
def compact_rows(context: template.Context, bookings) -> str:
    return _rows(context).compact(bookings)


@register.simple_tag(takes_context=True)
def date_tile(context: template.Context, booking: Booking) -> str:
    """The day of the booking in its building's zone, as a small calendar leaf."""
    return mark_safe(_rows(context).date_tile(booking))  # noqa: S308 - escaped by Rows


@register.simple_tag(takes_context=True)
def status_badge(context: template.Context, booking: Booking) -> str:
    """The booking's state; the page's `now` tells a finished or running booking apart."""
    return mark_safe(_rows(context).status_badge(booking))  # noqa: S308 - escaped by Rows


@register.simple_tag(takes_context=True)
def cancel_form(context: template.Context, booking: Booking, following: int = 0) -> str:
    """Cancel the booking; `following` counts the later occurrences of its series."""
    return mark_safe(_rows(context).cancel_form(booking, following))  # noqa: S308 - escaped by Rows


@register.filter
def zoned_hours(booking: Booking) -> str:
    """ "19:00–20:00 EST": a booking's hours with its building's zone, for staff lists."""
    return times.zoned_clock_range(booking.start, booking.end, booking.building.zone)


@register.filter
def clock(moment: dt.datetime | None, where=None) -> str:
    """ "14:30" in a building's zone (or a zone, or the current one), with the zone
    abbreviation when that time happens twice that day: the one way pages print a time."""
    return "" if moment is None else times.clock(moment, _zone(where))


@register.filter
def day_clock(moment: dt.datetime | None, where=None) -> str:
    """ "26 November, 14:30", the time printed as `clock` prints it."""
    return "" if moment is None else times.day_and_clock(moment, _zone(where))


def _zone(where) -> dt.tzinfo | None:
    """A building's zone, a zone given by name, or None for the current zone."""
    return zoneinfo.ZoneInfo(where) if isinstance(where, str) else getattr(where, "zone", where)


@register.filter
def can_cancel(booking: Booking, user) -> bool:
    """Whether `user` can cancel the booking now: the services' one answer, for a page."""
    return services.cancel_policy(booking, by=user).can_cancel


@register.filter
def local(moment: dt.datetime, building) -> dt.datetime:
    """An instant in the building's zone, kept there by the date filter that follows."""
    return do_timezone(moment, building.zone)


@register.simple_tag
def book_url(place, start: dt.datetime, end: dt.datetime) -> str:
    return grid.new_booking_url(place, start, end)


@register.simple_tag
def again_url(booking: Booking) -> str:
    """The booking form for the same place and hours, on the next day they are ahead."""
    return grid.new_booking_url(booking.resource, *again.next_time(booking, timezone.now()))


@register.simple_tag
def day_cells(row: grid.Row) -> str:
    """The cells of one day-grid row as HTML.

    Built here in one pass rather than with template tags per cell: a building of 500
    desks has over ten thousand cells, which the template engine renders in seconds.
    A free cell is a button of the grid's form (value "place,start,end", named for
    screen readers by place and time); its parts are the row's and the column's, each
    escaped once. A booking is one cell across its slots; the viewer's own links to it.
    """
    html = []
    # A free cell is the row's head, the column's slot, the row's middle and the column's
    # time: the parts that repeat are joined once per row.
    head = f'<td><button name="slot" value="{escape(row.key)},'
    middle = f'" aria-label="{escape(row.label)} · '
    for cell in row.cells:
        column = cell.column
        if column is not None:
            html.append(f'{head}{column.html_slot}{middle}{column.html_time}"></button></td>')
            continue
        span = f' colspan="{cell.span}"' if cell.span > 1 else ""
        title = f' title="{escape(cell.title)}"' if cell.title else ""
        if cell.link:
            html.append(
                f'<td class="c-{cell.state}"{span}><a href="{escape(cell.link)}"{title}>'
                f"<span>{escape(cell.text)}</span></a></td>"
            )
        elif cell.text:
            html.append(f'<td class="c-{cell.state}"{span}{title}><span>{escape(cell.text)}</span></td>')
        else:
            html.append(f'<td class="c-{cell.state}"{span}{title}></td>')
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


@register.filter
def differs_from_current_zone(building) -> bool:
    return building.time_zone != timezone.get_current_timezone_name()

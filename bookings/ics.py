"""iCalendar (RFC 5545) for bookings: .ics downloads, email attachments, the feed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from bookings.models import Booking


def uid(booking: Booking) -> str:
    """Stable for the life of the booking, and distinct between installations."""
    host = settings.ALLOWED_HOSTS[0].lstrip(".") if settings.ALLOWED_HOSTS else "coworking"
    return f"booking-{booking.pk}@{host}"


def event(booking: Booking) -> Event:
    """One booking as a VEVENT; times in UTC so every calendar app places them right.

    Expects booking.building and booking.desk/room (with room) to be loaded.
    """
    item = Event()
    item.add("uid", uid(booking))
    item.add("dtstamp", timezone.now())
    item.add("dtstart", booking.start.astimezone(dt.UTC))
    item.add("dtend", booking.end.astimezone(dt.UTC))
    item.add(
        "summary",
        _("%(place)s at %(building)s") % {"place": resource_label(booking), "building": booking.building},
    )
    item.add("location", f"{booking.building.name}, {booking.building.address}")
    item.add("sequence", booking.sequence)
    item.add("status", "CONFIRMED" if booking.is_active else "CANCELLED")
    if booking.cancel_reason:
        item.add("description", booking.cancel_reason)
    return item


def resource_label(booking: Booking) -> str:
    if booking.desk_id:
        return _("Desk %(label)s, %(room)s") % {"label": booking.desk.label, "room": booking.desk.room.name}
    return booking.room.name


def calendar(bookings: Iterable[Booking], name: str = "") -> bytes:
    cal = Calendar()
    cal.add("prodid", f"-//{settings.SPACE_NAME}//Coworking//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    for booking in bookings:
        cal.add_component(event(booking))
    return cal.to_ical()

"""iCalendar (RFC 5545) for bookings: .ics downloads, email attachments, the feed.

The feed and the .ics download publish (METHOD:PUBLISH): calendar apps keep a copy of
what they read. Emails carry iTIP messages (RFC 5546), which calendar apps apply to
the event of the same UID: METHOD:REQUEST adds or updates it, METHOD:CANCEL with
STATUS:CANCELLED removes it. Each change bumps the booking's SEQUENCE, so a later
message wins over an earlier one whatever order they arrive in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress

from bookings.models import Booking


def uid(booking: Booking) -> str:
    """Stable for the life of the booking, and distinct between installations."""
    host = settings.ALLOWED_HOSTS[0].lstrip(".") if settings.ALLOWED_HOSTS else "coworking"
    return f"booking-{booking.pk}@{host}"


PUBLISH = "PUBLISH"
REQUEST = "REQUEST"
CANCEL = "CANCEL"


def method_for(bookings: Iterable[Booking]) -> str:
    """The iTIP method of an email about these bookings: CANCEL once they are over."""
    return REQUEST if any(booking.is_active for booking in bookings) else CANCEL


def event(booking: Booking, method: str = PUBLISH) -> Event:
    """One booking as a VEVENT; times in UTC so every calendar app places them right.

    iTIP messages name the organizer (the space) and the attendee (the member), as
    Outlook and Google need to apply them. Expects booking.user, booking.building and
    booking.desk/room (with room) to be loaded.
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
    item.add("status", "CONFIRMED" if booking.is_active and method != CANCEL else "CANCELLED")
    if booking.cancel_reason:
        item.add("description", booking.cancel_reason)
    if method != PUBLISH:
        organizer = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
        organizer.params["cn"] = settings.SPACE_NAME
        item.add("organizer", organizer)
        attendee = vCalAddress(f"mailto:{booking.user.email}")
        attendee.params.update(
            {"cn": str(booking.user), "role": "REQ-PARTICIPANT", "partstat": "ACCEPTED", "rsvp": "FALSE"}
        )
        item.add("attendee", attendee)
    return item


def resource_label(booking: Booking) -> str:
    if booking.desk_id:
        return _("Desk %(label)s, %(room)s") % {"label": booking.desk.label, "room": booking.desk.room.name}
    return booking.room.name


def calendar(bookings: Iterable[Booking], name: str = "", method: str = PUBLISH) -> bytes:
    cal = Calendar()
    cal.add("prodid", f"-//{settings.SPACE_NAME}//Coworking//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    for booking in bookings:
        cal.add_component(event(booking, method))
    return cal.to_ical()

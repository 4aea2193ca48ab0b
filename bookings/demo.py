"""Demo bookings for `manage.py seed_demo`: a week around today in every demo building.

Made through services.create_booking, so they obey the rules; one that breaks a rule
or overlaps is skipped. Past ones are booked "as of" the day before they start.
Idempotent: nothing is added once any booking exists.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from accounts.models import User
from bookings import services
from bookings.models import Booking
from spaces.models import Building, Desk, Room, local_instant

MEMBERS = [
    "member@example.com",
    "anna@example.com",
    "dmitry@example.com",
    "elena@example.com",
    "pavel@example.com",
]
DAYS_BEFORE, DAYS_AFTER = 3, 6
# (start hour, hours) of a desk day and of a meeting.
DESK_SLOTS = [(9, 4), (10, 3), (10, 8), (13, 4), (14, 3)]
ROOM_SLOTS = [(10, 1), (11, 2), (15, 1), (16, 2)]
# member@example.com always finds these upcoming: (days from today, start hour, hours, kind).
MEMBER_UPCOMING = [
    (1, 10, 3, Room.Kind.OPEN_SPACE),
    (2, 14, 1, Room.Kind.MEETING_ROOM),
    (4, 9, 4, Room.Kind.OPEN_SPACE),
]


def _book(user: User, place: Desk | Room, day: dt.date, hour: int, hours: int) -> bool:
    building = services.building_of(place)
    start = local_instant(day, dt.time(hour), building.zone).astimezone(dt.UTC)
    end = start + dt.timedelta(hours=hours)
    # Past demo bookings are made as they would have been: the day before.
    now = min(timezone.now(), start - dt.timedelta(days=1))
    try:
        services.create_booking(user=user, resource=place, start=start, end=end, now=now, notify=False)
    except services.BookingError:
        return False
    return True


def seed(stdout) -> None:
    if Booking.objects.exists():
        stdout.write("Bookings: already there, none added.")
        return
    members = [user for email in MEMBERS for user in User.objects.filter(email=email)]
    rng = random.Random(2026)  # noqa: S311 - the same demo week every time, nothing secret
    places = []
    for building in Building.objects.active().prefetch_related("opening_hours"):
        desks = list(Desk.objects.active().filter(room__building=building).select_related("room__building"))
        rooms = list(
            Room.objects.active()
            .filter(building=building)
            .exclude(kind=Room.Kind.OPEN_SPACE)
            .select_related("building")
        )
        if desks or rooms:
            places.append((building, desks, rooms))
    results = []
    if places and members and members[0].email == MEMBERS[0]:
        building, desks, rooms = places[0]
        for offset, hour, hours, kind in MEMBER_UPCOMING:
            choices = desks if kind == Room.Kind.OPEN_SPACE else [r for r in rooms if r.kind == kind]
            if choices:
                day = building.local_today() + dt.timedelta(days=offset)
                results.append(_book(members[0], rng.choice(choices), day, hour, hours))
    for offset in range(-DAYS_BEFORE, DAYS_AFTER + 1):
        for user in members:
            building, desks, rooms = rng.choice(places) if places else (None, [], [])
            day = building.local_today() + dt.timedelta(days=offset) if building else None
            if desks and rng.random() < 0.7:
                results.append(_book(user, rng.choice(desks), day, *rng.choice(DESK_SLOTS)))
            if rooms and rng.random() < 0.35:
                results.append(_book(user, rng.choice(rooms), day, *rng.choice(ROOM_SLOTS)))
    made = sum(results)
    stdout.write(
        f"Bookings: {made} created, {len(results) - made} skipped (closed, taken or over the limits)."
    )

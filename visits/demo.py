"""Demo visits for `manage.py seed_demo`: a month of visits so the statistics have a shape.

Visits go only to buildings that exist (spaces' demo makes them); with none, nothing is
added. A member with a demo booking that day usually turns up for it (so "booked versus
used" is not empty), otherwise drops by their usual building now and then. Each member's
day is drawn from a random generator seeded with the member and the date, so running
the seed again finds the same visits (get_or_create) and adds only the days since.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from accounts.models import User
from bookings.models import Booking
from spaces.models import Building, local_instant
from visits import services
from visits.models import Visit, minutes_between

DAYS = 30
MEMBERS = [
    "admin@example.com",
    "member@example.com",
    "anna@example.com",
    "dmitry@example.com",
    "elena@example.com",
    "pavel@example.com",
]
# These are in the space right now when a building is open.
IN_NOW = ["anna@example.com", "dmitry@example.com", "elena@example.com"]
TURNS_UP_FOR_BOOKINGS = 0.8
# Demo visits fall in a daytime window even in a building open around the clock.
DAY_STARTS, DAY_ENDS = dt.time(8), dt.time(21)


def _daytime(building: Building, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    interval = building.open_interval(day)
    if interval is None:
        return None
    opens = max(interval[0], local_instant(day, DAY_STARTS, building.zone))
    closes = min(interval[1], local_instant(day, DAY_ENDS, building.zone))
    return (opens, closes) if closes - opens >= dt.timedelta(hours=1) else interval


def _plan(rng: random.Random, building: Building, day: dt.date, booking: Booking | None, regularity: float):
    """(building, arrival, departure) of the member's visit that day, or None."""
    if booking is not None and rng.random() < TURNS_UP_FOR_BOOKINGS:
        closes = (booking.building.open_interval(day) or (None, booking.end))[1]
        arrival = booking.start - dt.timedelta(minutes=5 * rng.randint(0, 3))
        stay = dt.timedelta(minutes=rng.randint(60, 300))
        return booking.building, arrival, max(min(max(booking.end, arrival + stay), closes), booking.end)
    hours = _daytime(building, day)
    if booking is not None or hours is None or rng.random() > regularity:
        return None
    span = int((hours[1] - hours[0]).total_seconds() // 60)
    arrival = hours[0] + dt.timedelta(minutes=5 * rng.randint(0, span * 3 // 5 // 5))
    departure = min(arrival + dt.timedelta(minutes=rng.randint(45, 9 * 60)), hours[1])
    return building, arrival, departure


def _past_visits(member: User, building: Building, regularity: float, now: dt.datetime) -> int:
    bookings = {}
    for booking in (
        Booking.objects.filter(user=member, end__lte=now)
        .exclude(status=Booking.Status.CANCELLED)
        .select_related("building")
        .prefetch_related("building__opening_hours")
        .order_by("-start")
    ):
        bookings[booking.local_start.date()] = booking  # the day's first booking wins
    created = 0
    today = building.local_today()
    for offset in range(DAYS, 0, -1):
        day = today - dt.timedelta(days=offset)
        rng = random.Random(f"{member.email}/{day.isoformat()}")  # noqa: S311 (demo data)
        plan = _plan(rng, building, day, bookings.get(day), regularity)
        if plan is None:
            continue
        where, arrival, departure = plan
        visit, was_created = Visit.objects.get_or_create(
            user=member,
            building=where,
            checked_in_at=arrival,
            defaults={
                "checked_out_at": departure,
                "duration_minutes": minutes_between(arrival, departure),
                "checked_in_by": member,
                "checked_out_by": member,
            },
        )
        if was_created:
            services.award_visit_karma(visit)
            created += 1
    return created


def _in_now(member: User, building: Building, now: dt.datetime) -> int:
    hours = _daytime(building, building.local_today())
    if hours is None or not hours[0] <= now < hours[1]:
        return 0
    if Visit.objects.filter(user=member, checked_in_at__gte=hours[0]).exists():
        return 0
    minutes_ago = random.Random(member.email).randint(20, 180)  # noqa: S311 (demo data)
    arrival = max(hours[0], now - dt.timedelta(minutes=minutes_ago))
    return int(services.check_in(member, building, now=arrival).created)


def seed(stdout) -> None:
    buildings = list(Building.objects.active().prefetch_related("opening_hours").order_by("pk"))
    members = list(User.objects.filter(email__in=MEMBERS).order_by("email"))
    if not buildings or not members:
        stdout.write("Visits: no buildings or members yet, nothing added.")
        return
    now = timezone.now()
    created = 0
    for index, member in enumerate(members):
        building = buildings[index % len(buildings)]
        created += _past_visits(member, building, regularity=0.45 + 0.08 * index, now=now)
        if member.email in IN_NOW:
            created += _in_now(member, building, now)
    # The bookings met by these visits count as attended; the rest stay no-shows.
    attended = len(services.attend_bookings_of_present_members(now))
    stdout.write(f"Visits: {created} created over the last {DAYS} days, {attended} bookings attended.")

"""A member's home building: where booking, the day view and check-in start.

Chosen on the profile; unset, it is the building the member last booked or visited.
Bookings and visits are reached through their reverse relations on the member
(`user.bookings`, `user.visits`), so accounts imports neither app.
"""

from __future__ import annotations

from django.db.models import QuerySet, Subquery

from accounts.models import User
from spaces.models import Building
from spaces.sorting import naturally


def buildings_and_home(user: User, buildings: QuerySet[Building]) -> tuple[list[Building], Building | None]:
    """`buildings` in natural order, and the member's home among them (one query).

    The home is the building chosen on the profile, else the one the member last booked
    or checked in to, else the only building there is; None when there is no telling.
    """
    guess = user.home_building_id is None
    if guess:
        # The member's last booking and last visit in any of these buildings: each is one
        # probe of the member's newest rows (booking_user_recent, visit_user_recent), not a
        # search of their whole history per building. Said once for the whole list.
        among = buildings.values("pk")
        booking = user.bookings.filter(building__in=among).order_by("-start")
        visit = user.visits.filter(building__in=among).order_by("-checked_in_at")
        buildings = buildings.annotate(
            booked_in=Subquery(booking.values("building")[:1]),
            booked_at=Subquery(booking.values("start")[:1]),
            visited_in=Subquery(visit.values("building")[:1]),
            visited_at=Subquery(visit.values("checked_in_at")[:1]),
        )
    listed = naturally(buildings)
    if not guess:
        home = next((building for building in listed if building.pk == user.home_building_id), None)
        if home is not None:
            return listed, home
    elif listed:
        last = listed[0]
        used = [
            (moment, pk)
            for moment, pk in ((last.booked_at, last.booked_in), (last.visited_at, last.visited_in))
            if moment
        ]
        if used:
            home_pk = max(used)[1]
            return listed, next(building for building in listed if building.pk == home_pk)
    return listed, listed[0] if len(listed) == 1 else None

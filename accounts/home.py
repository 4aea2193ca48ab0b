"""A member's home building: where booking, the day view and check-in start.

Chosen on the profile; unset, it is the building the member last booked or visited.
Bookings and visits are reached through their reverse relations on the member
(`user.bookings`, `user.visits`), so accounts imports neither app.
"""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

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
        last_booked = user.bookings.filter(building=OuterRef("pk")).order_by("-start").values("start")[:1]
        last_visited = (
            user.visits.filter(building=OuterRef("pk")).order_by("-checked_in_at").values("checked_in_at")[:1]
        )
        buildings = buildings.annotate(last_booked=Subquery(last_booked), last_visited=Subquery(last_visited))
    listed = naturally(buildings)
    if not guess:
        home = next((building for building in listed if building.pk == user.home_building_id), None)
        if home is not None:
            return listed, home
    used = [
        (max(moment for moment in (building.last_booked, building.last_visited) if moment), building)
        for building in listed
        if guess and (building.last_booked or building.last_visited)
    ]
    if used:
        return listed, max(used, key=lambda pair: pair[0])[1]
    return listed, listed[0] if len(listed) == 1 else None

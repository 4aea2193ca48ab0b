"""Floor plans as members see them: a room's plan image with a marker per desk.

spaces knows where the desks are; what each desk is at a given time (free, taken, yours)
is for the app that books them to say: it builds a Spot per desk and hands the list to
RoomPlan, and spaces/includes/floor_plan.html draws it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from spaces.models import Building, Desk, FloorPlan, Room

# The states a desk can be in on a plan, as the template and the stylesheet name them.
FREE, TAKEN, MINE, PAST = "free", "taken", "mine", "past"


def planned_rooms(building: Building) -> list[Room]:
    """The building's active open-space rooms that have a plan, with `floor_plan` and
    their active desks placed on it (`desks`, with their amenities). Three queries."""
    placed = (
        Desk.objects.active().filter(plan_x__isnull=False, plan_y__isnull=False).prefetch_related("amenities")
    )
    return list(
        _with_plans(building)
        .select_related("floor_plan")
        .prefetch_related(Prefetch("desks", queryset=placed))
        .order_by("floor", "name")
    )


def has_plans(building: Building) -> bool:
    """Whether the building has a room planned_rooms would show. One query."""
    return _with_plans(building).exists()


def _with_plans(building: Building) -> QuerySet[Room]:
    return Room.objects.active().filter(
        building=building, kind=Room.Kind.OPEN_SPACE, floor_plan__isnull=False
    )


@dataclass(frozen=True)
class Spot:
    """One desk on a plan, as it is for the chosen time."""

    desk: Desk
    state: str  # FREE, TAKEN, MINE or PAST
    href: str  # book it (free), see its week (taken, past), see the booking (mine)
    label: str  # what a screen reader says: the desk, its state and what a tap does
    amenities: str = ""  # "Monitor, Window"
    until: str = ""  # when a taken desk is free again, "13:00"
    holder: str = ""  # who holds it, only when they show themselves to members


@dataclass
class RoomPlan:
    room: Room
    spots: list[Spot] = field(default_factory=list)

    @property
    def plan(self) -> FloorPlan:
        return self.room.floor_plan

    @property
    def free_count(self) -> int:
        return sum(spot.state == FREE for spot in self.spots)

    def placed(self) -> list[tuple[Spot, float, float]]:
        """Each spot with its marker's centre in the plan's viewBox units."""
        height = self.plan.view_height
        return [
            (spot, round(spot.desk.plan_x * 1000, 1), round(spot.desk.plan_y * height, 1))
            for spot in self.spots
        ]

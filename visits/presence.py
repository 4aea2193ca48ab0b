"""Who is in each building now (two queries, however many buildings and visitors; one for
the numbers alone)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from accounts.models import User
from spaces.models import Building
from visits.models import Visit


@dataclass
class BuildingPresence:
    building: Building
    count: int
    # The open visits the viewer may see by name: everyone for staff, members who
    # opted in (User.visible_to_members) and the viewer themself for members.
    visits: list[Visit] = field(default_factory=list)

    @property
    def hidden(self) -> int:
        return self.count - len(self.visits)


def buildings_with_presence():
    """Active buildings with `present`, their number of open visits. Counted in a subquery
    over the open visits (the visit_open index): a join with every visit a building ever had
    would grow with its history."""
    present = (
        Visit.objects.open()
        .filter(building=OuterRef("pk"))
        .order_by()
        .values("building")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Building.objects.active().annotate(present=Coalesce(Subquery(present), 0)).order_by("name", "pk")


def counts() -> list[BuildingPresence]:
    """How many are in each active building, without who (one query): the home card."""
    return [BuildingPresence(b, b.present) for b in buildings_with_presence()]


def who_is_in(viewer: User) -> list[BuildingPresence]:
    presence = {item.building.pk: item for item in counts()}
    visits = Visit.objects.open().filter(building__is_active=True).select_related("user", "building")
    if not viewer.is_staff:
        visits = visits.filter(Q(user__visible_to_members=True) | Q(user=viewer))
    for visit in visits.order_by("checked_in_at", "pk"):
        presence[visit.building_id].visits.append(visit)
    return list(presence.values())

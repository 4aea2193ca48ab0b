"""Who is in each building now (two queries, however many buildings and visitors)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

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


def who_is_in(viewer: User) -> list[BuildingPresence]:
    buildings = (
        Building.objects.active()
        .annotate(present=Count("visits", filter=Q(visits__checked_out_at__isnull=True)))
        .order_by("name", "pk")
    )
    presence = {b.pk: BuildingPresence(b, b.present) for b in buildings}
    visits = Visit.objects.open().filter(building__is_active=True).select_related("user", "building")
    if not viewer.is_staff:
        visits = visits.filter(Q(user__visible_to_members=True) | Q(user=viewer))
    for visit in visits.order_by("checked_in_at", "pk"):
        presence[visit.building_id].visits.append(visit)
    return list(presence.values())

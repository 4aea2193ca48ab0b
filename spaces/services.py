"""Workflows that change several rows: adding numbered desks, retiring spaces."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.db.models import ProtectedError, RestrictedError
from django.db.models.deletion import Collector
from django.utils.translation import gettext as _

from accounts.models import User
from spaces.models import Building, Desk, Room
from spaces.signals import spaces_deactivated

Space = Building | Room | Desk


@transaction.atomic
def add_numbered_desks(room: Room, count: int, prefix: str = "") -> list[Desk]:
    """Add `count` desks labelled prefix+N, continuing after the highest N already used.

    Only open-space rooms have desks. The room row is locked so two staff members
    adding desks at once cannot pick the same numbers.
    """
    room = Room.objects.select_for_update().get(pk=room.pk)
    ensure_open_space(room)
    labels = room.desks.filter(label__startswith=prefix).values_list("label", flat=True)
    # The filter above is case-insensitive on SQLite; the exact prefix is checked here.
    numbers = [int(label[len(prefix) :]) for label in labels if _numbered(label, prefix)]
    first = max(numbers, default=0) + 1
    new_labels = [f"{prefix}{number}" for number in range(first, first + count)]
    longest = Desk._meta.get_field("label").max_length
    if len(new_labels[-1]) > longest:
        raise ValidationError(
            _("Labels such as “%(label)s” would be longer than %(limit)s characters; use a shorter prefix.")
            % {"label": new_labels[-1], "limit": longest}
        )
    desks = Desk.objects.bulk_create([Desk(room=room, label=label) for label in new_labels])
    Building.part_changed(room)  # bulk_create sends no signals
    return desks


def usual_desk_prefix(room: Room) -> str:
    """The prefix of the room's newest numbered desk ("T-" for T-12), to suggest for more."""
    for label in room.desks.order_by("-pk").values_list("label", flat=True)[:20]:
        if match := re.fullmatch(r"(.*?)\d+", label):
            return match.group(1)
    return "A-"


def ensure_open_space(room: Room) -> None:
    if room.kind != Room.Kind.OPEN_SPACE:
        raise ValidationError(
            _("“%(room)s” is a %(kind)s: only open-space rooms have desks, other rooms are booked whole.")
            % {"room": room.name, "kind": room.get_kind_display().lower()}
        )


def _numbered(label: str, prefix: str) -> bool:
    return label.startswith(prefix) and label[len(prefix) :].isascii() and label[len(prefix) :].isdigit()


@dataclass
class Removal:
    deleted: list[Space] = field(default_factory=list)
    deactivated: list[Space] = field(default_factory=list)


def has_protected_relations(obj: Space) -> bool:
    """Would deleting obj be refused because other rows point at it with PROTECT/RESTRICT?

    Asked of Django's deletion collector, so it covers every app's foreign keys (bookings,
    visits ...) without spaces knowing them.
    """
    collector = Collector(using=router.db_for_write(type(obj)), origin=obj)
    try:
        collector.collect([obj])
    except (ProtectedError, RestrictedError):
        return True
    return False


@transaction.atomic
def delete_or_deactivate(objects: Iterable[Space], by: User) -> Removal:
    """Delete buildings, rooms or desks that nothing refers to; deactivate the others.

    A space with history (desks in a room, bookings of a desk ...) must keep its row, so
    it is deactivated instead, together with what it contains: members stop seeing it
    and nothing new can be booked there. The deleted objects keep their pk in memory
    (they are deleted through a queryset) so callers can still log them.
    """
    removal = Removal()
    objects = list(objects)
    if not objects:
        return removal
    model = type(objects[0])
    # Locking the rows makes new references (a booking inserted meanwhile) wait for us.
    list(model.objects.select_for_update().filter(pk__in=[obj.pk for obj in objects]))
    for obj in objects:
        (removal.deactivated if has_protected_relations(obj) else removal.deleted).append(obj)
    for obj in removal.deactivated:
        _deactivate(obj)
    if removal.deactivated:
        spaces_deactivated.send(sender=model, spaces=removal.deactivated, by=by)
    if removal.deleted:
        model._base_manager.filter(pk__in=[obj.pk for obj in removal.deleted]).delete()
    return removal


def _deactivate(obj: Space) -> None:
    obj.is_active = False
    type(obj).objects.filter(pk=obj.pk).update(is_active=False)
    if isinstance(obj, Building):
        Room.objects.filter(building=obj).update(is_active=False)
        Desk.objects.filter(room__building=obj).update(is_active=False)
    elif isinstance(obj, Room):
        Desk.objects.filter(room=obj).update(is_active=False)
    # Updates send no signals: the building's pages are told here.
    Building.part_changed(obj)

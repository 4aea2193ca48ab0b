from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.tests.factories import UserFactory
from coworking.testing import run_concurrently
from spaces import services
from spaces.models import Desk, Room
from spaces.tests.factories import BuildingPhotoFactory, DeskFactory, OpeningHoursFactory, RoomFactory

pytestmark = pytest.mark.django_db


def test_add_numbered_desks_starts_at_one_without_a_prefix():
    room = RoomFactory(kind=Room.Kind.OPEN_SPACE)
    desks = services.add_numbered_desks(room, 3)
    assert [desk.label for desk in desks] == ["1", "2", "3"]
    assert room.desks.count() == 3


def test_add_numbered_desks_refuses_a_meeting_room():
    room = RoomFactory(name="Тихая", kind=Room.Kind.MEETING_ROOM)
    with pytest.raises(ValidationError) as error:
        services.add_numbered_desks(room, 2, "A-")
    assert error.value.messages == [
        "«Тихая» — переговорная: рабочие места бывают только в открытых пространствах, "
        "остальные помещения бронируются целиком."
    ]
    assert Desk.objects.count() == 0


def test_add_numbered_desks_refuses_labels_that_would_not_fit():
    room = RoomFactory(kind=Room.Kind.OPEN_SPACE)
    DeskFactory(room=room, label="Этаж-2-ряд-999999998")
    with pytest.raises(ValidationError) as error:
        services.add_numbered_desks(room, 2, "Этаж-2-ряд-")
    assert error.value.messages == [
        "Обозначения вроде «Этаж-2-ряд-1000000000» получатся длиннее 20 символов — возьмите префикс покороче."
    ]
    assert room.desks.count() == 1


def test_protection_is_found_through_any_protecting_relation():
    desk = DeskFactory()
    room_without_desks = RoomFactory()
    # Photos and opening hours cascade: they are no history.
    BuildingPhotoFactory(building=room_without_desks.building)
    OpeningHoursFactory(building=room_without_desks.building)
    assert services.has_protected_relations(desk.room) is True
    assert services.has_protected_relations(desk.room.building) is True
    assert services.has_protected_relations(desk) is False
    assert services.has_protected_relations(room_without_desks) is False


def test_delete_or_deactivate_reports_what_it_did():
    used, free = DeskFactory().room, RoomFactory()
    removal = services.delete_or_deactivate(
        Room.objects.filter(pk__in=[used.pk, free.pk]).order_by("pk"), by=UserFactory(is_staff=True)
    )
    assert (removal.deleted, removal.deactivated) == ([free], [used])
    assert removal.deleted[0].pk == free.pk  # still known, for the admin's log
    assert list(Room.objects.values_list("pk", "is_active")) == [(used.pk, False)]


@pytest.mark.django_db(transaction=True)
def test_staff_adding_desks_at_once_get_distinct_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks")
    room = RoomFactory(kind=Room.Kind.OPEN_SPACE)
    outcomes = run_concurrently(lambda _: services.add_numbered_desks(room, 5, "A-"), range(2))
    assert [error for error in outcomes if isinstance(error, Exception)] == []
    assert sorted(room.desks.values_list("label", flat=True), key=lambda label: int(label[2:])) == [
        f"A-{number}" for number in range(1, 11)
    ]

from __future__ import annotations

import io

import pytest

from spaces import demo
from spaces.models import Building, BuildingPhoto, Desk, FloorPlan, OpeningHours, Room, RoomPhoto


@pytest.mark.django_db
def test_demo_spaces_are_seeded_once():
    first, second = io.StringIO(), io.StringIO()
    demo.seed(first)
    demo.seed(second)
    assert first.getvalue() == "Spaces: 2 buildings, 9 rooms, 40 desks, 12 new photos, 2 new floor plans."
    assert second.getvalue() == "Spaces: 2 buildings, 9 rooms, 40 desks, 0 new photos, 0 new floor plans."
    assert list(Building.objects.values_list("name", "time_zone")) == [
        ("Berlin Hub", "Europe/Berlin"),
        ("Коворкинг на Покровке", "Europe/Moscow"),
    ]
    assert sorted(set(Room.objects.values_list("kind", flat=True))) == sorted(Room.Kind.values)
    berlin_hours = OpeningHours.objects.filter(building__name="Berlin Hub")
    assert all(hours.is_around_the_clock for hours in berlin_hours) and berlin_hours.count() == 7
    assert sorted(
        OpeningHours.objects.filter(building__name="Коворкинг на Покровке").values_list("weekday", flat=True)
    ) == [
        0,
        1,
        2,
        3,
        4,
        5,
    ]
    assert (BuildingPhoto.objects.count(), RoomPhoto.objects.count()) == (5, 7)
    assert not Desk.objects.filter(room__kind=Room.Kind.MEETING_ROOM).exists()
    assert list(
        Room.objects.get(name="Большой опенспейс").desks.order_by("pk").values_list("label", flat=True)[:3]
    ) == [
        "A-1",
        "A-2",
        "A-3",
    ]
    # The two big open spaces have a plan with every desk on it, four to a row.
    assert sorted(FloorPlan.objects.values_list("room__name", "width", "height")) == [
        ("Open Space Mitte", 1600, 1000),
        ("Большой опенспейс", 1600, 1000),
    ]
    hall = Room.objects.get(name="Большой опенспейс")
    assert not hall.desks.filter(plan_x__isnull=True).exists()
    assert list(
        hall.desks.filter(label__in=["A-1", "A-2", "A-5"])
        .order_by("label")
        .values_list("label", "plan_x", "plan_y")
    ) == [
        ("A-1", 0.125, 0.185),
        ("A-2", 0.25, 0.185),
        ("A-5", 0.125, 0.395),
    ]

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from spaces.models import Room
from spaces.tests.factories import (
    AmenityFactory,
    BuildingFactory,
    BuildingPhotoFactory,
    DeskFactory,
    OpeningHoursFactory,
    RoomFactory,
    RoomPhotoFactory,
)

pytestmark = pytest.mark.django_db
MIDNIGHT = dt.time(0)


def _every_day(building, opens_at=dt.time(8), closes_at=dt.time(22)):
    for weekday in range(7):
        OpeningHoursFactory(building=building, weekday=weekday, opens_at=opens_at, closes_at=closes_at)
    return building


def _texts(html: str, testid: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", text).strip()
        for text in re.findall(rf'data-testid="{testid}"[^>]*>(.*?)</', html, re.S)
    ]


@pytest.mark.smoke
def test_building_list_shows_active_buildings_with_todays_hours(client, member):
    always_open = _every_day(
        BuildingFactory(name="Berlin Hub", time_zone="Europe/Berlin"), MIDNIGHT, MIDNIGHT
    )
    _every_day(BuildingFactory(name="Покровка", address="Москва, Покровка, 27"))
    BuildingFactory(name="Закрытый филиал", is_active=False)
    RoomFactory(building=always_open)
    DeskFactory(room__building=always_open)
    client.force_login(member)
    response = client.get(reverse("spaces:building_list"))
    html = response.content.decode()
    assert [building.name for building, _status in response.context["cards"]] == ["Berlin Hub", "Покровка"]
    assert _texts(html, "hours-today") == ["круглосуточно", "08:00–22:00"]
    assert _texts(html, "open-status")[0] == "Открыто круглосуточно"
    assert "Москва, Покровка, 27" in html
    assert "Закрытый филиал" not in html
    berlin = response.context["cards"][0][0]
    assert (berlin.room_count, berlin.desk_count) == (2, 1)


@pytest.mark.smoke
def test_spaces_pages_need_a_login(client):
    url = reverse("spaces:building_list")
    response = client.get(url)
    assert (response.status_code, response.url) == (302, f"{reverse('account_login')}?next={url}")


def test_header_links_to_spaces(client, member):
    client.force_login(member)
    html = client.get(reverse("home")).content.decode()
    assert f'<a href="{reverse("spaces:building_list")}">Пространства</a>' in html


def test_building_page_shows_the_week_rooms_by_floor_and_photos(client, member):
    building = BuildingFactory(name="Покровка", time_zone="Europe/Berlin", description="Лофт у метро.")
    OpeningHoursFactory(building=building, weekday=0)
    OpeningHoursFactory(building=building, weekday=5, opens_at=dt.time(10), closes_at=dt.time(18))
    photo = BuildingPhotoFactory(building=building, caption="Фасад")
    screen = AmenityFactory(name="проектор")
    meeting = RoomFactory(building=building, name="Переговорная", floor=2, capacity=8)
    meeting.amenities.add(screen)
    open_space = RoomFactory(
        building=building, name="Опенспейс", floor=1, kind=Room.Kind.OPEN_SPACE, capacity=20
    )
    DeskFactory(room=open_space)
    DeskFactory(room=open_space)
    DeskFactory(room=open_space, is_active=False)
    RoomFactory(building=building, name="Закрытая", is_active=False)
    client.force_login(member)

    response = client.get(reverse("spaces:building_detail", args=[building.pk]))
    html = response.content.decode()
    assert [(label, str(hours) if hours else None) for label, hours, _today in response.context["week"]] == [
        ("Понедельник", "Понедельник 08:00–22:00"),
        ("Вторник", None),
        ("Среда", None),
        ("Четверг", None),
        ("Пятница", None),
        ("Суббота", "Суббота 10:00–18:00"),
        ("Воскресенье", None),
    ]
    assert "Местное время здания: Europe/Berlin, UTC+0" in html
    assert re.findall(r'<h3 class="floor-title">(.*?)</h3>', html) == ["Этаж 1", "Этаж 2"]
    assert re.findall(r'<h4 class="room-card-title">(.*?)</h4>', html) == ["Опенспейс", "Переговорная"]
    assert "До 20 человек · 2 рабочих места" in re.sub(r"\s+", " ", html)
    assert "До 8 человек" in html
    assert '<li class="chip">проектор</li>' in html
    assert "Лофт у метро." in html
    assert 'alt="Фасад"' in html
    assert photo.medium.url.split("?")[0] in html
    assert "Закрытая" not in html


def test_room_page_shows_desks_in_natural_order_with_their_amenities(client, member):
    room = RoomFactory(name="Опенспейс", kind=Room.Kind.OPEN_SPACE, capacity=20)
    monitor = AmenityFactory(name="монитор")
    for label in ("A-10", "A-2", "A-1"):
        DeskFactory(room=room, label=label)
    room.desks.get(label="A-2").amenities.add(monitor)
    DeskFactory(room=room, label="A-3", is_active=False)
    RoomPhotoFactory(room=room, caption="Окна")
    client.force_login(member)

    response = client.get(reverse("spaces:room_detail", args=[room.pk]))
    html = response.content.decode()
    assert [desk.label for desk in response.context["desks"]] == ["A-1", "A-2", "A-10"]
    assert re.findall(r'<span class="desk-label">(.*?)</span>', html) == ["A-1", "A-2", "A-10"]
    assert 'aria-label="Удобства рабочего места A-2"' in html
    # The buttons the apps add (bookings: "Book", "See the day") in their place.
    assert re.search(r'<div class="room-actions">.*data-testid="book-place"', html, re.S)


def test_meeting_room_page_says_it_is_booked_whole(client, member):
    room = RoomFactory(name="Переговорная", capacity=4)
    client.force_login(member)
    html = client.get(reverse("spaces:room_detail", args=[room.pk])).content.decode()
    assert "Это помещение бронируют целиком, а не по местам. Вмещает до 4 человек." in html
    assert 'class="desk-grid"' not in html


@pytest.mark.parametrize(
    "make_url",
    [
        lambda: reverse("spaces:building_detail", args=[BuildingFactory(is_active=False).pk]),
        lambda: reverse("spaces:room_detail", args=[RoomFactory(is_active=False).pk]),
        lambda: reverse("spaces:room_detail", args=[RoomFactory(building__is_active=False).pk]),
        lambda: reverse("spaces:building_detail", args=[987654]),
    ],
    ids=["inactive-building", "inactive-room", "room-of-inactive-building", "missing"],
)
def test_inactive_spaces_are_not_found(client, member, make_url):
    client.force_login(member)
    assert client.get(make_url()).status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_building_list_runs_a_fixed_number_of_queries(client, member, django_assert_num_queries, count):
    for _ in range(count):
        building = _every_day(BuildingFactory())
        BuildingPhotoFactory(building=building)
        DeskFactory(room__building=building)
    client.force_login(member)
    # session, member, buildings with counts, opening hours, photos
    with django_assert_num_queries(5):
        response = client.get(reverse("spaces:building_list"))
    assert len(response.context["cards"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_building_page_runs_a_fixed_number_of_queries(client, member, django_assert_num_queries, count):
    building = _every_day(BuildingFactory())
    BuildingPhotoFactory(building=building)
    for _ in range(count):
        room = DeskFactory(room__building=building).room
        room.amenities.add(AmenityFactory())
        RoomPhotoFactory(room=room)
    client.force_login(member)
    # session, member, building, its hours, its photos, rooms, their amenities, their photos
    with django_assert_num_queries(8):
        response = client.get(reverse("spaces:building_detail", args=[building.pk]))
    assert len(response.context["rooms"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_room_page_runs_a_fixed_number_of_queries(client, member, django_assert_num_queries, count):
    room = RoomFactory(kind=Room.Kind.OPEN_SPACE)
    _every_day(room.building)
    RoomPhotoFactory(room=room)
    for _ in range(count):
        DeskFactory(room=room).amenities.add(AmenityFactory())
    client.force_login(member)
    # session, member, room, amenities, photos, building hours, desks, desk amenities
    with django_assert_num_queries(8):
        response = client.get(reverse("spaces:room_detail", args=[room.pk]))
    assert len(response.context["desks"]) == count


def test_pages_speak_english_to_members_who_chose_it(client, member):
    member.language = "en"
    member.save(update_fields=["language"])
    building = _every_day(BuildingFactory(time_zone="Europe/Berlin"), MIDNIGHT, MIDNIGHT)
    room = RoomFactory(building=building, kind=Room.Kind.OPEN_SPACE, capacity=1)
    DeskFactory(room=room)
    client.force_login(member)
    html = re.sub(
        r"\s+", " ", client.get(reverse("spaces:building_detail", args=[building.pk])).content.decode()
    )
    assert "Open 24 hours" in html
    assert "Floor 1" in html
    assert "Up to 1 person · 1 desk" in html
    assert "Local time of the building: Europe/Berlin, UTC+0" in html

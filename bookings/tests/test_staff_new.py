"""Booking on a member's behalf: the member found by a search that ignores case in any
alphabet, the places offered those free at the chosen time, and a taken place answered
with who holds it and the alternatives members are offered."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.tests.factories import UserFactory
from bookings import services
from bookings.forms import place_key
from bookings.models import Booking
from bookings.tests.factories import BookingFactory, DeskFactory, RoomFactory, local
from staff.roles import FRONT_DESK

pytestmark = pytest.mark.django_db
NEW = reverse("bookings:staff_new")
DAY = dt.date(2026, 12, 10)


@pytest.fixture(autouse=True)
def _morning_before():
    """The day before DAY, 09:00 in Moscow: the day is bookable and in the future."""
    with time_machine.travel(dt.datetime(2026, 12, 9, 6, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def front_desk(client, password):
    user = UserFactory(password=password, is_staff=True, language="en", full_name="Front Desk")
    user.groups.add(Group.objects.get(name=FRONT_DESK))
    client.force_login(user)
    return user


def _htmx(target: str) -> dict:
    return {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": target}


def _choices(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", label).strip()
        for label in re.findall(r'data-testid="member-choice">(.*?)</label>', html, re.S)
    ]


def _labels(html: str) -> list[str]:
    """The member choices' text, without the radio inputs."""
    return [re.sub(r"<input[^>]*>", "", label).strip() for label in _choices(html)]


@pytest.mark.smoke
@pytest.mark.parametrize("query", ["мар", "МАР", "ЁЛК", "ёлкина", "елкина", "ЕЛК", "elkina@"])
def test_the_member_search_ignores_case_in_cyrillic_and_e_for_yo(client, front_desk, query):
    UserFactory(full_name="Ёлкина Мария", email="elkina@example.org")
    UserFactory(full_name="Иван Петров", email="ivan@example.org")
    UserFactory(full_name="Марина Ушедшая", email="gone@example.org", is_active=False)
    response = client.get(NEW, {"member_query": query}, **_htmx("member-results"))
    assert response.status_code == 200
    assert _labels(response.text) == ["Ёлкина Мария · elkina@example.org"]
    assert "<html" not in response.text  # the fragment only


def test_the_member_search_keeps_the_chosen_member_first(client, front_desk):
    chosen = UserFactory(full_name="Андрей Марков", email="markov@example.org")
    UserFactory(full_name="Мария Ёлкина", email="maria@example.org")
    response = client.get(NEW, {"member_query": "мари", "member": chosen.pk}, **_htmx("member-results"))
    assert _labels(response.text) == [
        "Андрей Марков · markov@example.org",
        "Мария Ёлкина · maria@example.org",
    ]
    assert re.search(rf'value="{chosen.pk}"[^>]*checked', response.text)


def test_the_member_search_says_when_nobody_matches(client, front_desk):
    response = client.get(NEW, {"member_query": "Зоя"}, **_htmx("member-results"))
    assert _choices(response.text) == []
    assert "No active member matches “Зоя”." in response.text


def test_find_without_javascript_searches_and_books_nothing(client, front_desk):
    UserFactory(full_name="Ёлкина Мария", email="elkina@example.org")
    desk = DeskFactory()
    response = client.post(
        NEW, {"find": "1", "member_query": "ЁЛК", "place": place_key(desk), "day": DAY.isoformat()}
    )
    assert response.status_code == 200
    assert _labels(response.text) == ["Ёлкина Мария · elkina@example.org"]
    assert response.context["form"].errors == {}
    assert Booking.objects.count() == 0


@pytest.mark.parametrize("count", [1, 3])
def test_the_member_search_query_count_is_fixed(client, front_desk, django_assert_num_queries, count):
    for number in range(count):
        UserFactory(full_name=f"Мария {number}")
    DeskFactory.create_batch(count)
    # The same number whatever the number of members found and places.
    with django_assert_num_queries(7):
        response = client.get(NEW, {"member_query": "мария"}, **_htmx("member-results"))
    assert len(_choices(response.text)) == count


def _place_options(html: str) -> list[str]:
    return re.findall(r'<option value="((?:desk|room)-\d+)"', html)


def test_the_places_offered_are_those_free_at_the_chosen_time(client, front_desk):
    taken_desk, free_desk = DeskFactory(), DeskFactory()
    taken_room, free_room = RoomFactory(), RoomFactory()
    building = taken_desk.room.building
    BookingFactory(desk=taken_desk, start=local(building, DAY, 10), end=local(building, DAY, 12))
    BookingFactory(
        room=taken_room,
        desk=None,
        start=local(taken_room.building, DAY, 11, 30),
        end=local(taken_room.building, DAY, 13),
    )
    # Cancelled, or at another time: the place is free.
    BookingFactory(
        desk=free_desk,
        start=local(building, DAY, 10),
        end=local(building, DAY, 12),
        status=Booking.Status.CANCELLED,
    )
    BookingFactory(
        room=free_room,
        desk=None,
        start=local(free_room.building, DAY, 12),
        end=local(free_room.building, DAY, 13),
    )
    query = {"day": DAY.isoformat(), "start_time": "11:00", "end_time": "12:00"}
    response = client.get(NEW, query, **_htmx("place-field"))
    assert response.status_code == 200
    assert _place_options(response.text) == [place_key(free_desk), place_key(free_room)]
    assert "2 places are free at this time." in response.text
    # Without a complete time every bookable place is offered.
    everything = client.get(NEW, {"day": DAY.isoformat()}, **_htmx("place-field"))
    assert sorted(_place_options(everything.text)) == sorted(
        place_key(p) for p in (taken_desk, free_desk, taken_room, free_room)
    )


def test_a_chosen_place_stays_offered_when_taken(client, front_desk):
    taken_desk = DeskFactory()
    building = taken_desk.room.building
    BookingFactory(desk=taken_desk, start=local(building, DAY, 10), end=local(building, DAY, 12))
    query = {
        "day": DAY.isoformat(),
        "start_time": "11:00",
        "end_time": "12:00",
        "place": place_key(taken_desk),
    }
    response = client.get(NEW, query, **_htmx("place-field"))
    assert _place_options(response.text) == [place_key(taken_desk)]
    assert "0 places are free at this time." in response.text


def test_a_taken_place_names_its_holder_and_offers_the_member_flows_alternatives(client, front_desk):
    desk = DeskFactory(label="A-1")
    neighbour = DeskFactory(label="A-2", room=desk.room)
    building = desk.room.building
    holder = UserFactory(full_name="Пётр Занятой")
    BookingFactory(user=holder, desk=desk, start=local(building, DAY, 10), end=local(building, DAY, 12))
    member = UserFactory(full_name="Ёлкина Мария")
    data = {
        "member": member.pk,
        "place": place_key(desk),
        "day": DAY.isoformat(),
        "start_time": "11:00",
        "end_time": "12:00",
    }
    response = client.post(NEW, data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This place is already booked for part of that time by Пётр Занятой (10:00–12:00). "
        "Overlaps are refused even when the rules are overridden."
    ]
    expected = services.nearest_alternatives(desk, local(building, DAY, 11), local(building, DAY, 12))
    assert [alternative for alternative, _fields in response.context["alternatives"]] == expected
    assert [alternative.resource for alternative in expected] == [neighbour]
    [(_alternative, fields)] = response.context["alternatives"]
    assert fields == {
        "place": place_key(neighbour),
        "day": "2026-12-10",
        "start_time": "11:00",
        "end_time": "12:00",
        "member": member.pk,
    }
    assert 'data-testid="book-instead"' in response.text
    # One click books the alternative for the same member.
    booked = client.post(NEW, fields)
    assert booked.status_code == 302
    booking = Booking.objects.get(desk=neighbour)
    assert (booking.user, booking.created_by, booking.start) == (member, front_desk, local(building, DAY, 11))


def test_a_member_must_be_chosen(client, front_desk):
    desk = DeskFactory()
    data = {"place": place_key(desk), "day": DAY.isoformat(), "start_time": "11:00", "end_time": "12:00"}
    response = client.post(NEW, {**data, "member_query": "кто-то"})
    assert response.context["form"].errors["member"] == ["Find the member and choose them."]
    assert Booking.objects.count() == 0


def test_moving_onto_a_taken_place_names_its_holder_and_offers_alternatives(client, password):
    manager = UserFactory(password=password, is_staff=True, language="en")
    manager.groups.add(Group.objects.get(name="Manager"))
    client.force_login(manager)
    desk = DeskFactory(label="A-1")
    neighbour = DeskFactory(label="A-2", room=desk.room)
    building = desk.room.building
    BookingFactory(
        user=UserFactory(full_name="Пётр Занятой"),
        desk=desk,
        start=local(building, DAY, 10),
        end=local(building, DAY, 12),
    )
    moving = BookingFactory(desk=neighbour, start=local(building, DAY, 15), end=local(building, DAY, 16))
    data = {"place": place_key(desk), "day": DAY.isoformat(), "start_time": "11:00", "end_time": "12:00"}
    response = client.post(reverse("bookings:staff_move", args=[moving.pk]), data)
    assert response.context["form"].non_field_errors() == [
        "This place is already booked for part of that time by Пётр Занятой (10:00–12:00). "
        "Overlaps are refused even when the rules are overridden."
    ]
    # The desk beside it is free then: what the member flow offers.
    assert [(alt.resource, fields) for alt, fields in response.context["alternatives"]] == [
        (
            neighbour,
            {"place": place_key(neighbour), "day": "2026-12-10", "start_time": "11:00", "end_time": "12:00"},
        )
    ]


def test_a_booking_being_moved_does_not_hide_its_own_place(client, front_desk):
    desk, other = DeskFactory(), DeskFactory()
    building = desk.room.building
    moving = BookingFactory(desk=desk, start=local(building, DAY, 10), end=local(building, DAY, 12))
    BookingFactory(desk=other, start=local(building, DAY, 10), end=local(building, DAY, 12))
    query = {"day": DAY.isoformat(), "start_time": "11:00", "end_time": "12:00", "place": place_key(other)}
    response = client.get(reverse("bookings:staff_move", args=[moving.pk]), query, **_htmx("place-field"))
    # Its own desk is free for it; the other desk is taken, offered only as the one chosen.
    assert _place_options(response.text) == [place_key(desk), place_key(other)]
    assert "1 place is free at this time." in response.text

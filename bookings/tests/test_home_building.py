"""The member's home building (chosen on the profile, else guessed from their last
bookings and visits) and the natural order of names in the lists members see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.home import buildings_and_home
from bookings.tests.factories import BookingFactory, BuildingFactory, DeskFactory, OpenSpaceFactory
from spaces.models import Building
from spaces.sorting import natural_key, naturally
from visits.templatetags.visits_tags import visit_panel
from visits.tests.factories import VisitFactory

pytestmark = pytest.mark.django_db


def test_natural_key_numbers_and_case():
    names = ["Desk 10", "desk 2", "Москва", "Berlin", "Desk 1", "berlin 2"]
    assert sorted(names, key=natural_key) == ["Berlin", "berlin 2", "Desk 1", "desk 2", "Desk 10", "Москва"]


def test_home_building_chosen_on_the_profile_wins(member):
    berlin, moscow = BuildingFactory(name="Berlin"), BuildingFactory(name="Москва")
    VisitFactory(user=member, building=berlin, closed=True)
    member.home_building = moscow
    member.save()
    listed, home = buildings_and_home(member, Building.objects.active())
    assert ([b.name for b in listed], home) == (["Berlin", "Москва"], moscow)


def test_home_building_guessed_from_the_latest_booking_or_visit(member):
    berlin, moscow, paris = (BuildingFactory(name=name) for name in ("Berlin", "Москва", "Paris"))
    VisitFactory(
        user=member, building=paris, checked_in_at=timezone.now() - dt.timedelta(days=9), closed=True
    )
    BookingFactory(user=member, desk=DeskFactory(room=OpenSpaceFactory(building=moscow)))  # tomorrow
    month_ago = timezone.now() - dt.timedelta(days=30)
    berlin_desk = DeskFactory(room=OpenSpaceFactory(building=berlin))
    BookingFactory(user=member, desk=berlin_desk, start=month_ago, end=month_ago + dt.timedelta(hours=1))
    assert buildings_and_home(member, Building.objects.active())[1] == moscow


def test_home_building_is_guessed_among_the_buildings_listed(member):
    """A building since closed (or not offered on the page) is not a home, however recent."""
    berlin, moscow, paris = (BuildingFactory(name=name) for name in ("Berlin", "Москва", "Paris"))
    week_ago = timezone.now() - dt.timedelta(days=7)
    VisitFactory(user=member, building=berlin, checked_in_at=week_ago, closed=True)
    BookingFactory(user=member, desk=DeskFactory(room=OpenSpaceFactory(building=moscow)))  # tomorrow
    VisitFactory(user=member, building=paris, checked_in_at=timezone.now(), closed=False)
    paris.is_active = False
    paris.save()
    assert buildings_and_home(member, Building.objects.active())[1] == moscow
    assert buildings_and_home(member, Building.objects.filter(name__in=["Berlin", "Paris"]))[1] == paris
    assert buildings_and_home(member, Building.objects.filter(name="Berlin"))[1] == berlin


def test_home_building_unknown_among_several_is_none(member):
    BuildingFactory(name="Berlin"), BuildingFactory(name="Москва")
    assert buildings_and_home(member, Building.objects.active())[1] is None


def test_home_building_of_a_member_of_one_building_is_that_one(member):
    only = BuildingFactory(name="Москва")
    assert buildings_and_home(member, Building.objects.active())[1] == only


def test_find_starts_at_the_home_building(client, member):
    BuildingFactory(name="Berlin")
    moscow = BuildingFactory(name="Москва")
    member.home_building = moscow
    member.save()
    client.force_login(member)
    response = client.get(reverse("bookings:find"))
    assert response.context["form"]["building"].value() == moscow.pk


def test_day_home_opens_the_home_building_with_the_date(client, member):
    BuildingFactory(name="Berlin")
    moscow = BuildingFactory(name="Москва")
    VisitFactory(user=member, building=moscow, closed=True)
    client.force_login(member)
    response = client.get(reverse("bookings:day_home") + "?date=2026-12-24")
    assert response.url == reverse("bookings:day", args=[moscow.pk]) + "?date=2026-12-24"


def test_check_in_defaults_to_the_home_building(member):
    BuildingFactory(name="Berlin")
    moscow = BuildingFactory(name="Москва")
    member.home_building = moscow
    member.save()
    panel = visit_panel(member)
    assert ([b.name for b in panel["buildings"]], panel["default"]) == (["Berlin", "Москва"], moscow)


def test_profile_saves_the_home_building(client, member):
    moscow = BuildingFactory(name="Москва")
    client.force_login(member)
    data = {"full_name": member.full_name, "language": "ru", "home_building": moscow.pk}
    client.post(reverse("accounts:profile"), data)
    member.refresh_from_db()
    assert member.home_building == moscow


def test_profile_lists_buildings_naturally(client, member):
    for name in ("Building 10", "Building 2", "Москва"):
        BuildingFactory(name=name)
    client.force_login(member)
    choices = client.get(reverse("accounts:profile")).context["form"]["home_building"].field.choices
    assert [label for _value, label in choices][1:] == ["Building 2", "Building 10", "Москва"]


def test_naturally_sorts_by_a_given_name():
    assert naturally(["b10", "b9"]) == ["b9", "b10"]


def test_day_grid_and_booking_form_list_places_naturally(client, member):
    from bookings.forms import bookable_places

    building = BuildingFactory(name="Москва")
    for name in ("Зал 10", "Зал 2"):
        DeskFactory(room=OpenSpaceFactory(building=building, name=name, floor=1), label="A-1")
    other = BuildingFactory(name="berlin")
    DeskFactory(room=OpenSpaceFactory(building=other, name="Hall", floor=1), label="B-1")
    client.force_login(member)

    grid = client.get(reverse("bookings:day", args=[building.pk])).context["grid"]

    assert [group.title for group in grid.groups] == ["Зал 2", "Зал 10"]
    assert [(p.room.building.name, p.room.name) for p in bookable_places().values()] == [
        ("berlin", "Hall"),
        ("Москва", "Зал 2"),
        ("Москва", "Зал 10"),
    ]

"""Time zones that are no place, and numbers far outside what a building holds, are
refused in the admin with a clear message; what is already stored keeps working."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from spaces.models import TIME_ZONES, Building, Room, validate_time_zone
from spaces.tests.admin_forms import building_data, room_data
from spaces.tests.factories import BuildingFactory, RoomFactory

pytestmark = pytest.mark.django_db


NO_PLACES = [
    "localtime",
    "Factory",
    "posixrules",
    "posix/Europe/Berlin",
    "/etc/localtime",
    "Mars/Olympus",
    " ",
]


@pytest.mark.parametrize("name", NO_PLACES)
def test_validate_time_zone_refuses_names_that_are_no_place(name):
    with pytest.raises(ValidationError) as error:
        validate_time_zone(name)
    assert error.value.messages == [f"«{name}» — не часовой пояс IANA."]


@pytest.mark.parametrize("name", ["Europe/Berlin", "Asia/Novosibirsk", "UTC", "America/Argentina/Salta"])
def test_validate_time_zone_takes_iana_zones(name):
    validate_time_zone(name)


@pytest.mark.smoke
@pytest.mark.parametrize("name", ["localtime", "Factory"])
def test_admin_refuses_a_building_in_a_zone_that_is_no_place(staff_client, name):
    building = Building(name="Новый", address="Ленина, 2", time_zone=name)
    response = staff_client.post(reverse("admin:spaces_building_add"), building_data(building))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"time_zone": [f"«{name}» — не часовой пояс IANA."]}
    assert Building.objects.count() == 0


def test_admin_building_form_offers_only_iana_zones(staff_client):
    response = staff_client.get(reverse("admin:spaces_building_add"))
    widget = response.context["adminform"].form.fields["time_zone"].widget
    offered = {value for value, _label in widget.choices}
    assert offered == TIME_ZONES
    assert {"localtime", "Factory", "Europe/Moscow"} & offered == {"Europe/Moscow"}
    building = Building(name="Новый", address="Ленина, 2", time_zone="Asia/Novosibirsk")
    response = staff_client.post(reverse("admin:spaces_building_add"), building_data(building))
    assert response.status_code == 302
    assert Building.objects.get().time_zone == "Asia/Novosibirsk"


def test_a_building_stored_in_localtime_still_opens_and_must_be_fixed_to_save(staff_client):
    building = BuildingFactory(name="Старый")
    Building.objects.filter(pk=building.pk).update(time_zone="localtime")
    assert staff_client.get(reverse("admin:spaces_building_changelist")).status_code == 200
    url = reverse("admin:spaces_building_change", args=[building.pk])
    page = staff_client.get(url)
    assert '<option value="localtime" selected>localtime</option>' in page.text
    building.refresh_from_db()
    response = staff_client.post(url, building_data(building))
    assert response.context["adminform"].form.errors == {"time_zone": ["«localtime» — не часовой пояс IANA."]}
    building.time_zone = "Europe/Berlin"
    assert staff_client.post(url, building_data(building)).status_code == 302
    building.refresh_from_db()
    assert building.time_zone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("capacity", "0", "Убедитесь, что это значение больше либо равно 1."),
        ("capacity", "501", "Убедитесь, что это значение меньше либо равно 500."),
        ("capacity", "9" * 30, "Убедитесь, что это значение меньше либо равно 500."),
        ("floor", "-11", "Убедитесь, что это значение больше либо равно -10."),
        ("floor", "201", "Убедитесь, что это значение меньше либо равно 200."),
        ("floor", "-" + "9" * 30, "Убедитесь, что это значение больше либо равно -10."),
    ],
)
def test_admin_room_form_bounds_floor_and_capacity(staff_client, field, value, error):
    room = RoomFactory(name="Переговорная", floor=2, capacity=6)
    data = {**room_data(room), field: value}
    response = staff_client.post(reverse("admin:spaces_room_change", args=[room.pk]), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [error]
    room.refresh_from_db()
    assert (room.floor, room.capacity) == (2, 6)
    assert Room.objects.count() == 1

from __future__ import annotations

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.urls import reverse

from spaces.models import Building, Desk, Room
from spaces.tests.admin_forms import management
from spaces.tests.factories import BuildingPhotoFactory, DeskFactory, RoomFactory

pytestmark = pytest.mark.django_db

DEACTIVATED = (
    "«{}»: есть история, поэтому вместо удаления объект деактивирован вместе со всем, что в нём есть. "
    "Участники его больше не видят."
)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_deleting_a_room_with_desks_deactivates_it_and_its_desks(staff_client):
    desk = DeskFactory()
    room = desk.room
    url = reverse("admin:spaces_room_delete", args=[room.pk])

    page = staff_client.get(url).content.decode()
    assert "<h1>Удалить нельзя — деактивировать?</h1>" in page
    assert f'<li>Рабочее место: <a href="/admin/spaces/desk/{desk.pk}/change/">{desk}</a></li>' in page
    assert '<input type="submit" value="Да, деактивировать">' in page

    response = staff_client.post(url, {"post": "yes"}, follow=True)
    assert response.redirect_chain == [(reverse("admin:spaces_room_changelist"), 302)]
    room.refresh_from_db()
    desk.refresh_from_db()
    assert (room.is_active, desk.is_active) == (False, False)
    assert _messages(response) == [DEACTIVATED.format(room)]
    entry = LogEntry.objects.get()
    assert (entry.action_flag, entry.object_id, entry.change_message) == (
        CHANGE,
        str(room.pk),
        "Деактивирован вместо удаления: есть история.",
    )


def test_deleting_a_room_without_history_really_deletes_it(staff_client):
    room = RoomFactory(name="Пустая")
    response = staff_client.post(
        reverse("admin:spaces_room_delete", args=[room.pk]), {"post": "yes"}, follow=True
    )
    assert not Room.objects.filter(pk=room.pk).exists()
    assert _messages(response) == [f"помещение “{room}“ был успешно удален."]
    assert LogEntry.objects.get().action_flag == DELETION


def test_bulk_delete_deletes_the_free_and_deactivates_the_used(staff_client):
    used = DeskFactory().room
    free = RoomFactory(name="Свободная")
    ids = [str(used.pk), str(free.pk)]
    changelist = reverse("admin:spaces_room_changelist")

    confirm = staff_client.post(
        changelist, {"action": "delete_selected", "_selected_action": ids}
    ).content.decode()
    assert "<h1>Удалить или деактивировать?</h1>" in confirm
    assert '<input type="submit" value="Да, удалить или деактивировать">' in confirm

    response = staff_client.post(
        changelist, {"action": "delete_selected", "_selected_action": ids, "post": "yes"}, follow=True
    )
    assert list(Room.objects.values_list("name", "is_active")) == [(used.name, False)]
    assert _messages(response) == [f"Удалено: {free}.", DEACTIVATED.format(used)]
    assert sorted(LogEntry.objects.values_list("object_id", "action_flag")) == sorted(
        [(str(used.pk), CHANGE), (str(free.pk), DELETION)]
    )


def test_deleting_a_building_with_rooms_deactivates_everything_in_it(staff_client):
    desk = DeskFactory()
    building = desk.room.building
    meeting_room = RoomFactory(building=building)
    response = staff_client.post(
        reverse("admin:spaces_building_delete", args=[building.pk]), {"post": "yes"}, follow=True
    )
    assert response.redirect_chain == [(reverse("admin:spaces_building_changelist"), 302)]
    assert _messages(response) == [DEACTIVATED.format(building)]
    assert Building.objects.get().is_active is False
    assert set(Room.objects.values_list("pk", "is_active")) == {
        (desk.room.pk, False),
        (meeting_room.pk, False),
    }
    assert Desk.objects.get().is_active is False


def test_deleting_a_building_without_rooms_deletes_it_and_its_photo_files(
    staff_client, django_capture_on_commit_callbacks
):
    photo = BuildingPhotoFactory()
    names = photo.file_names()
    assert [default_storage.exists(name) for name in names] == [True, True, True]
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:spaces_building_delete", args=[photo.building.pk]), {"post": "yes"}
        )
    assert response.url == reverse("admin:spaces_building_changelist")
    assert list(Building.objects.all()) == []
    assert LogEntry.objects.get().action_flag == DELETION
    assert [default_storage.exists(name) for name in names] == [False, False, False]


def test_a_room_with_desks_cannot_become_a_meeting_room(staff_client):
    room = DeskFactory().room
    response = staff_client.post(
        reverse("admin:spaces_room_change", args=[room.pk]),
        {
            "building": str(room.building_id),
            "name": room.name,
            "floor": "1",
            "kind": Room.Kind.MEETING_ROOM,
            "capacity": "4",
            **management("photos", 0),
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "kind": ["Рабочие места бывают только в открытых пространствах, а здесь они есть: тип менять нельзя."]
    }
    room.refresh_from_db()
    assert room.kind == Room.Kind.OPEN_SPACE


def test_deleting_a_free_desk_deletes_it(staff_client):
    desk = DeskFactory()
    response = staff_client.post(reverse("admin:spaces_desk_delete", args=[desk.pk]), {"post": "yes"})
    assert response.url == reverse("admin:spaces_desk_changelist")
    assert list(Desk.objects.all()) == []
    assert Room.objects.get().is_active is True
    assert (LogEntry.objects.get().action_flag, LogEntry.objects.get().object_repr) == (DELETION, str(desk))


def test_add_desks_action_asks_and_continues_the_numbering(staff_client):
    room = RoomFactory(kind=Room.Kind.OPEN_SPACE)
    for label in ("A-1", "A-7", "a-9", "B-12", "A-x"):
        DeskFactory(room=room, label=label)
    changelist = reverse("admin:spaces_room_changelist")
    selection = {"action": "add_desks", "_selected_action": [str(room.pk)]}

    form_page = staff_client.post(changelist, selection)
    assert form_page.status_code == 200
    assert form_page.templates[0].name == "admin/spaces/room/add_desks.html"
    # The prefix of the newest numbered desk is suggested.
    assert form_page.context["form"]["prefix"].value() == "B-"

    response = staff_client.post(
        changelist, {**selection, "apply": "1", "count": "3", "prefix": "A-"}, follow=True
    )
    labels = sorted(room.desks.values_list("label", flat=True))
    assert labels == ["A-1", "A-10", "A-7", "A-8", "A-9", "A-x", "B-12", "a-9"]
    assert _messages(response) == [f"Рабочие места A-8 … A-10 добавлены в «{room.name}»."]


def test_add_desks_action_keeps_the_input_when_it_is_wrong(staff_client):
    room = RoomFactory(kind=Room.Kind.OPEN_SPACE)
    response = staff_client.post(
        reverse("admin:spaces_room_changelist"),
        {
            "action": "add_desks",
            "_selected_action": [str(room.pk)],
            "apply": "1",
            "count": "0",
            "prefix": "Z-",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"count": ["Убедитесь, что это значение больше либо равно 1."]}
    assert 'value="Z-"' in response.content.decode()
    assert room.desks.count() == 0


def test_add_desks_action_refuses_rooms_booked_whole(staff_client):
    open_space = RoomFactory(kind=Room.Kind.OPEN_SPACE)
    meeting = RoomFactory(name="Тихая", kind=Room.Kind.MEETING_ROOM)
    response = staff_client.post(
        reverse("admin:spaces_room_changelist"),
        {
            "action": "add_desks",
            "_selected_action": [str(open_space.pk), str(meeting.pk)],
            "apply": "1",
            "count": "5",
            "prefix": "",
        },
        follow=True,
    )
    assert Desk.objects.count() == 0
    assert _messages(response) == [
        "«Тихая» — переговорная: рабочие места бывают только в открытых пространствах, "
        "остальные помещения бронируются целиком."
    ]


@pytest.mark.parametrize(
    "url_name", ["spaces_building_changelist", "spaces_room_changelist", "spaces_desk_changelist"]
)
def test_admin_lists_search_and_filter(staff_client, url_name):
    desk = DeskFactory(label="Окно-1", room__building__name="Покровка")
    # Not found by the search (the factory's addresses are all on Pokrovka).
    DeskFactory(label="Окно-2", room__building__name="Заводская", room__building__address="Заводская, 5")
    # Found by the search, left out by the filter.
    DeskFactory(
        label="Окно-3",
        is_active=False,
        room__is_active=False,
        room__building__name="Покровка, старое здание",
        room__building__is_active=False,
    )
    response = staff_client.get(reverse(f"admin:{url_name}"), {"q": "Покровка", "is_active__exact": "1"})
    expected = {
        "spaces_building_changelist": desk.room.building,
        "spaces_room_changelist": desk.room,
        "spaces_desk_changelist": desk,
    }[url_name]
    assert list(response.context["cl"].result_list) == [expected]


@pytest.mark.parametrize("rooms", [1, 3])
def test_room_admin_list_runs_a_fixed_number_of_queries(staff_client, django_assert_num_queries, rooms):
    for _ in range(rooms):
        DeskFactory()
    with django_assert_num_queries(8):
        response = staff_client.get(reverse("admin:spaces_room_changelist"))
    assert sorted(room.pk for room in response.context["cl"].result_list) == sorted(
        Room.objects.values_list("pk", flat=True)
    )
    assert len(response.context["cl"].result_list) == rooms

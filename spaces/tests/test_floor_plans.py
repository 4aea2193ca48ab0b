"""Floor plans in the admin: the plan image goes through the photo pipeline into S3, and
the desks' positions on it are saved as fractions with the desks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from spaces import images, orphans
from spaces.models import Desk, FloorPlan, Room
from spaces.tests.admin_forms import inline_errors, management, room_data
from spaces.tests.conftest import needs_s3
from spaces.tests.factories import DeskFactory, FloorPlanFactory, RoomFactory, jpeg_bytes, prepared_photo

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]


def _open_space(**kwargs) -> Room:
    return RoomFactory(kind=Room.Kind.OPEN_SPACE, capacity=20, **kwargs)


def _room_data(room: Room, desks: list[dict], plan: dict | None = None, has_plan: bool = False) -> dict:
    """An open-space room's change form: its plan form, its desk rows, no photos."""
    data = {
        **room_data(room),
        **management("floor_plan", 1 if plan is not None or has_plan else 0, 1 if has_plan else 0),
        **management("desks", len(desks), len(desks)),
    }
    if has_plan:
        data["floor_plan-0-id"] = str(room.floor_plan.pk)
        data["floor_plan-0-room"] = str(room.pk)
    for key, value in (plan or {}).items():
        data[f"floor_plan-0-{key}"] = value
    for index, desk in enumerate(desks):
        for key, value in desk.items():
            if value is not None:
                data[f"desks-{index}-{key}"] = value
    return data


def _desk_row(desk: Desk, x: str = "", y: str = "") -> dict:
    return {
        "id": str(desk.pk),
        "room": str(desk.room_id),
        "label": desk.label,
        "is_active": "on",
        "plan_x": x,
        "plan_y": y,
    }


def _change(client, room: Room, data: dict):
    return client.post(reverse("admin:spaces_room_change", args=[room.pk]), data)


@needs_s3
def test_staff_upload_a_plan_and_it_is_stored_as_three_variants(staff_client, bucket_keys):
    room = _open_space()
    desk = DeskFactory(room=room, label="A-1")
    keys_before = bucket_keys()
    upload = SimpleUploadedFile("plan.jpg", jpeg_bytes((2400, 1500)), content_type="image/jpeg")

    response = _change(staff_client, room, _room_data(room, [_desk_row(desk)], plan={"upload": upload}))

    assert response.status_code == 302
    plan = FloorPlan.objects.get(room=room)
    assert (plan.width, plan.height, plan.view_height) == (2000, 1250, 625)
    assert bucket_keys() - keys_before == set(plan.file_names())
    assert [name.split("/")[:3] for name in sorted(plan.file_names())] == [
        ["spaces", "plans", "image"],
        ["spaces", "plans", "medium"],
        ["spaces", "plans", "thumbnail"],
    ]


@needs_s3
def test_a_plan_that_is_no_image_is_refused_and_nothing_is_stored(staff_client, bucket_keys):
    room = _open_space()
    desk = DeskFactory(room=room, label="A-1")
    keys_before = bucket_keys()
    upload = SimpleUploadedFile("plan.png", b"<svg>not a raster</svg>" * 30, content_type="image/png")

    response = _change(
        staff_client, room, _room_data(room, [_desk_row(desk, "0.5", "0.5")], plan={"upload": upload})
    )

    assert response.status_code == 200
    assert inline_errors(response, "floor_plan") == [
        {"upload": ["This file is not a photo we can use. Upload a JPEG, PNG or WebP image."]}
    ]
    assert FloorPlan.objects.count() == 0
    desk.refresh_from_db()
    assert (desk.plan_x, desk.plan_y) == (None, None)  # nothing half-saved
    assert bucket_keys() == keys_before


@needs_s3
def test_a_plan_saved_with_a_desk_error_leaves_no_files_behind(staff_client, bucket_keys):
    room = _open_space()
    desk = DeskFactory(room=room, label="A-1")
    keys_before = bucket_keys()
    upload = SimpleUploadedFile("plan.jpg", jpeg_bytes((800, 600)), content_type="image/jpeg")

    response = _change(
        staff_client, room, _room_data(room, [_desk_row(desk, "1.5", "0.5")], plan={"upload": upload})
    )

    assert response.status_code == 200
    assert inline_errors(response, "desks") == [
        {"plan_x": ["Ensure this value is less than or equal to 1.0."]}
    ]
    assert FloorPlan.objects.count() == 0
    assert bucket_keys() == keys_before


@needs_s3
def test_the_editor_page_shows_the_plan_and_saves_positions_as_fractions(staff_client):
    plan = FloorPlanFactory(size=(1600, 1000))
    room = plan.room
    first, second = DeskFactory(room=room, label="A-1"), DeskFactory(room=room, label="A-2")

    page = staff_client.get(reverse("admin:spaces_room_change", args=[room.pk]))
    assert 'data-testid="plan-editor"' in page.text
    assert 'viewBox="0 0 1000 625"' in page.text
    assert "spaces/plan-editor.js" in page.text

    rows = [_desk_row(first, "0.125", "0.4"), _desk_row(second)]
    response = _change(staff_client, room, _room_data(room, rows, has_plan=True))

    assert response.status_code == 302
    assert list(Desk.objects.order_by("label").values_list("label", "plan_x", "plan_y")) == [
        ("A-1", 0.125, 0.4),
        ("A-2", None, None),
    ]


@needs_s3
@pytest.mark.parametrize(
    ("x", "y", "errors"),
    [
        ("-0.1", "0.5", {"plan_x": ["Ensure this value is greater than or equal to 0.0."]}),
        ("0.5", "2", {"plan_y": ["Ensure this value is less than or equal to 1.0."]}),
        ("0.5", "", {"__all__": ["A desk on the plan needs both coordinates, or neither to take it off."]}),
        ("abc", "0.5", {"plan_x": ["Enter a number."]}),
    ],
)
def test_positions_off_the_plan_are_refused_with_a_message(staff_client, x, y, errors):
    plan = FloorPlanFactory()
    desk = DeskFactory(room=plan.room, label="A-1", plan_x=0.2, plan_y=0.3)

    response = _change(staff_client, plan.room, _room_data(plan.room, [_desk_row(desk, x, y)], has_plan=True))

    assert response.status_code == 200
    assert inline_errors(response, "desks") == [errors]
    desk.refresh_from_db()
    assert (desk.plan_x, desk.plan_y) == (0.2, 0.3)


def test_the_database_refuses_half_a_position_or_one_off_the_plan():
    desk = DeskFactory(room=_open_space())
    for x, y in [(0.5, None), (1.01, 0.5), (0.5, -0.01)]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Desk.objects.filter(pk=desk.pk).update(plan_x=x, plan_y=y)


def test_a_meeting_room_page_has_no_plan_editor(staff_client):
    room = RoomFactory(kind=Room.Kind.MEETING_ROOM)
    page = staff_client.get(reverse("admin:spaces_room_change", args=[room.pk]))
    assert page.status_code == 200
    assert "floor_plan-TOTAL_FORMS" not in page.text


@needs_s3
def test_deleting_a_plan_deletes_its_files_and_keeps_the_desks(
    staff_client, bucket_keys, django_capture_on_commit_callbacks
):
    plan = FloorPlanFactory()
    desk = DeskFactory(room=plan.room, label="A-1", plan_x=0.2, plan_y=0.3)
    files = set(plan.file_names())
    assert files <= bucket_keys()
    data = _room_data(plan.room, [_desk_row(desk, "0.2", "0.3")], has_plan=True)
    data["floor_plan-0-DELETE"] = "on"

    with django_capture_on_commit_callbacks(execute=True):
        response = _change(staff_client, plan.room, data)

    assert response.status_code == 302
    assert FloorPlan.objects.count() == 0
    assert files & bucket_keys() == set()
    assert Desk.objects.filter(pk=desk.pk).exists()


@needs_s3
def test_plan_files_whose_row_never_came_are_found_as_orphans():
    kept = FloorPlanFactory()
    # What a rolled-back save leaves: the files of a plan whose row is not there.
    stored = images.store(prepared_photo(), FloorPlan.folder, kept.storage)

    found = orphans.orphaned_uploads(timezone.now() + dt.timedelta(days=1))

    assert set(stored.values()) <= set(found)
    assert set(kept.file_names()).isdisjoint(found)

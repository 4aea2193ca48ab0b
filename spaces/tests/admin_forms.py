"""POST data for the admin's room and building pages, inline formsets included."""

from __future__ import annotations

from spaces.models import Building, Room


def management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def room_data(room: Room, photos: list[dict] | None = None, existing_photos: int = 0) -> dict:
    """A meeting room's change form (no desk inline) with the given photo forms."""
    photos = photos or []
    data = {
        "building": str(room.building_id),
        "name": room.name,
        "floor": str(room.floor),
        "kind": room.kind,
        "capacity": str(room.capacity),
        "description": room.description,
        "is_active": "on" if room.is_active else "",
        **management("photos", len(photos), existing_photos),
    }
    for index, photo in enumerate(photos):
        data.update({f"photos-{index}-{key}": value for key, value in photo.items()})
    return {key: value for key, value in data.items() if value != ""}


def building_data(building: Building, photos: list[dict] | None = None, existing_photos: int = 0) -> dict:
    photos = photos or []
    data = {
        "name": building.name,
        "address": building.address,
        "time_zone": building.time_zone,
        "description": building.description,
        "is_active": "on" if building.is_active else "",
        **management("opening_hours", 0),
        **management("rooms", 0),
        **management("photos", len(photos), existing_photos),
    }
    for index, photo in enumerate(photos):
        data.update({f"photos-{index}-{key}": value for key, value in photo.items()})
    return {key: value for key, value in data.items() if value != ""}


def inline_errors(response, prefix: str) -> list[dict]:
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.prefix == prefix:
            return [form.errors for form in inline.formset.forms]
    raise AssertionError(f"no inline formset {prefix!r} on the page")

"""Buildings and rooms carry links to their photos: presigned by the object store."""

from __future__ import annotations

import urllib.request

import pytest

from bookings.tests.factories import RoomFactory
from spaces.tests.factories import BuildingPhotoFactory, RoomPhotoFactory

pytestmark = pytest.mark.django_db  # the real clock: the object store checks the signature's time


def test_building_and_room_photos_are_presigned_links(token_client, desk):
    building = desk.room.building
    room = RoomFactory(building=building)
    BuildingPhotoFactory(building=building, caption="Entrance")
    RoomPhotoFactory(room=room)

    photo = token_client.get(f"/api/v1/buildings/{building.pk}").json()["photos"][0]
    room_photos = token_client.get(f"/api/v1/rooms/{room.pk}").json()["photos"]

    assert photo["caption"] == "Entrance"
    assert (photo["width"], photo["height"]) == (640, 480)
    assert len(room_photos) == 1
    for url in (photo["url"], photo["medium_url"], photo["thumbnail_url"], room_photos[0]["thumbnail_url"]):
        assert "X-Amz-Signature=" in url
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.headers["Content-Type"].startswith("image/")

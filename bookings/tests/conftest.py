"""Fixtures shared by the bookings tests (the member and staff fixtures are the root ones:
mark a module `pytest.mark.language("en")` for people who read English)."""

from __future__ import annotations

import pytest

from bookings.tests.factories import DeskFactory
from spaces.models import Building, Desk


@pytest.fixture
def desk(db) -> Desk:
    """Desk A-1 in the open space "Hall" of the building "Pokrovka"."""
    return DeskFactory(label="A-1", room__name="Hall", room__building__name="Pokrovka")


@pytest.fixture
def building(desk) -> Building:
    return desk.room.building

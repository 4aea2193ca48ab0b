from __future__ import annotations

import pytest

from bookings.tests.factories import BuildingFactory


@pytest.fixture
def building(db):
    """A building in Moscow open 08:00–20:00 every day."""
    return BuildingFactory(name="Lenina 1")

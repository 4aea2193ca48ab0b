from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from bookings.tests.factories import BuildingFactory
from coworking.validators import validate_sensible_date


@pytest.fixture
def building(db):
    """A building in Moscow open 08:00–20:00 every day."""
    return BuildingFactory(name="Lenina 1")


@pytest.fixture
def berlin(db):
    """A building two hours west of the space's zone (one in summer): its evenings are
    the next day in Moscow."""
    return BuildingFactory(name="Berlin Mitte", time_zone="Europe/Berlin")


@pytest.fixture
def out_of_range() -> str:
    """The message of the shared validator for a date out of range, in the active language."""
    with pytest.raises(ValidationError) as error:
        validate_sensible_date(dt.date(1, 1, 1))
    return error.value.messages[0]

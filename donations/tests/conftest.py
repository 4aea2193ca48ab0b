"""Fixtures shared by the donations tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def staff_client(client, staff):
    """The test client logged in as a staff member (a superuser)."""
    client.force_login(staff)
    return client

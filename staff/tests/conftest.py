"""Staff members in each role (the root `staff` fixture is a superuser)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from accounts.tests.factories import UserFactory
from staff.roles import FRONT_DESK, MANAGER


def _in_role(role: str, password: str, **fields):
    user = UserFactory(password=password, is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def front_desk(db, password):
    return _in_role(FRONT_DESK, password, full_name="Front Desk")


@pytest.fixture
def manager(db, password):
    return _in_role(MANAGER, password, full_name="Manager Person")

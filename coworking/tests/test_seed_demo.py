from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.smoke
@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_logins(client):
    first = _seed()
    second = _seed()
    assert "Members: 6 created, 0 already there." in first
    assert "Members: 0 created, 6 already there." in second
    for output in (first, second):
        assert "staff   admin@example.com / demo-admin-pass" in output
        assert "member  member@example.com / demo-member-pass" in output
    assert list(User.objects.filter(is_staff=True).values_list("email", flat=True)) == ["admin@example.com"]
    assert User.objects.count() == 6
    response = client.post(
        "/accounts/login/", {"login": "member@example.com", "password": "demo-member-pass"}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_seed_demo_if_empty_leaves_a_used_database_alone(member):
    output = _seed("--if-empty")
    assert "the database already has members; nothing added" in output
    assert "Demo logins" not in output
    assert User.objects.count() == 1

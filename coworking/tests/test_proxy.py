"""Behind the documented proxy (nginx or an ingress), exactly one hop is trusted.

nginx appends the address it saw to X-Forwarded-For; allauth's login rate limits must count
that address, so one visitor's wrong passwords never lock out everyone behind the proxy,
and a client cannot pick its own address by writing the header itself. The same is proven
end to end through a real nginx by `make stack-test` (stacktests/test_stack.py).
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from coworking.tests.test_settings import PRODUCTION_ENV, manage

PRINT_PROXY_SETTINGS = (
    "import json; from django.conf import settings as s; print(json.dumps(["
    "getattr(s, 'ALLAUTH_TRUSTED_PROXY_COUNT', 0), s.SECURE_PROXY_SSL_HEADER, s.USE_X_FORWARDED_HOST]))"
)


@pytest.mark.parametrize(
    ("behind_proxy", "expected"),
    [("true", [1, ["HTTP_X_FORWARDED_PROTO", "https"], False]), ("false", [0, None, False])],
)
def test_production_settings_trust_one_proxy_hop(behind_proxy, expected):
    result = manage("shell", "-c", PRINT_PROXY_SETTINGS, env={**PRODUCTION_ENV, "BEHIND_PROXY": behind_proxy})
    assert result.returncode == 0, result.stderr
    # The last line: start-up may log before it.
    assert json.loads(result.stdout.splitlines()[-1]) == expected


def _failed_login(client, email: str, forwarded_for: str):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": "wrong-password"},
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@pytest.fixture
def one_failure_per_address(settings):
    """Production's proxy trust, and a per-address limit of one failed login a minute."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "1/m/ip,5/5m/key"}


# Without the trust (count 0), every visitor has nginx's address: the defect this fixes.
@pytest.mark.parametrize(("trusted_hops", "neighbour_gets_in"), [(1, True), (0, False)])
@pytest.mark.django_db
def test_failed_logins_of_one_client_do_not_lock_out_another(
    client, member, password, one_failure_per_address, settings, trusted_hops, neighbour_gets_in
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = trusted_hops
    # The test client always connects from 127.0.0.1, like every request through nginx.
    assert _failed_login(client, "nobody@example.org", "203.0.113.7").status_code == 200
    blocked = _failed_login(client, "nobody@example.org", "203.0.113.7")
    assert "Слишком много неудачных попыток входа" in blocked.content.decode()
    response = client.post(
        reverse("account_login"),
        {"login": member.email, "password": password},
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )
    assert (response.status_code == 302) is neighbour_gets_in
    assert client.session.get("_auth_user_id") == (str(member.pk) if neighbour_gets_in else None)


@pytest.mark.django_db
def test_a_client_cannot_escape_the_limit_by_writing_x_forwarded_for(client, one_failure_per_address):
    # nginx appends the real address after whatever the client sent.
    assert _failed_login(client, "nobody@example.org", "10.0.0.1, 203.0.113.7").status_code == 200
    blocked = _failed_login(client, "nobody@example.org", "10.0.0.2, 203.0.113.7")
    assert "Слишком много неудачных попыток входа" in blocked.content.decode()

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.db import connection  # noqa: F401 - read by the skipif condition
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
# The production settings documented in README.md.
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x7!q2-production-like-secret-key-with-enough-entropy-0123456789abcdef",
    "ALLOWED_HOSTS": "coworking.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://coworking.example.org",
    "EMAIL_HOST": "smtp.example.org",
    # Production keeps uploads in S3 only; the settings refuse to start without a bucket.
    "AWS_STORAGE_BUCKET_NAME": "coworking-media",
}


def manage(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    dropped = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "AWS_STORAGE_BUCKET_NAME", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.smoke
def test_models_and_migrations_agree():
    result = manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "No changes detected"


@pytest.mark.smoke
def test_check_deploy_is_clean_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = manage("check", env=env)
    assert result.returncode == 1
    assert "With DEBUG off, set SECRET_KEY (or SECRET_KEY_FILE) and ALLOWED_HOSTS." in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text("from-a-docker-secret-0123456789-abcdefghijklmnopqrstuvwxyz-!@#$\n")
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        env={**env, "SECRET_KEY_FILE": str(secret)},
    )
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip().splitlines()[-1]
        == "from-a-docker-secret-0123456789-abcdefghijklmnopqrstuvwxyz-!@#$"
    )


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="a PostgreSQL setting")
def test_statement_timeout_cancels_a_long_statement():
    """docker/web.sh sets DB_STATEMENT_TIMEOUT for the web server; unset, nothing is bounded."""
    script = (
        "from django.db import connection, OperationalError\n"
        "cursor = connection.cursor()\n"
        "cursor.execute('SHOW statement_timeout'); print(cursor.fetchone()[0])\n"
        "try:\n"
        "    cursor.execute('SELECT pg_sleep(3)'); print('finished')\n"
        "except OperationalError as error:\n"
        "    print(type(error.__cause__).__name__)\n"
    )
    bounded = manage("shell", "--no-imports", "-c", script, env={"DB_STATEMENT_TIMEOUT": "1"})
    assert bounded.stdout.split() == ["1s", "QueryCanceled"], bounded.stderr
    unbounded = manage(
        "shell",
        "--no-imports",
        "-c",
        script.replace("pg_sleep(3)", "pg_sleep(0)"),
        env={"DB_STATEMENT_TIMEOUT": ""},
    )
    assert unbounded.stdout.split() == ["0", "finished"], unbounded.stderr


@pytest.mark.smoke
@pytest.mark.django_db
def test_pages_carry_a_nonce_based_content_security_policy(client):
    response = client.get(reverse("account_login"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    nonce = directives["script-src"].split("'nonce-")[1].split("'")[0]
    assert directives["default-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    html = response.content.decode()
    # htmx is vendored (no CDN) and allowed by the nonce.
    assert f'nonce="{nonce}"' in html
    assert f'<script src="/static/django_htmx/htmx-2.min.js" defer nonce="{nonce}"></script>' in html
    assert "https://" not in html.split("<body")[0]


@pytest.mark.smoke
@pytest.mark.django_db
def test_htmx_requests_carry_the_csrf_token(client):
    response = client.get(reverse("account_login"))
    token = response.context["csrf_token"]
    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in response.content.decode()


@pytest.mark.smoke
def test_every_app_with_tests_is_in_pytests_testpaths():
    """`make test` collects only the testpaths: a new app's tests would silently never run."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    testpaths = config["tool"]["pytest"]["ini_options"]["testpaths"]
    with_tests = {path.parts[-3] for path in ROOT.glob("*/tests/__init__.py")}
    assert sorted(with_tests - set(testpaths)) == []

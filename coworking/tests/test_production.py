"""What production adds to development: uploads only in S3, cookies and caches kept private."""

from __future__ import annotations

import shlex

import pytest
from django.urls import reverse

from bookings.models import CalendarFeed
from coworking.tests.test_deploy_files import dockerfile_instructions
from coworking.tests.test_settings import PRODUCTION_ENV, manage

# The language cookie lasts the browser session, like Django's default; a member's choice
# is also saved on their profile.
# The language cookie's attributes (its "expires" moves with the clock): a year long.
LANGUAGE_COOKIE = "en; httponly=True; max-age=31536000; path=/; samesite=Lax; secure=True"
COOKIE_ATTRIBUTES = ("httponly", "max-age", "path", "samesite", "secure")


def cookie_summary(morsel) -> str:
    return "; ".join([morsel.value, *(f"{name}={morsel[name]}" for name in COOKIE_ATTRIBUTES)])


def test_production_refuses_to_start_without_s3(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "AWS_STORAGE_BUCKET_NAME"}
    result = manage("check", env={**env, "DATA_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert (
        "With DEBUG off, uploads must go to S3: set AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL, "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (see .env.example). Only the development "
        "server serves uploaded files from DATA_DIR."
    ) in result.stderr


def test_dockerfile_build_settings_satisfy_production(tmp_path):
    """The image's build step runs manage.py with DEBUG off, so it must pass every check
    the settings make for production."""
    build = next(
        arguments for keyword, arguments in dockerfile_instructions() if "collectstatic" in arguments
    )
    words = shlex.split(build.split("&&")[0].removeprefix("export"))
    env = dict(word.split("=", 1) for word in words)
    assert env["DEBUG"] == "false"
    result = manage("check", env={**env, "DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr


def test_production_language_cookie_is_secure_lax_and_http_only(tmp_path):
    script = (
        "from django.test import Client\n"
        "from django.urls import reverse\n"
        "response = Client().post(reverse('accounts:set_language'), {'language': 'en', 'next': '/'},"
        " secure=True, headers={'host': 'coworking.example.org'})\n"
        "from coworking.tests.test_production import cookie_summary\n"
        "print(cookie_summary(response.cookies['django_language']))\n"
    )
    result = manage("shell", "-c", script, env={**PRODUCTION_ENV, "DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == LANGUAGE_COOKIE


@pytest.mark.django_db
def test_language_saved_on_the_profile_sets_the_same_cookie(client, member, settings):
    settings.LANGUAGE_COOKIE_SECURE = True  # as in production
    client.force_login(member)
    response = client.post(reverse("accounts:profile"), {"full_name": "Анна", "language": "en"})
    assert cookie_summary(response.cookies["django_language"]) == LANGUAGE_COOKIE


@pytest.mark.smoke
@pytest.mark.django_db
def test_members_pages_are_private_to_caches(client, member):
    client.force_login(member)
    for url in (reverse("home"), reverse("accounts:profile"), reverse("bookings:mine"), "/no-such-page/"):
        response = client.get(url)
        assert (url, response["Cache-Control"], response["Vary"]) == (
            url,
            "private",
            "Cookie, Accept-Language",
        )


@pytest.mark.django_db
def test_a_views_own_cache_control_is_kept_for_members(client, staff):
    client.force_login(staff)
    # The admin's pages say no-store themselves.
    response = client.get(reverse("admin:index"))
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


@pytest.mark.django_db
def test_visitors_pages_leave_cache_control_alone(client):
    assert client.get(reverse("home")).has_header("Cache-Control") is False


@pytest.mark.django_db
def test_calendar_feed_is_private_to_caches(client, member):
    # The feed's address is the member's secret: no shared cache may keep a copy.
    feed = CalendarFeed.objects.create(user=member)
    response = client.get(reverse("bookings:feed", args=[feed.token]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private"

"""Recent sign-ins on the profile, and the email on a sign-in from a new device."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import KnownDevice, SignIn, SignInMethod
from accounts.signins import DEVICE_COOKIE, SIGN_IN_HISTORY
from accounts.tests.factories import UserFactory
from coworking.tests.tasks_support import run_worker
from spaces.tests.factories import BuildingFactory

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
LAPTOP = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36"
)
PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
)


def _sign_in(client: Client, user, password: str) -> None:
    client.post(reverse("account_logout"))
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302, response.content.decode()


def _browser(user_agent: str, language: str = "ru") -> Client:
    return Client(headers={"user-agent": user_agent, "accept-language": language})


@pytest.mark.language("en")
@pytest.mark.django_db(transaction=True)
@time_machine.travel(NOW, tick=False)
def test_sign_in_from_a_new_device_emails_the_member_once_in_their_language(
    database_tasks, sink, settings, member, password
):
    settings.ACCOUNT_EMAIL_NOTIFICATIONS = True
    laptop = _browser(LAPTOP)
    # The very first sign-in is no news, nor is the same browser again.
    _sign_in(laptop, member, password)
    _sign_in(laptop, member, password)
    run_worker()
    assert sink.messages == []
    cookie = laptop.cookies[DEVICE_COOKIE]
    assert (cookie["httponly"], cookie["samesite"], cookie["max-age"]) == (True, "Lax", 365 * 24 * 3600)
    # Only the token's digest is kept: the table names no cookie.
    assert list(KnownDevice.objects.values_list("token_hash", flat=True)) == [
        hashlib.sha256(cookie.value.encode()).hexdigest()
    ]

    # A second device: one email, from the worker, in the member's language (English),
    # though that browser asks for Russian.
    phone = _browser(PHONE, language="ru")
    _sign_in(phone, member, password)
    assert sink.messages == []
    run_worker()
    [message] = sink.messages
    assert (message["To"], message["Subject"]) == (
        member.email,
        "[Коворкинг] New sign-in from a device we have not seen",
    )
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    sessions_url = "http://testserver" + reverse("usersessions_list")
    assert body.split("\n\n")[1:] == [
        "Someone just signed in to your account from a browser or device that has not been used with it "
        "before:",
        "- Time: 2 March 2026, 12:00 MSK\n- Device: Mobile Safari 18 · iOS\n- IP address: 127.0.0.1\n"
        "- Method: Password",
        "If it was you, there is nothing to do.\nIf it was not you, change your password now and sign the "
        f"other devices out here:\n{sessions_url}",
        "Thank you for using testserver!\ntestserver\n",
    ]

    # That phone is known now; so is the laptop, still.
    _sign_in(phone, member, password)
    _sign_in(laptop, member, password)
    run_worker()
    assert len(sink.messages) == 1
    assert [s.new_device for s in SignIn.objects.filter(user=member).order_by("at", "pk")] == [
        False,
        False,
        True,
        False,
        False,
    ]


@pytest.mark.django_db(transaction=True)
def test_a_browser_shared_by_two_members_is_new_to_each_of_them(
    database_tasks, sink, settings, member, password
):
    settings.ACCOUNT_EMAIL_NOTIFICATIONS = True
    other = UserFactory(password=password)
    for user in (member, other):
        _sign_in(_browser(LAPTOP), user, password)  # each one's first sign-in
    front_desk = _browser(PHONE)
    _sign_in(front_desk, member, password)
    _sign_in(front_desk, other, password)
    run_worker()
    assert sorted(message["To"] for message in sink.messages) == sorted([member.email, other.email])
    assert KnownDevice.objects.filter(user=member).count() == 2


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_new_device_email_tells_the_time_in_the_home_buildings_zone(settings, member, password, mailoutbox):
    settings.ACCOUNT_EMAIL_NOTIFICATIONS = True
    member.home_building = BuildingFactory(time_zone="Asia/Yekaterinburg")
    member.save(update_fields=["home_building"])
    _sign_in(_browser(LAPTOP), member, password)
    _sign_in(_browser(PHONE), member, password)
    [message] = mailoutbox
    assert "- Время: 2 марта 2026, 14:00 +05\n" in message.body


@pytest.mark.django_db
def test_without_security_emails_a_new_device_is_only_listed(settings, member, password, mailoutbox):
    settings.ACCOUNT_EMAIL_NOTIFICATIONS = False
    _sign_in(_browser(LAPTOP), member, password)
    _sign_in(_browser(PHONE), member, password)
    assert mailoutbox == []
    assert [(s.device, s.new_device) for s in SignIn.objects.all()] == [
        ("Mobile Safari 18 · iOS", True),
        ("Chrome 140 · Linux", False),
    ]


@pytest.mark.django_db
def test_wrong_passwords_for_a_member_are_listed_and_unknown_addresses_are_not(client, member, password):
    client.post(reverse("account_login"), {"login": member.email, "password": "wrong"})
    client.post(reverse("account_login"), {"login": "nobody@example.org", "password": "wrong"})
    _sign_in(client, member, password)
    assert [(s.succeeded, s.method, s.ip) for s in SignIn.objects.all()] == [
        (True, SignInMethod.PASSWORD, "127.0.0.1"),
        (False, SignInMethod.PASSWORD, "127.0.0.1"),
    ]


@pytest.mark.django_db
def test_history_keeps_the_newest_sign_ins_and_failed_tries_apart(client, member, password, settings):
    settings.ACCOUNT_RATE_LIMITS = False
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(SIGN_IN_HISTORY + 2):
            _sign_in(client, member, password)
            clock.shift(dt.timedelta(minutes=1))
        first_kept = dt.datetime(2026, 3, 2, 9, 2, tzinfo=dt.UTC)
        client.post(reverse("account_logout"))
        for _ in range(SIGN_IN_HISTORY + 3):
            client.post(reverse("account_login"), {"login": member.email, "password": "wrong"})
            clock.shift(dt.timedelta(seconds=1))
    # A burst of wrong passwords does not push the member's own sign-ins out.
    kept = SignIn.objects.filter(user=member)
    assert (kept.filter(succeeded=True).count(), kept.filter(succeeded=False).count()) == (10, 10)
    assert min(kept.filter(succeeded=True).values_list("at", flat=True)) == first_kept


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("count", [1, 3])
def test_profile_lists_recent_sign_ins_in_a_fixed_number_of_queries(
    client, member, django_assert_num_queries, count
):
    SignIn.objects.bulk_create(
        [
            SignIn(
                user=member,
                at=NOW - dt.timedelta(hours=n),
                method=SignInMethod.PASSWORD,
                device="Chrome 140 · Linux",
            )
            for n in range(count - 1)
        ]
        + [
            SignIn(
                user=member,
                at=NOW - dt.timedelta(days=1),
                method=SignInMethod.SSO,
                provider="Keycloak",
                second_factor=True,
                ip="203.0.113.7",
                device="Firefox 140 · Android",
                new_device=True,
            ),
            SignIn(user=UserFactory(), at=NOW, method=SignInMethod.PASSKEY),
        ]
    )
    SignIn.objects.create(user=member, at=NOW - dt.timedelta(days=2), succeeded=False, method="password")
    client.force_login(member)
    with django_assert_num_queries(9):
        page = client.get(reverse("accounts:profile")).content.decode()
    table = re.search(r'data-testid="recent-sign-ins">(.*?)</table>', page, re.S)[1]
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in table.split("<tr>")[2:]]
    assert rows[-2:] == [
        "1 марта 2026, 12:00 Firefox 140 · Android новое устройство 203.0.113.7 Keycloak + второй фактор",
        "28 февраля 2026, 12:00 Неизвестное устройство — Неверный пароль",
    ]
    assert len(rows) == count + 1


@pytest.mark.django_db
def test_profile_shows_at_most_the_history_length(client, member):
    SignIn.objects.bulk_create(
        [
            SignIn(user=member, at=NOW - dt.timedelta(minutes=n), method=SignInMethod.PASSWORD)
            for n in range(15)
        ]
    )
    client.force_login(member)
    page = client.get(reverse("accounts:profile")).content.decode()
    table = re.search(r'data-testid="recent-sign-ins">(.*?)</table>', page, re.S)[1]
    assert table.count("<tr>") == SIGN_IN_HISTORY + 1  # with the header row


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["ru", "en"])
def test_security_card_lists_recent_sign_ins_on_a_phone_and_a_desktop(
    page, browser, live_server, log_in, password, artifacts_dir, language
):
    member = UserFactory(password=password, language=language)
    phone = browser.new_context(user_agent=PHONE)
    log_in(phone.new_page(), member)
    phone.close()
    page.goto(live_server.url + reverse("account_login"))
    page.fill("input[name=login]", member.email)
    page.fill("input[name=password]", "not the password")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("input[name=password]")).to_be_visible()
    log_in(page, member, reverse("accounts:profile"))

    card = page.get_by_test_id("profile-security")
    labels = {
        "ru": (["Пароль", "Неверный пароль", "Пароль"], "новое устройство"),
        "en": (["Password", "Wrong password", "Password"], "new device"),
    }[language]
    methods, new_device = labels
    expect(card.locator("[data-testid=recent-sign-ins] tbody td:nth-child(4)")).to_have_text(methods)
    expect(card.locator("tbody tr").nth(0).locator("td").nth(1)).to_contain_text(new_device)
    expect(card.locator("tbody tr").nth(2).locator("td").nth(1)).to_have_text("Mobile Safari 18 · iOS")
    for name, width, height in (("phone", 390, 844), ("desktop", 1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        # Nothing sticks out sideways, and every column is in sight without scrolling the table.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for cell in ("signin-when", "signin-device", "signin-ip", "signin-method"):
            box = card.locator(f"tbody tr .{cell}").first.bounding_box()
            assert box["x"] + box["width"] <= width, (cell, box)
        # The card alone, from the whole page (the sticky header would cover an element shot).
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(
            path=artifacts_dir / f"security-{language}-{name}.png", full_page=True, clip=card.bounding_box()
        )

from __future__ import annotations

import re

import bcrypt
import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory

NEW_PASSWORD = "a-much-better-passphrase-42"


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def _login(client, email: str, password: str):
    return client.post(reverse("account_login"), {"login": email, "password": password})


@pytest.mark.smoke
@pytest.mark.real_password_hashers
@pytest.mark.django_db
def test_signup_creates_a_member_with_full_name_and_language(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "Anna.Petrova@Example.org",
            "full_name": "  Анна Петрова ",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "anna.petrova@example.org"
    assert user.full_name == "Анна Петрова"
    assert user.language == "ru"
    assert user.karma == 0
    assert user.password.startswith("argon2$")
    assert int(client.session["_auth_user_id"]) == user.pk


@pytest.mark.django_db
def test_signup_with_a_weak_password_keeps_input_and_saves_nothing(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "weak@example.org",
            "full_name": "Слабый Пароль",
            "password1": "12345678",
            "password2": "12345678",
        },
    )
    assert response.status_code == 200
    assert User.objects.count() == 0
    form = response.context["form"]
    assert "password1" in form.errors
    html = response.content.decode()
    assert 'value="weak@example.org"' in html
    assert 'value="Слабый Пароль"' in html


@pytest.mark.django_db
def test_email_is_unique_whatever_its_case(client, member):
    member.email = "Ann@X.org"
    member.save()
    assert User.objects.get(pk=member.pk).email == "ann@x.org"

    response = client.post(
        reverse("account_signup"),
        {
            "email": "ANN@x.ORG",
            "full_name": "Другая Анна",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert User.objects.count() == 1

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("aNN@X.ORG", NEW_PASSWORD, full_name="Дубль")
    assert User.objects.get_by_natural_key("ANN@X.org") == member


@pytest.mark.django_db
def test_login_with_differently_cased_email(client, member, password):
    response = _login(client, member.email.upper(), password)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == member.pk


@pytest.mark.real_password_hashers
@pytest.mark.django_db
def test_imported_bcrypt_hash_verifies_and_is_upgraded_to_argon2(client):
    # The previous platform stored passlib bcrypt hashes; the import prefixes them.
    raw = bcrypt.hashpw(b"legacy-password-1", bcrypt.gensalt(rounds=4)).decode()
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(password=f"bcrypt${raw}")

    assert _login(client, user.email, "wrong-password").status_code == 200
    response = _login(client, user.email, "legacy-password-1")
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert user.check_password("legacy-password-1")


@pytest.mark.django_db
def test_password_reset_email_link_sets_a_new_password(client, member, password):
    response = client.post(reverse("account_reset_password"), {"email": member.email})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [member.email]

    response = client.get(_link(message))
    assert response.status_code == 302
    set_password_url = response.url
    response = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302

    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert not member.check_password(password)
    # The link is spent.
    assert client.get(_link(message), follow=True).context["token_fail"] is True


@pytest.mark.django_db
def test_email_change_needs_confirmation(client, member):
    client.force_login(member)
    old_email = member.email
    response = client.post(reverse("account_email"), {"email": "new.address@example.org", "action_add": ""})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email == old_email
    [message] = mail.outbox
    assert message.to == ["new.address@example.org"]

    confirm_url = _link(message)
    assert client.get(confirm_url).status_code == 200
    assert client.post(confirm_url).status_code == 302
    member.refresh_from_db()
    assert member.email == "new.address@example.org"
    assert list(EmailAddress.objects.filter(user=member).values_list("email", "verified", "primary")) == [
        ("new.address@example.org", True, True)
    ]


@pytest.mark.django_db
def test_login_is_rate_limited_after_repeated_failures(client, member, password):
    for _ in range(5):
        response = _login(client, member.email, "wrong-password")
        assert response.status_code == 200
    response = _login(client, member.email, password)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Слишком много неудачных попыток входа" in response.content.decode()


@pytest.mark.django_db
def test_deactivated_member_cannot_log_in(client, member, password):
    member.is_active = False
    member.save()
    response = _login(client, member.email, password)
    assert response.status_code == 302
    assert response.url == reverse("account_inactive")
    assert "_auth_user_id" not in client.session
    page = client.get(response.url)
    assert "Эта учётная запись отключена, поэтому войти с ней нельзя." in page.content.decode()


@pytest.mark.django_db
def test_admin_login_goes_through_the_rate_limited_login(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
def test_password_change_needs_the_old_password(client, member, password):
    client.force_login(member)
    url = reverse("account_change_password")
    response = client.post(
        url, {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert "oldpassword" in response.context["form"].errors
    response = client.post(
        url, {"oldpassword": password, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)

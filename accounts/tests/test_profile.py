from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User


@pytest.mark.smoke
@pytest.mark.django_db
def test_profile_shows_karma_and_member_since(client, member):
    User.objects.filter(pk=member.pk).update(karma=42)
    client.force_login(member)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<dd data-testid="karma">42</dd>' in html
    assert member.full_name in html


@pytest.mark.django_db
def test_profile_requires_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={reverse('accounts:profile')}"


@pytest.mark.django_db
def test_profile_saves_name_and_language_but_never_karma(client, member):
    client.force_login(member)
    response = client.post(
        reverse("accounts:profile"), {"full_name": "Новое Имя", "language": "en", "karma": "9999"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.full_name, member.language, member.karma) == ("Новое Имя", "en", 0)
    assert response.cookies["django_language"].value == "en"


@pytest.mark.django_db
def test_profile_with_a_blank_name_keeps_input_and_changes_nothing(client, member):
    client.force_login(member)
    old_name = member.full_name
    response = client.post(reverse("accounts:profile"), {"full_name": "   ", "language": "en"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"full_name": ["Обязательное поле."]}
    member.refresh_from_db()
    assert (member.full_name, member.language) == (old_name, "ru")


@pytest.mark.django_db
def test_language_switch_is_remembered_on_the_member(client, member):
    client.force_login(member)
    response = client.post(reverse("accounts:set_language"), {"language": "en", "next": "/profile/"})
    assert response.status_code == 302
    assert response.url == "/profile/"
    member.refresh_from_db()
    assert member.language == "en"
    # A fresh browser (no language cookie) still gets the member's language.
    client.cookies.clear()
    client.force_login(member)
    assert "Your details" in client.get(reverse("accounts:profile")).content.decode()


@pytest.mark.django_db
def test_anonymous_language_switch_uses_a_cookie(client):
    response = client.post(reverse("accounts:set_language"), {"language": "en", "next": "/"})
    assert response.cookies["django_language"].value == "en"
    assert "Log in" in client.get(reverse("account_login")).content.decode()

"""Error pages in the site's layout and the visitor's language; the 500 page needs no database."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from tools.testenv import Postgres

PAGES = {
    (404, "ru"): (
        "Страница не найдена",
        "Такой страницы нет или она переехала. Проверьте адрес или начните с главной страницы.",
    ),
    (404, "en"): (
        "Page not found",
        "The page you were looking for does not exist or has moved. "
        "Check the address or start again from the home page.",
    ),
    (403, "ru"): ("Доступ закрыт", "У вас нет прав открывать эту страницу."),
    (403, "en"): ("Access denied", "You do not have permission to open this page."),
    (400, "ru"): (
        "Некорректный запрос",
        "Сервер не смог разобрать этот запрос. Вернитесь назад и попробуйте ещё раз.",
    ),
    (400, "en"): ("Bad request", "The server could not understand this request. Go back and try again."),
    ("csrf", "ru"): (
        "Форма устарела",
        "Ничего не сохранено: страница была открыта слишком долго, или вы вошли или вышли в "
        "другой вкладке. Вернитесь, обновите страницу и отправьте форму ещё раз.",
    ),
    ("csrf", "en"): (
        "The form has expired",
        "Nothing was saved: the page was open too long, or you signed in or out in another tab. "
        "Go back, reload the page and send it again.",
    ),
    (500, "ru"): (
        "Что-то пошло не так",
        "Страница не открылась из-за ошибки на нашей стороне. Ошибка записана; "
        "попробуйте ещё раз через несколько минут.",
    ),
    (500, "en"): (
        "Something went wrong",
        "An error on our side kept this page from opening. It has been recorded; "
        "please try again in a few minutes.",
    ),
}
HOME_LINK = {
    "ru": '<a class="btn btn-primary btn-lg" href="/">На главную</a>',
    "en": '<a class="btn btn-primary btn-lg" href="/">Back to the home page</a>',
}


def assert_error_page(response, status: int, language: str, page: int | str | None = None) -> None:
    heading, explanation = PAGES[page or status, language]
    html = response.text
    assert response.status_code == status
    assert f'<html lang="{language}">' in html
    assert f"<title>{heading} · {settings.SPACE_NAME}</title>" in html
    assert '<header class="topbar">' in html
    assert f'<p class="eyebrow">{"Ошибка" if language == "ru" else "Error"} {status}</p>' in html
    assert f"<h1>{heading}</h1>" in html
    assert f'<p class="lead">{explanation}</p>' in html
    assert HOME_LINK[language] in html


@pytest.fixture
def failing_client(client, settings):
    """A production-like client: DEBUG off, and exceptions become the 500 page."""
    settings.DEBUG = False
    client.raise_request_exception = False
    return client


@pytest.mark.smoke
@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ru", "en"])
def test_missing_page_has_the_site_layout(client, language):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.templates[0].name == "404.html"
    assert_error_page(response, 404, language)


@pytest.mark.django_db
def test_missing_page_keeps_the_members_header(client, member):
    client.force_login(member)
    response = client.get("/no-such-page/")
    assert_error_page(response, 404, "ru")
    assert 'data-testid="logout"' in response.text
    assert f'<a href="{reverse("bookings:find")}">' in response.text


@pytest.mark.django_db
@pytest.mark.urls("coworking.tests.error_urls")
@pytest.mark.parametrize("language", ["ru", "en"])
def test_forbidden_page_has_the_site_layout(client, member, language):
    member.language = language
    member.save(update_fields=["language"])
    client.force_login(member)
    response = client.get("/forbidden/")
    assert_error_page(response, 403, language)
    assert "сотрудник" not in response.text
    assert "staff" not in response.text.lower()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ru", "en"])
def test_a_form_without_its_csrf_token_gets_the_site_layout_and_changes_nothing(member, language):
    client = Client(enforce_csrf_checks=True)
    member.language = language
    member.save(update_fields=["language"])
    client.force_login(member)
    response = client.post(reverse("accounts:profile"), {"full_name": "Someone Else", "language": language})
    assert response.templates[0].name == "403_csrf.html"
    assert_error_page(response, 403, language, page="csrf")
    member.refresh_from_db()
    assert member.full_name != "Someone Else"


@pytest.mark.parametrize("language", ["ru", "en"])
def test_bad_request_page_has_the_site_layout(client, language):
    # A Host header the site does not answer to is the common bad request.
    response = client.get("/", HTTP_HOST="attacker.example", HTTP_ACCEPT_LANGUAGE=language)
    assert response.templates[0].name == "400.html"
    assert_error_page(response, 400, language)


@pytest.mark.smoke
@pytest.mark.urls("coworking.tests.error_urls")
@pytest.mark.parametrize("language", ["ru", "en"])
def test_server_error_page_has_the_site_layout(failing_client, language):
    response = failing_client.get("/broken/", HTTP_ACCEPT_LANGUAGE=language)
    assert_error_page(response, 500, language)
    assert 'data-testid="lang-en"' in response.text


@pytest.mark.smoke
def test_server_error_page_renders_while_the_database_is_refused(failing_client):
    # No django_db mark: every query raises, as with the database down. A member's
    # session cookie makes the first middleware that asks who is there fail.
    failing_client.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32
    response = failing_client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert_error_page(response, 500, "en")


@pytest.mark.skipif("TEST_PG_ROOT" not in os.environ, reason="needs the servers started by tools.testenv")
@pytest.mark.django_db(transaction=True)
def test_server_error_page_renders_with_the_database_stopped(failing_client, member):
    failing_client.force_login(member)
    postgres = Postgres.from_env()
    postgres.stop()
    try:
        connection.close()
        response = failing_client.get(reverse("home"))
    finally:
        postgres.start()
        connection.close()
    assert_error_page(response, 500, "ru")

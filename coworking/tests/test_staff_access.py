"""Every staff page of every app answers the same way: visitors log in at the site's login,
members get a 403 page that says the page is for staff, staff get the page."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from bookings.tests.factories import BookingFactory
from donations.tests.factories import DonationFactory
from spaces.tests.factories import BuildingFactory

pytestmark = pytest.mark.django_db

STAFF_URLS = [
    ("visits:front_desk", []),
    ("visits:desk_check_in", []),
    ("visits:desk_check_out", []),
    ("visits:statistics", []),
    ("visits:statistics_export", ["days"]),
    ("donations:staff", []),
    ("donations:confirm", ["donation"]),
    ("donations:reject", ["donation"]),
    ("donations:offline", []),
    ("donations:goal", []),
    ("donations:export", [2026, 3]),
    ("bookings:staff_list", []),
    ("bookings:staff_new", []),
    ("bookings:staff_cancel", ["booking"]),
    ("bookings:staff_move", ["booking"]),
    ("staff:today", []),
]
# Actions that only take a POST answer a staff member's GET with 405, past the gate.
POST_ONLY = {
    "visits:desk_check_in",
    "visits:desk_check_out",
    "donations:confirm",
    "donations:reject",
    "donations:offline",
    "donations:goal",
}
STAFF_ONLY = {
    "ru": (
        "<h1>Эта страница для сотрудников</h1>",
        "Через неё сотрудники управляют пространством. Если вам нужен доступ, обратитесь к сотруднику.",
        '<a class="btn btn-primary btn-lg" href="/">На главную</a>',
    ),
    "en": (
        "<h1>This page is for staff</h1>",
        "Staff use it to run the space. If you think you should have access, ask a staff member.",
        '<a class="btn btn-primary btn-lg" href="/">Back to the home page</a>',
    ),
}


def staff_url(name: str, arguments: list) -> str:
    """The address, with objects made for the arguments that name one."""
    BuildingFactory()
    made = {
        "donation": lambda: DonationFactory().pk,
        "booking": lambda: BookingFactory().pk,
    }
    return reverse(name, args=[made[arg]() if arg in made else arg for arg in arguments])


def test_every_staff_view_is_checked_here():
    staff_views = {
        f"{app.namespace}:{pattern.name}"
        for app in get_resolver().url_patterns
        if isinstance(app, URLResolver) and app.namespace
        for pattern in app.url_patterns
        if isinstance(pattern, URLPattern) and pattern.callback.__module__.endswith(".views.staff")
    }
    assert staff_views == {name for name, _arguments in STAFF_URLS}


@pytest.mark.parametrize(("name", "arguments"), STAFF_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_staff_pages_send_visitors_to_the_site_login(client, name, arguments, method):
    url = staff_url(name, arguments)
    response = getattr(client, method)(url)
    assert (response.status_code, response.url) == (302, f"{reverse('account_login')}?next={url}")


@pytest.mark.parametrize(("name", "arguments"), STAFF_URLS)
@pytest.mark.parametrize("language", ["ru", "en"])
def test_staff_pages_tell_members_they_are_for_staff(client, member, name, arguments, language):
    member.language = language
    member.save(update_fields=["language"])
    url = staff_url(name, arguments)
    client.force_login(member)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 403
        assert response.templates[0].name == "403.html"
        for text in STAFF_ONLY[language]:
            assert text in response.text


@pytest.mark.parametrize(("name", "arguments"), STAFF_URLS)
def test_staff_pages_open_for_staff(client, staff, name, arguments):
    url = staff_url(name, arguments)
    client.force_login(staff)
    assert client.get(url).status_code == (405 if name in POST_ONLY else 200)

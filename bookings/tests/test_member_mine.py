"""My bookings: the list, one booking, cancelling, .ics, and nobody else's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from accounts.tests.factories import UserFactory
from bookings import services
from bookings.models import Booking, BuildingRules
from bookings.tests.factories import BookingFactory, DeskFactory, local, tomorrow

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]


def _ago(**delta) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


@pytest.mark.smoke
def test_my_bookings_splits_upcoming_from_past_and_cancelled(client, member, desk):
    building = desk.room.building
    day = tomorrow(building)
    later = BookingFactory(
        user=member, desk=desk, start=local(building, day, 14), end=local(building, day, 15)
    )
    sooner = BookingFactory(
        user=member, desk=desk, start=local(building, day, 9), end=local(building, day, 10)
    )
    past = BookingFactory(user=member, desk=desk, start=_ago(days=2, hours=1), end=_ago(days=2))
    cancelled = BookingFactory(
        user=member,
        desk=desk,
        start=local(building, day, 16),
        end=local(building, day, 17),
        status="cancelled",
    )
    BookingFactory(desk=desk, start=local(building, day, 11), end=local(building, day, 12))  # someone else's
    client.force_login(member)

    response = client.get(reverse("bookings:mine"))

    assert list(response.context["upcoming"]) == [sooner, later]
    assert list(response.context["history"]) == [cancelled, past]
    assert "Desk A-1, Hall" in response.text
    assert ">Cancelled<" in response.text


def test_my_bookings_shows_the_zone_of_a_building_elsewhere(client, member):
    berlin = DeskFactory(room__building__time_zone="Europe/Berlin").room.building
    moscow = DeskFactory(room__building__time_zone="Europe/Moscow").room.building
    for building in (berlin, moscow):
        BookingFactory(
            user=member,
            desk=building.rooms.get().desks.get(),
            start=local(building, tomorrow(building), 9),
            end=local(building, tomorrow(building), 10),
        )
    client.force_login(member)

    response = client.get(reverse("bookings:mine"))

    # Times read in each building's own zone; only the foreign zone is named.
    assert response.text.count("09:00–10:00") == 2
    assert response.text.count("Europe/Berlin") == 1
    assert "Europe/Moscow" not in response.text


def test_my_bookings_offer_cancelling_by_each_buildings_cut_off(client, member):
    """The rules come with the bookings: a building's own cut-off decides its bookings' Cancel."""
    strict, lenient = DeskFactory(), DeskFactory()
    BuildingRules.objects.create(building=lenient.room.building, cancellation_cutoff_minutes=5)
    soon = timezone.now() + dt.timedelta(minutes=30)
    kept = BookingFactory(user=member, desk=strict, start=soon, end=soon + dt.timedelta(hours=1))
    freed = BookingFactory(user=member, desk=lenient, start=soon, end=soon + dt.timedelta(hours=1))
    client.force_login(member)

    response = client.get(reverse("bookings:mine"))

    # Inside the default hour's cut-off: "I won't come"; past the lenient five minutes: Cancel.
    assert response.text.count('data-testid="cancel-open"') == 1
    assert f'action="{reverse("bookings:cancel", args=[freed.pk])}"' in response.text
    assert f'href="{reverse("bookings:detail", args=[kept.pk])}" data-testid="release-link"' in response.text


def test_my_bookings_escape_the_names_of_places_and_buildings(client, member):
    desk = DeskFactory(label="<i>3", room__name="R&D <b>", room__building__name='"Loft" <script>')
    building = desk.room.building
    for day in (tomorrow(building), tomorrow(building) - dt.timedelta(days=3)):
        BookingFactory(user=member, desk=desk, start=local(building, day, 9), end=local(building, day, 10))
    client.force_login(member)

    response = client.get(reverse("bookings:mine"))

    # Once in the upcoming card, once in the past table; never as markup.
    assert response.text.count("Desk &lt;i&gt;3, R&amp;D &lt;b&gt;") == 2
    assert response.text.count("&quot;Loft&quot; &lt;script&gt;") == 2
    assert ["<i>3" in response.text, "<b>" in response.text, '"Loft" <script>' in response.text] == [
        False
    ] * 3


def test_upcoming_bookings_are_paginated_apart_from_the_past(client, member, desk):
    building = desk.room.building
    first_day = tomorrow(building)
    for days in range(22):
        day = first_day + dt.timedelta(days=days)
        BookingFactory(user=member, desk=desk, start=local(building, day, 9), end=local(building, day, 10))
    BookingFactory(user=member, desk=desk, start=_ago(days=3, hours=1), end=_ago(days=3))
    client.force_login(member)

    first = client.get(reverse("bookings:mine"))
    second = client.get(reverse("bookings:mine"), {"upcoming": 2, "page": 1})

    assert [booking.start for booking in first.context["upcoming"]] == [
        local(building, first_day + dt.timedelta(days=days), 9) for days in range(20)
    ]
    assert len(second.context["upcoming"]) == 2
    assert 'href="?upcoming=2" rel="next">Later →</a>' in first.text
    # Each list's links keep the other list's page.
    assert 'href="?upcoming=1&amp;page=1" rel="prev">← Sooner</a>' in second.text
    assert 'rel="next"' not in second.text
    assert len(second.context["history"]) == 1  # the past list stays where it was


def test_past_bookings_are_paginated(client, member, desk):
    for days in range(1, 23):
        BookingFactory(user=member, desk=desk, start=_ago(days=days, hours=1), end=_ago(days=days))
    client.force_login(member)

    first = client.get(reverse("bookings:mine"))
    second = client.get(reverse("bookings:mine"), {"page": 2})

    assert len(first.context["history"]) == 20
    assert 'href="?page=2" rel="next">Older →</a>' in first.text
    assert len(second.context["history"]) == 2
    assert 'href="?page=1" rel="prev">← Newer</a>' in second.text
    assert "Page 2 of" not in second.text  # no page count: counting would grow with the history


@pytest.mark.parametrize("number", ["nonsense", "0", "-3", "", "2.5", "1e9"])
def test_a_page_number_that_is_not_one_shows_the_first_page(client, member, desk, number):
    for days in range(1, 23):
        BookingFactory(user=member, desk=desk, start=_ago(days=days, hours=1), end=_ago(days=days))
    client.force_login(member)

    response = client.get(reverse("bookings:mine"), {"page": number, "upcoming": number})

    assert response.status_code == 200
    assert (response.context["history"].number, len(response.context["history"])) == (1, 20)
    assert response.context["upcoming"].number == 1


@pytest.mark.parametrize("number", ["3", "99999999999999999999999"])
def test_a_page_past_the_end_says_so_and_links_to_the_first(client, member, desk, number):
    for days in range(1, 23):
        BookingFactory(user=member, desk=desk, start=_ago(days=days, hours=1), end=_ago(days=days))
    client.force_login(member)

    response = client.get(reverse("bookings:mine"), {"page": number})

    assert response.status_code == 200
    assert len(response.context["history"]) == 0
    assert "Nothing here yet" not in response.text  # the member has a history, just not this far
    past_the_end = '<strong>Nothing on this page</strong><a href="?page=1">Back to the first page</a>'
    assert f'data-testid="past-the-end">{past_the_end}' in response.text


def test_booking_detail_shows_the_booking_in_its_building_time(client, member, desk):
    building = desk.room.building
    day = tomorrow(building)
    booking = BookingFactory(
        user=member, desk=desk, start=local(building, day, 9), end=local(building, day, 10)
    )
    client.force_login(member)

    response = client.get(reverse("bookings:detail", args=[booking.pk]))

    assert response.status_code == 200
    assert f"{day:%a}, {day.day} {day:%B} · 09:00–10:00" in response.text
    assert reverse("bookings:ics", args=[booking.pk]) in response.text
    assert 'data-testid="cancel-one"' in response.text


def test_cancelling_frees_the_place_and_emails(client, member, desk, django_capture_on_commit_callbacks):
    building = desk.room.building
    booking = BookingFactory(user=member, desk=desk, start=local(building, tomorrow(building), 9))
    client.force_login(member)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("bookings:cancel", args=[booking.pk]), {"scope": "one"})

    assert response["Location"] == reverse("bookings:mine")
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by, booking.sequence) == ("cancelled", member, 1)
    [message] = mail.outbox
    assert message.subject.startswith("Booking cancelled: Desk A-1, Hall, ")


def test_cancelling_too_late_is_refused_with_the_reason(client, member, desk):
    booking = BookingFactory(user=member, desk=desk, start=_ago(minutes=-20), end=_ago(minutes=-80))
    client.force_login(member)

    response = client.post(reverse("bookings:cancel", args=[booking.pk]), follow=True)

    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert response.redirect_chain == [(reverse("bookings:detail", args=[booking.pk]), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Bookings can be cancelled up to 60 minutes before the start."
    ]


def _series(member, desk, days: int) -> list[Booking]:
    building = desk.room.building
    _series_obj, occurrences = services.book_series(
        user=member,
        resource=desk,
        frequency="daily",
        weekdays=[],
        first=tomorrow(building),
        until=None,
        count=days,
        start_time=dt.time(9),
        end_time=dt.time(10),
    )
    return [occurrence.booking for occurrence in occurrences]


def test_cancelling_one_occurrence_keeps_the_rest_of_the_series(client, member, desk):
    bookings = _series(member, desk, 3)
    client.force_login(member)

    detail = client.get(reverse("bookings:detail", args=[bookings[0].pk]))
    client.post(reverse("bookings:cancel", args=[bookings[1].pk]), {"scope": "one"})

    assert detail.context["following"] == 2
    assert "This and the following ones (+2)" in detail.text
    assert [b.status for b in Booking.objects.order_by("start")] == ["confirmed", "cancelled", "confirmed"]


def test_cancelling_this_and_following_occurrences(client, member, desk):
    bookings = _series(member, desk, 4)
    client.force_login(member)

    response = client.post(
        reverse("bookings:cancel", args=[bookings[1].pk]), {"scope": "following"}, follow=True
    )

    assert [b.status for b in Booking.objects.order_by("start")] == ["confirmed", *["cancelled"] * 3]
    assert [str(m) for m in response.context["messages"]] == ["3 bookings of the series cancelled."]


def test_ics_download_of_an_own_booking(client, member, desk):
    booking = BookingFactory(user=member, desk=desk)
    client.force_login(member)

    response = client.get(reverse("bookings:ics", args=[booking.pk]))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="booking-{booking.pk}.ics"'
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert event.decoded("dtstart") == booking.start
    assert str(event["summary"]) == "Desk A-1, Hall at Pokrovka"


@pytest.mark.parametrize(
    ("name", "method"),
    [("bookings:detail", "get"), ("bookings:cancel", "post"), ("bookings:ics", "get")],
)
def test_another_members_booking_is_404_by_every_url(client, member, desk, name, method):
    theirs = BookingFactory(user=UserFactory(), desk=desk)
    client.force_login(member)

    response = getattr(client, method)(reverse(name, args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "confirmed"


def test_cancel_is_post_only(client, member, desk):
    booking = BookingFactory(user=member, desk=desk)
    client.force_login(member)

    assert client.get(reverse("bookings:cancel", args=[booking.pk])).status_code == 405


def test_home_widget_lists_the_next_three_bookings(member, desk, django_assert_num_queries):
    building = desk.room.building
    day = tomorrow(building)
    mine = [
        BookingFactory(
            user=member, desk=desk, start=local(building, day, hour), end=local(building, day, hour + 1)
        )
        for hour in (12, 9, 10, 11)
    ]
    BookingFactory(user=member, desk=desk, start=_ago(hours=3), end=_ago(hours=2))
    request = RequestFactory().get("/")
    request.user = member

    with django_assert_num_queries(1):
        html = render_to_string("bookings/home_widget.html", {"user": member, "request": request})

    assert [reverse("bookings:detail", args=[b.pk]) in html for b in mine] == [False, True, True, True]
    assert reverse("bookings:mine") in html


def test_home_widget_invites_to_book_when_nothing_is_booked(member):
    with translation.override("ru"):
        html = render_to_string("bookings/home_widget.html", {"user": member})

    assert "Пока ничего не забронировано." in html
    assert reverse("bookings:find") in html


def test_member_pages_need_a_login(client, desk):
    booking = BookingFactory(desk=desk)
    urls = [
        reverse("bookings:mine"),
        reverse("bookings:detail", args=[booking.pk]),
        reverse("bookings:ics", args=[booking.pk]),
        reverse("bookings:new"),
        reverse("bookings:day", args=[desk.room.building.pk]),
        reverse("bookings:feed_settings"),
    ]

    assert [client.get(url).status_code for url in urls] == [302] * len(urls)

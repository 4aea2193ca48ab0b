"""Fewer steps: "Book" and "See the day" on building and room pages, "Check in" on a
booking whose window is open, "Book again", "Same as last week", and the day grid's cells."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from bookings.models import Booking
from bookings.tests.factories import BookingFactory, BuildingFactory, DeskFactory, RoomFactory, local
from visits.models import Visit

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]
# Tuesday 1 June 2027, 12:10 in Moscow.
NOW = dt.datetime(2027, 6, 1, 9, 10, tzinfo=dt.UTC)
TODAY = dt.date(2027, 6, 1)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def test_building_page_books_there_and_shows_its_day(client, member):
    building = BuildingFactory()
    client.force_login(member)
    html = client.get(reverse("spaces:building_detail", args=[building.pk])).text
    assert f'href="{reverse("bookings:find")}?building={building.pk}" data-testid="book-place"' in html
    assert f'href="{reverse("bookings:day", args=[building.pk])}" data-testid="see-day"' in html


def test_room_page_books_the_room_or_its_desks(client, member):
    room = RoomFactory()
    desk = DeskFactory()
    client.force_login(member)
    whole = client.get(reverse("spaces:room_detail", args=[room.pk])).text
    open_space = client.get(reverse("spaces:room_detail", args=[desk.room.pk])).text
    assert f'href="{reverse("bookings:new")}?room={room.pk}" data-testid="book-place"' in whole
    building = desk.room.building
    assert f'href="{reverse("bookings:find")}?building={building.pk}" data-testid="book-place"' in open_space


def test_booking_page_offers_check_in_only_while_the_window_is_open(client, member, now):
    building = BuildingFactory()
    soon = BookingFactory(
        user=member, desk=DeskFactory(room__building=building), start=now + dt.timedelta(minutes=10)
    )
    later = BookingFactory(
        user=member, desk=DeskFactory(room__building=building), start=now + dt.timedelta(hours=2)
    )
    client.force_login(member)

    assert (
        'data-testid="booking-check-in"' not in client.get(reverse("bookings:detail", args=[later.pk])).text
    )
    page = client.get(reverse("bookings:detail", args=[soon.pk])).text
    assert 'data-testid="booking-check-in"' in page
    assert f'name="building" value="{building.pk}"' in page
    client.post(reverse("visits:check_in"), {"building": building.pk})
    soon.refresh_from_db()
    assert (Visit.objects.get().building, soon.checked_in_at) == (building, now)
    assert 'data-testid="booking-check-in"' not in client.get(reverse("bookings:detail", args=[soon.pk])).text


def test_past_booking_is_booked_again_the_next_day_its_hours_are_ahead(client, member, now):
    desk = DeskFactory()
    building = desk.room.building
    start = local(building, TODAY - dt.timedelta(days=3), 10)
    past = BookingFactory(user=member, desk=desk, start=start, end=start + dt.timedelta(hours=3))
    morning = BookingFactory(
        user=member,
        desk=desk,
        start=local(building, TODAY - dt.timedelta(days=2), 15),
        end=local(building, TODAY - dt.timedelta(days=2), 16),
    )
    client.force_login(member)

    response = client.get(reverse("bookings:detail", args=[past.pk]))
    mine = client.get(reverse("bookings:mine")).text

    # 10:00 has passed today (12:10): tomorrow; 15:00 is still ahead: today.
    tomorrow_ten = local(building, TODAY + dt.timedelta(days=1), 10)
    expected = f"?desk={desk.pk}&amp;start={tomorrow_ten:%Y-%m-%dT%H:%M}Z&amp;end=2027-06-02T10:00Z"
    assert f'href="{reverse("bookings:new")}{expected}" data-testid="book-again"' in response.text
    assert f"?desk={desk.pk}&amp;start=2027-06-01T12:00Z&amp;end=2027-06-01T13:00Z" in mine
    assert morning.pk


def test_same_as_last_week_books_last_weeks_places_a_week_later(client, member, now):
    desk = DeskFactory()
    building = desk.room.building
    room = RoomFactory(building=building)
    six_days_ago, yesterday = TODAY - dt.timedelta(days=6), TODAY - dt.timedelta(days=1)
    BookingFactory(
        user=member, desk=desk, start=local(building, six_days_ago, 10), end=local(building, six_days_ago, 12)
    )
    BookingFactory(
        user=member, room=room, start=local(building, yesterday, 9), end=local(building, yesterday, 11)
    )
    older = local(building, TODAY - dt.timedelta(days=9), 10)
    BookingFactory(user=member, desk=desk, start=older, end=older + dt.timedelta(hours=1))
    client.force_login(member)

    assert 'data-testid="same-as-last-week"' in client.get(reverse("bookings:mine")).text
    client.post(reverse("bookings:repeat_last_week"))
    client.post(reverse("bookings:repeat_last_week"))  # a second tap books nothing more

    made = Booking.objects.filter(start__gt=now).order_by("start")
    assert [(b.resource, b.start, b.end) for b in made] == [
        (
            desk,
            local(building, TODAY + dt.timedelta(days=1), 10),
            local(building, TODAY + dt.timedelta(days=1), 12),
        ),
        (
            room,
            local(building, TODAY + dt.timedelta(days=6), 9),
            local(building, TODAY + dt.timedelta(days=6), 11),
        ),
    ]


def test_day_grid_cells_are_named_buttons_and_own_bookings_link(client, member, now):
    desk = DeskFactory(label="A-1")
    building = desk.room.building
    mine = BookingFactory(
        user=member, desk=desk, start=local(building, TODAY, 14), end=local(building, TODAY, 15)
    )
    client.force_login(member)

    response = client.get(reverse("bookings:day", args=[building.pk]))

    html = response.text
    value = f"desk-{desk.pk},2027-06-01T09:30Z,2027-06-01T10:00Z"
    assert f'<button name="slot" value="{value}" aria-label="A-1 · 12:30">' in html
    assert f'<td class="c-mine" colspan="2"><a href="/bookings/{mine.pk}/" title="Your booking">' in html
    assert (response.context["grid"].now_column, response.context["grid"].now_fraction) == (8, 1 / 3)
    assert 'data-now-start="2027-06-01T09:00Z"' in html


def test_booking_form_takes_a_range_from_the_day_grid(client, member):
    desk = DeskFactory()
    client.force_login(member)
    slot = f"desk-{desk.pk},2027-06-02T07:00Z,2027-06-02T10:00Z"
    form = client.get(reverse("bookings:new"), {"slot": slot}).context["form"]
    assert (form["place"].value(), form["start_time"].value(), form["end_time"].value()) == (
        f"desk-{desk.pk}",
        dt.time(10),
        dt.time(13),
    )


def test_search_shows_taken_desks_with_until_when_instead_of_hiding_them(client, member, now):
    building = BuildingFactory()
    hall = DeskFactory(label="A-1").room
    hall.building = building
    hall.save()
    taken = DeskFactory(room=hall, label="A-2")
    BookingFactory(desk=taken, start=local(building, TODAY, 14), end=local(building, TODAY, 16))
    client.force_login(member)

    query = {"building": building.pk, "date": TODAY.isoformat(), "start_time": "15:00", "end_time": "17:00"}
    response = client.get(reverse("bookings:find"), query)

    [(_room, desks, free)] = response.context["desk_cards"]
    assert ([(d.label, d.taken_until) for d in desks], free) == (
        [("A-1", None), ("A-2", local(building, TODAY, 16))],
        1,
    )
    assert "<small>Taken until 16:00</small>" in response.text
    assert [d.label for _room, free_desks in response.context["desk_groups"] for d in free_desks] == ["A-1"]

"""Check-in by QR code: the scan service, the page a code opens, the staff's QR sheet."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import UserFactory
from bookings.models import Booking, BookingRules
from bookings.tests.factories import BuildingFactory, DeskFactory, OpenSpaceFactory, RoomFactory, local
from visits import scan as scanning
from visits.models import PlaceCode, Visit

pytestmark = [pytest.mark.django_db, pytest.mark.language("en")]
# A Wednesday, 10:10 in Moscow: the building (open 08:00–20:00) is open, the 10:00 slot under way.
DAY = dt.date(2027, 3, 3)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def desk(building):
    return DeskFactory(label="A-1", room=OpenSpaceFactory(name="Hall", building=building))


@pytest.fixture
def code(desk) -> PlaceCode:
    return PlaceCode.objects.create(desk=desk)


@pytest.fixture
def at(building):
    """Freeze the clock at a local time of DAY in the building."""
    travels = []

    def at(hour: int, minute: int = 0) -> dt.datetime:
        moment = local(building, DAY, hour, minute)
        travel = time_machine.travel(moment, tick=False)
        travel.start()
        travels.append(travel)
        return moment

    yield at
    for travel in travels:
        travel.stop()


def _holder():
    return UserFactory(full_name="Irina Holder", email="irina.holder@example.com")


def test_scan_checks_the_member_into_their_booking_there(member, building, desk, code, at):
    now = at(10, 10)
    booking = Booking.objects.create(
        user=member,
        building=building,
        desk=desk,
        start=local(building, DAY, 10),
        end=local(building, DAY, 12),
    )
    assert scanning.place_now(member, code).state == scanning.State.OWN

    result = scanning.scan(member, code)

    booking.refresh_from_db()
    visit = Visit.objects.get(user=member)
    assert (result.booked, result.checked_in, result.booking) == (False, True, booking)
    assert (visit.building, visit.checked_in_at, visit.booking) == (building, now, booking)
    assert booking.checked_in_at == now
    assert Booking.objects.count() == 1
    assert scanning.place_now(member, code).state == scanning.State.IN


def test_scan_of_a_free_place_books_it_until_the_default_length_and_checks_in(
    member, building, desk, code, at
):
    now = at(10, 10)
    current = scanning.place_now(member, code)
    assert (current.state, current.start, current.end) == (
        scanning.State.FREE,
        local(building, DAY, 10),
        local(building, DAY, 14),
    )

    result = scanning.scan(member, code)

    booking = Booking.objects.get()
    visit = Visit.objects.get(user=member)
    assert (result.booked, result.booking) == (True, booking)
    assert (booking.user, booking.desk, booking.status) == (member, desk, Booking.Status.CONFIRMED)
    assert (booking.start, booking.end) == (local(building, DAY, 10), local(building, DAY, 14))
    assert booking.checked_in_at == now
    assert visit.booking == booking


def test_scan_of_a_free_place_books_it_until_the_next_booking(member, building, desk, code, at):
    at(10, 10)
    Booking.objects.create(
        user=_holder(),
        building=building,
        desk=desk,
        start=local(building, DAY, 12),
        end=local(building, DAY, 13),
    )
    scanning.scan(member, code)
    mine = Booking.objects.get(user=member)
    assert (mine.start, mine.end) == (local(building, DAY, 10), local(building, DAY, 12))


def test_scan_of_a_free_place_applies_the_booking_rules_and_saves_nothing(member, building, desk, code, at):
    at(10, 10)
    BookingRules.objects.update_or_create(pk=1, defaults={"max_upcoming_bookings": 0})
    with pytest.raises(scanning.ScanError) as error:
        scanning.scan(member, code)
    assert error.value.message == "You already have 0 upcoming bookings, the most allowed."
    assert (Booking.objects.count(), Visit.objects.count()) == (0, 0)


def test_scan_of_someone_elses_place_explains_until_when_and_touches_nothing(
    member, building, desk, code, at, client
):
    at(10, 10)
    holder = _holder()
    theirs = Booking.objects.create(
        user=holder,
        building=building,
        desk=desk,
        start=local(building, DAY, 10),
        end=local(building, DAY, 11),
    )
    # Back to back with the first: the place is free only after both.
    Booking.objects.create(
        user=holder,
        building=building,
        desk=desk,
        start=local(building, DAY, 11),
        end=local(building, DAY, 12, 30),
    )
    other = DeskFactory(label="A-2", room=desk.room)

    current = scanning.place_now(member, code)
    assert (current.state, current.free_at) == (scanning.State.TAKEN, local(building, DAY, 12, 30))
    assert [a.resource for a in current.alternatives] == [other]
    with pytest.raises(scanning.ScanError) as error:
        scanning.scan(member, code)
    assert error.value.message == "Someone else has booked this place until 12:30."

    client.force_login(member)
    response = client.post(reverse("scan", args=[code.token]))
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else has booked this place until 12:30." in html
    assert "It is free again from 3 March, 12:30." in html
    assert "Desk A-2, Hall · 10:00–10:30" in html
    assert "Irina" not in html and "Holder" not in html and "irina.holder" not in html
    theirs.refresh_from_db()
    assert (theirs.checked_in_at, theirs.status) == (None, Booking.Status.CONFIRMED)
    assert Visit.objects.count() == 0
    assert Booking.objects.filter(user=member).count() == 0


def test_scan_when_the_building_is_closed_says_when_it_opens(member, building, code, at, client):
    at(21, 0)
    current = scanning.place_now(member, code)
    assert (current.state, current.reason) == (scanning.State.CLOSED, "Lenina 1 is closed now.")
    assert current.opens_at == local(building, DAY + dt.timedelta(days=1), 8)
    with pytest.raises(scanning.ScanError, match=r"Lenina 1 is closed now\."):
        scanning.scan(member, code)

    client.force_login(member)
    html = client.get(reverse("scan", args=[code.token])).content.decode()
    assert "Lenina 1 is closed now." in html
    assert "It opens at 4 March, 08:00." in html
    assert "data-autosubmit" not in html
    assert (Booking.objects.count(), Visit.objects.count()) == (0, 0)


def test_scan_of_a_place_out_of_service_says_so(member, desk, code, at):
    at(10, 10)
    desk.is_active = False
    desk.save()
    current = scanning.place_now(member, code)
    assert (current.state, current.reason) == (
        scanning.State.CLOSED,
        "This place is not available for booking.",
    )


def test_scan_when_checked_in_elsewhere_asks_to_check_out_first(member, building, code, at):
    at(10, 10)
    elsewhere = Visit.objects.create(user=member, building=BuildingFactory(name="Zavodskaya"))
    with pytest.raises(
        scanning.ScanError, match=r"You are checked in at Zavodskaya\. Check out there first\."
    ):
        scanning.scan(member, code)
    assert Booking.objects.count() == 0
    assert list(Visit.objects.all()) == [elsewhere]


def test_scan_page_get_changes_nothing_and_post_checks_in(member, building, desk, code, at, client):
    at(10, 10)
    client.force_login(member)
    url = reverse("scan", args=[code.token])

    page = client.get(url)
    assert page.status_code == 200
    assert 'data-state="free"' in page.content.decode()
    assert "data-autosubmit" in page.content.decode()
    assert (Booking.objects.count(), Visit.objects.count()) == (0, 0)

    response = client.post(url, follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [(url, 302)]
    assert "Desk A-1, Hall is yours until 14:00, and you are checked in." in html
    assert 'data-state="in"' in html
    assert "data-autosubmit" not in html
    assert Visit.objects.get(user=member).booking == Booking.objects.get(user=member)


def test_scan_page_sends_a_visitor_to_log_in_and_back(client, code):
    url = reverse("scan", args=[code.token])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


def test_scan_page_of_a_replaced_code_is_a_clear_404(member, code, client, at):
    at(10, 10)
    client.force_login(member)
    old = code.token
    code.rotate()
    response = client.post(reverse("scan", args=[old]))
    assert response.status_code == 404
    assert "This QR code does not work" in response.content.decode()
    assert (Booking.objects.count(), Visit.objects.count()) == (0, 0)
    assert client.get(reverse("scan", args=[code.token])).status_code == 200


def test_scan_of_a_meeting_room_books_the_room(member, building, at):
    at(10, 10)
    room = RoomFactory(name="Blue", building=building)
    scanning.scan(member, PlaceCode.objects.create(room=room))
    booking = Booking.objects.get(user=member)
    assert (booking.room, booking.desk, booking.checked_in_at is not None) == (room, None, True)


def test_place_code_is_for_exactly_one_place(desk):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        PlaceCode.objects.create()


# The staff's QR sheet


@pytest.mark.parametrize("desks", [1, 3])
def test_qr_sheet_shows_one_code_per_place_in_fixed_queries(
    staff_client, building, desks, django_assert_num_queries
):
    room = OpenSpaceFactory(name="Hall", building=building)
    for number in range(desks):
        DeskFactory(label=f"A-{number + 1}", room=room)
    RoomFactory(name="Blue", building=building)
    DeskFactory(label="Elsewhere")  # another building's
    url = reverse("visits:qr_sheet", args=[building.pk])
    with django_assert_num_queries(7):
        response = staff_client.get(url)
    html = response.content.decode()
    assert html.count('data-testid="qr-card"') == desks + 1
    assert html.count('<svg class="qr" role="img"') == desks + 1
    assert "Desk A-1, Hall" in html and "Blue" in html and "Elsewhere" not in html
    assert PlaceCode.objects.count() == desks + 1
    token = PlaceCode.objects.get(room__name="Blue").token
    assert f"http://testserver/q/{token}/" in html
    # Opening it again makes no new codes.
    staff_client.get(url)
    assert PlaceCode.objects.count() == desks + 1


def test_qr_sheet_is_for_staff_only(client, member, building):
    client.force_login(member)
    assert client.get(reverse("visits:qr_sheet", args=[building.pk])).status_code == 403


def test_building_admin_links_to_the_qr_sheet(staff_client, building):
    html = staff_client.get(reverse("admin:spaces_building_change", args=[building.pk])).content.decode()
    assert f'href="{reverse("visits:qr_sheet", args=[building.pk])}"' in html


def test_admin_action_replaces_the_tokens(staff_client, code):
    old = code.token
    response = staff_client.post(
        reverse("admin:visits_placecode_changelist"),
        {"action": "rotate", "_selected_action": [code.pk]},
        follow=True,
    )
    code.refresh_from_db()
    assert code.token != old
    assert len(code.token) == 12
    assert "1 QR code replaced: print it again." in response.content.decode()

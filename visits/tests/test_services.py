"""Check-in, check-out, durations and karma through visits.services (real PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from accounts.models import KarmaEntry, KarmaReason, User
from accounts.services import karma_mismatches, reverse_karma
from accounts.tests.factories import UserFactory
from bookings import attendance
from bookings.models import Booking
from bookings.tests.factories import BuildingFactory, DeskFactory, local
from coworking.testing import run_concurrently
from visits import services
from visits.models import Visit
from visits.tests.factories import BookingFactory, VisitFactory

DAY = dt.date(2026, 3, 10)  # a Tuesday
MIDNIGHT = dt.time(0)


@pytest.fixture
def around_the_clock(db):
    return BuildingFactory(name="Night owl", open_daily=(MIDNIGHT, MIDNIGHT))


def _karma(user: User) -> int:
    return User.objects.get(pk=user.pk).karma


def test_check_in_opens_a_visit_and_a_second_tap_returns_it(member, building):
    now = local(building, DAY, 9)
    first = services.check_in(member, building, now=now)
    second = services.check_in(member, building, now=now + dt.timedelta(seconds=2))
    assert (first.created, second.created) == (True, False)
    assert second.visit.pk == first.visit.pk
    visit = Visit.objects.get()
    assert (visit.checked_in_at, visit.checked_in_by, visit.checked_out_at) == (now, member, None)


def test_check_in_defaults_to_the_building_of_the_booking_held_now(member, building):
    elsewhere = BuildingFactory(name="Elsewhere")
    VisitFactory(user=member, building=elsewhere, closed=True, checked_in_at=local(elsewhere, DAY, 8))
    desk = DeskFactory(room__building=building)
    booking = BookingFactory(
        user=member, desk=desk, start=local(building, DAY, 12), end=local(building, DAY, 14)
    )
    now = local(building, DAY, 11, 50)

    result = services.check_in(member, now=now)

    assert (result.visit.building, result.booking, result.visit.booking) == (building, booking, booking)
    booking.refresh_from_db()
    assert booking.checked_in_at == now


def test_check_in_defaults_to_the_last_visited_building(member, building):
    last = BuildingFactory(name="Last visited")
    VisitFactory(user=member, building=building, closed=True, checked_in_at=local(building, DAY, 8))
    VisitFactory(user=member, building=last, closed=True, checked_in_at=local(last, DAY, 12))
    assert services.check_in(member, now=local(last, DAY, 15)).visit.building == last


def test_check_in_with_several_buildings_and_no_history_asks_which(member, building):
    BuildingFactory(name="Second")
    with pytest.raises(services.VisitError) as error:
        services.check_in(member, now=local(building, DAY, 9))
    assert (error.value.code, error.value.message) == (
        "building_required",
        "Выберите здание, в котором вы находитесь.",
    )
    assert Visit.objects.count() == 0


def test_check_in_with_one_building_needs_no_choice(member, building):
    assert services.check_in(member, now=local(building, DAY, 9)).visit.building == building


@pytest.mark.parametrize(
    ("minutes_from_start", "attended"),
    [(-16, False), (-15, True), (0, True), (30, True), (31, False)],
)
def test_check_in_attends_only_a_booking_in_its_check_in_window(
    member, building, minutes_from_start, attended, settings
):
    settings.CHECKIN_OPENS_MINUTES_BEFORE, settings.CHECKIN_CLOSES_MINUTES_AFTER = 15, 30
    start = local(building, DAY, 10)
    booking = BookingFactory(user=member, desk=DeskFactory(room__building=building), start=start)
    result = services.check_in(member, building, now=start + dt.timedelta(minutes=minutes_from_start))
    booking.refresh_from_db()
    assert (booking.checked_in_at is not None, result.booking is not None) == (attended, attended)


def test_check_in_attends_no_booking_in_another_building_or_of_another_member(member, building):
    start = local(building, DAY, 10)
    BookingFactory(user=member, start=start)  # its desk is in a building of its own
    BookingFactory(desk=DeskFactory(room__building=building), start=start)
    result = services.check_in(member, building, now=start)
    assert result.booking is None
    assert list(Booking.objects.values_list("checked_in_at", flat=True)) == [None, None]


def test_tapping_check_in_again_attends_a_booking_whose_window_opened_since(member, building):
    booking = BookingFactory(
        user=member, desk=DeskFactory(room__building=building), start=local(building, DAY, 14)
    )
    first = services.check_in(member, building, now=local(building, DAY, 9))
    again = services.check_in(member, building, now=local(building, DAY, 13, 50))
    assert (first.booking, again.created, again.visit, again.booking) == (None, False, first.visit, booking)
    booking.refresh_from_db()
    assert booking.checked_in_at == local(building, DAY, 13, 50)


def test_check_out_closes_the_visit_with_its_duration(member, building):
    services.check_in(member, building, now=local(building, DAY, 9, 10))
    result = services.check_out(member, now=local(building, DAY, 11, 45) + dt.timedelta(seconds=59))
    visit = Visit.objects.get()
    assert (visit.checked_out_at, visit.duration_minutes, visit.checked_out_by) == (
        local(building, DAY, 11, 45) + dt.timedelta(seconds=59),
        155,
        member,
    )
    assert (result.visit, result.points) == (visit, 2)


def test_check_out_with_no_open_visit_says_so_and_changes_nothing(member, building):
    closed = VisitFactory(user=member, building=building, closed=True)
    with pytest.raises(services.VisitError) as error:
        services.check_out(member)
    assert (error.value.code, error.value.message) == ("not_checked_in", "Вы сейчас не отмечены в здании.")
    assert list(Visit.objects.values_list("pk", "checked_out_at")) == [(closed.pk, closed.checked_out_at)]
    assert KarmaEntry.objects.count() == 0


def test_duration_across_midnight_in_a_24_hour_building(member, around_the_clock):
    services.check_in(member, around_the_clock, now=local(around_the_clock, DAY, 22, 30))
    services.check_out(member, now=local(around_the_clock, DAY + dt.timedelta(days=1), 1, 15))
    assert Visit.objects.get().duration_minutes == 165


def test_duration_and_karma_day_in_a_building_whose_zone_differs_from_the_servers(member, settings):
    assert settings.TIME_ZONE == "Europe/Moscow"
    new_york = BuildingFactory(time_zone="America/New_York", open_daily=(MIDNIGHT, MIDNIGHT))
    # 14:00–19:00 and 19:30–23:30 in New York are one local day there but two in Moscow.
    services.check_in(member, new_york, now=local(new_york, DAY, 14))
    first = services.check_out(member, now=local(new_york, DAY, 19))
    services.check_in(member, new_york, now=local(new_york, DAY, 19, 30))
    second = services.check_out(member, now=local(new_york, DAY, 23, 30))
    assert (first.visit.duration_minutes, second.visit.duration_minutes) == (300, 240)
    assert first.visit.local_checked_in_at.hour == 14
    assert (first.points, second.points) == (5, 3)  # the daily cap of 8 is New York's day


def test_duration_across_a_dst_change_is_real_elapsed_time(member):
    berlin = BuildingFactory(time_zone="Europe/Berlin", open_daily=(MIDNIGHT, MIDNIGHT))
    spring = dt.date(2026, 3, 29)  # 02:00 becomes 03:00
    services.check_in(member, berlin, now=local(berlin, spring, 1, 30))
    services.check_out(member, now=local(berlin, spring, 3, 30))
    assert Visit.objects.get().duration_minutes == 60


def test_karma_is_per_full_hour_and_capped_per_local_day(member, building, settings):
    settings.KARMA_POINTS_PER_HOUR, settings.KARMA_MAX_VISIT_POINTS_PER_DAY = 2, 8
    visits = [(8, 0, 10, 59), (11, 0, 13, 30), (14, 0, 15, 0)]
    points = []
    for in_hour, in_minute, out_hour, out_minute in visits:
        services.check_in(member, building, now=local(building, DAY, in_hour, in_minute))
        points.append(services.check_out(member, now=local(building, DAY, out_hour, out_minute)).points)
    assert points == [4, 4, 0]
    # The next local day starts a fresh cap.
    services.check_in(member, building, now=local(building, DAY + dt.timedelta(days=1), 9))
    assert services.check_out(member, now=local(building, DAY + dt.timedelta(days=1), 10)).points == 2
    assert _karma(member) == 10
    assert list(KarmaEntry.objects.order_by("pk").values_list("points", "reason")) == [
        (4, "visit"),
        (4, "visit"),
        (2, "visit"),
    ]


def test_awarding_a_visit_twice_awards_once(member, building):
    services.check_in(member, building, now=local(building, DAY, 9))
    visit = services.check_out(member, now=local(building, DAY, 12)).visit
    assert services.award_visit_karma(visit) == 0
    assert KarmaEntry.objects.filter(reason=KarmaReason.VISIT).count() == 1
    assert _karma(member) == 3


def test_staff_check_member_in_and_out_members_cannot(member, staff, building):
    other = UserFactory()
    with pytest.raises(services.VisitError) as error:
        services.check_in(other, building, by=member)
    assert error.value.code == "forbidden"
    visit = services.check_in(other, building, by=staff, now=local(building, DAY, 9)).visit
    assert visit.checked_in_by == staff
    with pytest.raises(services.VisitError):
        services.check_out(other, by=member)
    closed = services.check_out(other, by=staff, now=local(building, DAY, 10)).visit
    assert (closed.checked_out_by, closed.duration_minutes) == (staff, 60)


def test_karma_equals_the_ledger_after_visits_no_shows_and_reversals(member, building, settings):
    settings.KARMA_POINTS_PER_HOUR, settings.KARMA_NO_SHOW_PENALTY = 1, 5
    desk = DeskFactory(room__building=building)
    missed = BookingFactory(user=member, desk=desk, start=local(building, DAY, 9))
    forgiven = BookingFactory(user=member, desk=desk, start=local(building, DAY, 15))
    attended = BookingFactory(user=member, desk=desk, start=local(building, DAY, 17))

    services.check_in(member, building, now=local(building, DAY, 10))
    services.check_out(member, now=local(building, DAY, 13, 20))  # +3
    attendance.release_no_shows(now=local(building, DAY, 16))  # missed and forgiven: -5 -5
    reverse_karma(forgiven, KarmaReason.NO_SHOW, note="the lift was broken")  # +5
    services.check_in(member, building, now=local(building, DAY, 17))
    services.check_out(member, now=local(building, DAY, 19, 5))  # +2
    attendance.release_no_shows(now=local(building, DAY, 20))  # nothing more: attended
    visit = Visit.objects.latest("checked_in_at")
    reverse_karma(visit, KarmaReason.VISIT)  # -2
    assert services.award_visit_karma(visit) == 0  # a reversed visit is not paid again

    assert karma_mismatches() == []
    assert _karma(member) == 3 - 5 - 5 + 5 + 2 - 2
    assert {b.pk: b.status for b in Booking.objects.all()} == {
        missed.pk: Booking.Status.RELEASED,
        forgiven.pk: Booking.Status.RELEASED,
        attended.pk: Booking.Status.CONFIRMED,
    }


@pytest.mark.django_db(transaction=True)
def test_parallel_check_ins_of_one_member_make_exactly_one_open_visit():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL")
    member = UserFactory()
    building = BuildingFactory()
    taps = 10

    def tap(_) -> tuple[bool, int]:
        result = services.check_in(User.objects.get(pk=member.pk), building)
        return result.created, result.visit.pk

    outcomes = run_concurrently(tap, range(taps))
    visit = Visit.objects.get()
    assert sorted(outcomes) == [(False, visit.pk)] * (taps - 1) + [(True, visit.pk)]

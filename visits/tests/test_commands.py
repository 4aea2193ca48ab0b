"""Forgotten visits and no-shows: close_open_visits and release_no_shows."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core import mail
from django.core.management import call_command

from accounts.models import KarmaEntry
from bookings.models import Booking
from bookings.tests.factories import BuildingFactory, DeskFactory, local
from spaces.models import OpeningHours
from visits import services
from visits.models import Visit
from visits.tests.factories import BookingFactory, VisitFactory

DAY = dt.date(2026, 3, 13)  # a Friday
MIDNIGHT = dt.time(0)


def _command(name: str, *args: str) -> str:
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue().strip()


def _visit(building, day, hour, minute=0) -> Visit:
    return VisitFactory(building=building, checked_in_at=local(building, day, hour, minute))


def test_forgotten_visit_closes_at_the_closing_time_of_its_day(building):
    visit = _visit(building, DAY, 10)
    assert services.automatic_closing_time(visit) == local(building, DAY, 20)
    # Checked in before opening: still that day's closing time.
    assert services.automatic_closing_time(_visit(building, DAY, 7, 30)) == local(building, DAY, 20)


def test_visit_started_after_closing_or_on_a_closed_day_closes_at_local_midnight(db):
    weekdays = BuildingFactory(open_daily=False)
    for weekday in range(5):
        OpeningHours.objects.create(
            building=weekdays, weekday=weekday, opens_at=dt.time(8), closes_at=dt.time(20)
        )
    saturday = DAY + dt.timedelta(days=1)
    late = _visit(weekdays, DAY, 21)
    weekend = _visit(weekdays, saturday, 11)
    assert services.automatic_closing_time(late) == local(weekdays, saturday, 0)
    assert services.automatic_closing_time(weekend) == local(weekdays, saturday + dt.timedelta(days=1), 0)


def test_24_hour_building_keeps_a_visit_open_for_a_day_across_midnight(db):
    always = BuildingFactory(open_daily=(MIDNIGHT, MIDNIGHT))
    visit = _visit(always, DAY, 22)
    closing = local(always, DAY + dt.timedelta(days=1), 22)
    assert services.automatic_closing_time(visit) == closing
    assert services.close_open_visits(now=closing - dt.timedelta(minutes=1)) == []
    assert services.close_open_visits(now=closing) == [visit]
    visit.refresh_from_db()
    assert (visit.checked_out_at, visit.duration_minutes, visit.closed_automatically) == (
        closing,
        24 * 60,
        True,
    )


def test_open_until_midnight_carries_over_only_into_a_day_opening_at_midnight(db):
    friday_night = BuildingFactory(open_daily=False)
    # Friday 08:00–24:00, Saturday 00:00–24:00, Sunday 10:00–18:00.
    for weekday, opens_at in ((4, dt.time(8)), (5, MIDNIGHT), (6, dt.time(10))):
        closes_at = dt.time(18) if weekday == 6 else MIDNIGHT
        OpeningHours.objects.create(
            building=friday_night, weekday=weekday, opens_at=opens_at, closes_at=closes_at
        )
    saturday = DAY + dt.timedelta(days=1)
    # Friday 23:00 runs on through Saturday but is capped a day after check-in.
    assert services.automatic_closing_time(_visit(friday_night, DAY, 23)) == local(friday_night, saturday, 23)
    # Saturday 10:00 closes at Saturday's midnight: Sunday opens at 10:00, not at 00:00.
    sunday = saturday + dt.timedelta(days=1)
    assert services.automatic_closing_time(_visit(friday_night, saturday, 10)) == local(
        friday_night, sunday, 0
    )


def test_close_open_visits_touches_only_forgotten_visits_and_runs_once(building):
    forgotten = _visit(building, DAY, 10)
    today = _visit(building, DAY + dt.timedelta(days=1), 9)
    closed = VisitFactory(building=building, closed=True, checked_in_at=local(building, DAY, 9))
    before = closed.checked_out_at
    now = local(building, DAY + dt.timedelta(days=1), 12)

    assert services.close_open_visits(now=now) == [forgotten]
    assert services.close_open_visits(now=now) == []

    rows = {v.pk: (v.checked_out_at, v.duration_minutes, v.closed_automatically) for v in Visit.objects.all()}
    assert rows == {
        forgotten.pk: (local(building, DAY, 20), 600, True),
        today.pk: (None, None, False),
        closed.pk: (before, 90, False),
    }
    assert KarmaEntry.objects.count() == 0  # forgotten visits earn nothing


def test_close_open_visits_command_reports_dry_runs_and_is_idempotent(building):
    past = building.local_today() - dt.timedelta(days=3)
    forgotten = _visit(building, past, 10)
    open_now = VisitFactory(building=BuildingFactory(open_daily=(MIDNIGHT, MIDNIGHT)))

    assert _command("close_open_visits", "--dry-run") == (
        "Visits: 1 to close automatically (dry run, nothing changed)."
    )
    assert Visit.objects.open().count() == 2
    assert _command("close_open_visits") == "Visits: 1 closed automatically."
    assert _command("close_open_visits") == "Visits: 0 closed automatically."
    assert list(Visit.objects.open()) == [open_now]
    forgotten.refresh_from_db()
    assert forgotten.checked_out_at == local(building, past, 20)


def test_release_no_shows_command_releases_emails_and_runs_once(
    member, building, settings, django_capture_on_commit_callbacks
):
    settings.KARMA_NO_SHOW_PENALTY = 5
    desk = DeskFactory(room__building=building)
    yesterday = building.local_today() - dt.timedelta(days=1)
    missed = BookingFactory(user=member, desk=desk, start=local(building, yesterday, 10))
    attended = BookingFactory(
        user=member,
        desk=desk,
        start=local(building, yesterday, 12),
        checked_in_at=local(building, yesterday, 12),
    )
    cancelled = BookingFactory(
        user=member, desk=desk, start=local(building, yesterday, 14), status=Booking.Status.CANCELLED
    )
    upcoming = BookingFactory(user=member, desk=desk)  # tomorrow

    assert _command("release_no_shows", "--dry-run") == "No-shows: 1 to release (dry run, nothing changed)."
    with django_capture_on_commit_callbacks(execute=True):
        assert _command("release_no_shows") == (
            "No-shows: 1 released (5 karma each), 0 attended by members already in the building."
        )
    assert _command("release_no_shows") == (
        "No-shows: 0 released (5 karma each), 0 attended by members already in the building."
    )

    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert statuses == {
        missed.pk: "released",
        attended.pk: "confirmed",
        cancelled.pk: "cancelled",
        upcoming.pk: "confirmed",
    }
    assert [message.to for message in mail.outbox] == [[member.email]]
    assert list(KarmaEntry.objects.values_list("user", "points", "reason")) == [(member.pk, -5, "no_show")]


def test_release_no_shows_spares_a_member_who_was_already_in(member, building):
    yesterday = building.local_today() - dt.timedelta(days=1)
    desk = DeskFactory(room__building=building)
    morning = local(building, yesterday, 9)
    VisitFactory(
        user=member, building=building, checked_in_at=morning, checked_out_at=local(building, yesterday, 18)
    )
    afternoon = BookingFactory(user=member, desk=desk, start=local(building, yesterday, 14))
    gone = BookingFactory(user=member, desk=desk, start=local(building, yesterday, 19))

    assert _command("release_no_shows", "--dry-run") == "No-shows: 1 to release (dry run, nothing changed)."
    assert _command("release_no_shows") == (
        "No-shows: 1 released (5 karma each), 1 attended by members already in the building."
    )
    afternoon.refresh_from_db()
    gone.refresh_from_db()
    # Present since the morning: attended from the moment the window opened.
    assert (afternoon.status, afternoon.checked_in_at) == ("confirmed", local(building, yesterday, 13, 45))
    assert (gone.status, gone.checked_in_at) == ("released", None)

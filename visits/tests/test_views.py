"""The member's pages: the home card (plain posts and htmx), history, CSV export, who is in."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.tests.factories import UserFactory
from bookings.tests.factories import BuildingFactory, local
from spaces.models import local_instant
from visits.models import Visit
from visits.tests.factories import VisitFactory

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "visit-widget"}


@pytest.fixture
def logged_in(client, member):
    client.force_login(member)
    return client


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.smoke
def test_home_offers_one_tap_check_in_and_the_people_in(logged_in, building):
    VisitFactory(building=building, user=UserFactory(visible_to_members=True))
    html = logged_in.get(reverse("home")).content.decode()
    assert 'data-testid="check-in"' in html
    assert f'<input type="hidden" name="building" value="{building.pk}">' in html
    assert '<span class="presence-count" data-testid="presence-count">1 человек</span>' in html
    assert 'src="/static/visits/timer.js"' in html


def test_home_with_several_buildings_preselects_the_last_visited(logged_in, member, building):
    last = BuildingFactory(name="Zavodskaya 5")
    VisitFactory(user=member, building=last, closed=True)
    html = logged_in.get(reverse("home")).content.decode()
    assert f'<option value="{last.pk}" selected>Zavodskaya 5</option>' in html
    assert f'<option value="{building.pk}">Lenina 1</option>' in html


@pytest.mark.smoke
def test_check_in_without_javascript_redirects_home_with_a_message(logged_in, member, building):
    response = logged_in.post(reverse("visits:check_in"), {"building": building.pk}, follow=True)
    assert response.redirect_chain == [(reverse("home"), 302)]
    assert _messages(response) == ["Приход отмечен: Lenina 1. Хорошего дня!"]
    visit = Visit.objects.get()
    assert (visit.user, visit.building, visit.checked_out_at) == (member, building, None)
    html = response.content.decode()
    assert 'data-testid="check-out"' in html
    assert 'data-testid="visit-elapsed">0 мин</time>' in html


def test_check_in_with_htmx_swaps_the_card(logged_in, building):
    response = logged_in.post(reverse("visits:check_in"), {"building": building.pk}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="section visit-widget" id="visit-widget"')
    assert "<html" not in html
    assert "Приход отмечен: Lenina 1. Хорошего дня!" in html
    assert 'hx-post="/visits/check-out/"' in html


def test_second_check_in_says_already_checked_in_and_keeps_one_visit(
    logged_in, member, building, time_machine
):
    # Before 10:00 the hour has one digit: the notice says 07:30 as the card does, not 7:30.
    time_machine.move_to(dt.datetime(2026, 3, 10, 6, 30, tzinfo=dt.UTC), tick=False)  # 09:30 in Moscow
    visit = VisitFactory(user=member, building=building)
    response = logged_in.post(reverse("visits:check_in"), {"building": building.pk}, **HTMX)
    since = timezone.localtime(visit.checked_in_at, building.zone).strftime("%H:%M")
    assert f"Вы уже отмечены: Lenina 1, с {since}." in response.content.decode()
    assert Visit.objects.count() == 1


def test_check_in_to_an_unknown_building_is_refused(logged_in, building):
    response = logged_in.post(reverse("visits:check_in"), {"building": "999999"}, follow=True)
    assert _messages(response) == ["Выберите одно из зданий."]
    assert Visit.objects.count() == 0


def test_check_out_shows_the_duration_and_karma(logged_in, member, building):
    VisitFactory(user=member, building=building, checked_in_at=timezone.now() - dt.timedelta(minutes=125))
    response = logged_in.post(reverse("visits:check_out"), **HTMX)
    html = response.content.decode()
    assert "Уход отмечен: Lenina 1, вы провели здесь 2 ч 05 мин. Карма +2." in html
    assert 'data-testid="check-in"' in html
    assert Visit.objects.get().duration_minutes == 125


def test_check_out_with_no_open_visit_explains_and_changes_nothing(logged_in, member, building):
    closed = VisitFactory(user=member, building=building, closed=True)
    response = logged_in.post(reverse("visits:check_out"), follow=True)
    assert _messages(response) == ["Вы сейчас не отмечены в здании."]
    assert list(Visit.objects.values_list("pk", "duration_minutes")) == [(closed.pk, 90)]


def test_check_in_and_out_need_login_and_post(client, logged_in):
    assert client.get(reverse("visits:check_in")).status_code == 405
    logged_in.logout()
    response = logged_in.post(reverse("visits:check_out"))
    assert response.url == f"{reverse('account_login')}?next={reverse('visits:check_out')}"


def _closed(user, building, start: dt.datetime, minutes: int) -> Visit:
    return VisitFactory(
        user=user,
        building=building,
        checked_in_at=start,
        checked_out_at=start + dt.timedelta(minutes=minutes),
    )


@pytest.mark.smoke
def test_history_shows_own_visits_with_totals(logged_in, member, building):
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    recent = _closed(member, building, local_instant(today, dt.time(0, 5), zone), 125)
    older = _closed(member, building, local_instant(today - dt.timedelta(days=40), dt.time(10), zone), 60)
    _closed(UserFactory(full_name="Someone Else"), building, timezone.now(), 30)

    response = logged_in.get(reverse("visits:history"))
    html = response.content.decode()
    assert '<span class="stat-value stat-value-sm" data-testid="total-week">2 ч 05 мин</span>' in html
    assert '<span class="stat-value stat-value-sm" data-testid="total-month">2 ч 05 мин</span>' in html
    assert '<span class="stat-value stat-value-sm" data-testid="total-all">3 ч 05 мин</span>' in html
    assert html.count('data-testid="visit-row"') == 2
    # Only the member's own visits (a member's rows carry no names to look for).
    assert [visit.pk for visit in response.context["page"].object_list] == [recent.pk, older.pk]


def test_history_tells_the_two_passes_of_the_repeated_autumn_hour_apart(logged_in, member):
    berlin = BuildingFactory(name="Berlin", time_zone="Europe/Berlin")
    # 02:30 summer time, out at 02:45 winter time: an hour and a quarter on the same night.
    _closed(member, berlin, dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC), 75)
    response = logged_in.get(reverse("visits:history"), {"start": "2026-10-25", "end": "2026-10-25"})
    assert "02:30 CEST–02:45 CET" in response.content.decode()


def test_history_filters_by_dates_and_building(logged_in, member, building):
    other = BuildingFactory(name="Zavodskaya 5")
    _closed(member, building, local(building, dt.date(2026, 3, 2), 10), 60)
    _closed(member, building, local(building, dt.date(2026, 3, 9), 10), 120)
    _closed(member, other, local(other, dt.date(2026, 3, 9), 15), 30)
    response = logged_in.get(
        reverse("visits:history"), {"start": "2026-03-05", "end": "2026-03-09", "building": building.pk}
    )
    assert [v.duration_minutes for v in response.context["page"].object_list] == [120]
    assert "1 посещение, всего 2 ч 00 мин" in response.content.decode()


def test_history_with_a_reversed_date_range_keeps_the_input_and_says_why(logged_in, member, building):
    _closed(member, building, timezone.now(), 30)
    response = logged_in.get(reverse("visits:history"), {"start": "2026-03-09", "end": "2026-03-01"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"end": ["Конечная дата не может быть раньше начальной."]}
    assert 'value="2026-03-09"' in response.content.decode()
    assert len(response.context["page"].object_list) == 1


@pytest.mark.parametrize(("name", "value"), [("end", "9999-12-31"), ("start", "0001-01-01")])
def test_history_with_a_date_out_of_range_says_why_and_the_export_sends_back_to_it(
    logged_in, member, building, out_of_range, name, value
):
    visit = _closed(member, building, timezone.now() - dt.timedelta(hours=3), 30)
    response = logged_in.get(reverse("visits:history"), {name: value})
    assert response.status_code == 200
    assert response.context["form"].errors == {name: [out_of_range]}
    html = response.content.decode()
    assert escape(out_of_range) in html
    assert f'value="{value}"' in html
    assert [v.pk for v in response.context["page"].object_list] == [visit.pk]
    export = logged_in.get(reverse("visits:export"), {name: value})
    assert (export.status_code, export.url) == (302, f"{reverse('visits:history')}?{name}={value}")


def test_history_and_export_show_times_in_the_buildings_zone(logged_in, member, berlin):
    # 23:30 in Berlin is 01:30 the next day in Moscow, the space's zone.
    _closed(member, berlin, local(berlin, dt.date(2026, 3, 9), 23, 30), 45)
    html = logged_in.get(reverse("visits:history")).content.decode()
    assert '<div class="visit-date">9 марта 2026</div>' in html
    assert "23:30–00:15" in html
    export = logged_in.get(reverse("visits:export"))
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[1][3:5] == ["2026-03-09 23:30", "2026-03-10 00:15"]


def test_history_dates_are_the_buildings_days_when_one_is_chosen(logged_in, member, berlin):
    visit = _closed(member, berlin, local(berlin, dt.date(2026, 3, 9), 23, 30), 45)

    def shown(**params) -> list[int]:
        response = logged_in.get(reverse("visits:history"), params)
        return [v.pk for v in response.context["page"].object_list]

    assert shown(start="2026-03-09", end="2026-03-09", building=berlin.pk) == [visit.pk]
    assert shown(start="2026-03-10", end="2026-03-10", building=berlin.pk) == []
    # Across all buildings the days are the space's: in Moscow it was 01:30 on the 10th.
    assert shown(start="2026-03-09", end="2026-03-09") == []
    assert shown(start="2026-03-10", end="2026-03-10") == [visit.pk]


def test_history_month_total_starts_at_the_buildings_midnight(logged_in, member, berlin):
    month_start = local(berlin, berlin.local_today().replace(day=1), 0)
    # 23:30 on the last evening of the previous month in Berlin, already this month in Moscow.
    _closed(member, berlin, month_start - dt.timedelta(minutes=30), 45)
    totals = logged_in.get(reverse("visits:history"), {"building": berlin.pk}).context["totals"]
    assert (totals["month"], totals["all"]) == (0, 45)


def test_home_card_says_since_when_in_the_buildings_zone(logged_in, member, berlin):
    visit = VisitFactory(user=member, building=berlin)
    since = visit.checked_in_at.astimezone(berlin.zone).strftime("%H:%M")
    assert f"Здесь с {since}" in logged_in.get(reverse("home")).content.decode()


def test_member_cannot_see_or_export_another_members_visits_by_any_url(logged_in, member, building):
    stranger = UserFactory(full_name="Stranger Danger", email="stranger@example.org")
    _closed(stranger, building, timezone.now() - dt.timedelta(hours=3), 45)
    mine = _closed(member, building, timezone.now() - dt.timedelta(hours=6), 60)
    for params in ({}, {"member": stranger.email}, {"user": stranger.pk}, {"member": "Stranger"}):
        history = logged_in.get(reverse("visits:history"), params)
        assert [v.pk for v in history.context["page"].object_list] == [mine.pk]
        assert "Stranger Danger" not in history.content.decode()
        export = logged_in.get(reverse("visits:export"), params)
        rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
        assert [row[1] for row in rows[1:]] == [member.email]


def test_export_is_a_csv_of_own_visits_safe_for_spreadsheets(client, building):
    member = UserFactory(full_name="=HYPERLINK(1)")
    client.force_login(member)
    visit = _closed(member, building, local(building, dt.date(2026, 3, 9), 10), 95)
    response = client.get(reverse("visits:export"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="visits.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Участник", "Почта", "Здание", "Приход"]
    assert rows[1:] == [
        ["'=HYPERLINK(1)", member.email, "Lenina 1", "2026-03-09 10:00", "2026-03-09 11:35", "95", "нет", ""]
    ]
    assert visit.booking_id is None


def test_staff_history_shows_everyone_and_filters_by_member(client, staff, member, building):
    other = UserFactory(full_name="Ольга Смирнова")
    _closed(member, building, timezone.now() - dt.timedelta(hours=5), 30)
    _closed(other, building, timezone.now() - dt.timedelta(hours=3), 30)
    client.force_login(staff)
    assert len(client.get(reverse("visits:history")).context["page"].object_list) == 2
    response = client.get(reverse("visits:history"), {"member": "смирнова"})
    assert [v.user for v in response.context["page"].object_list] == [other]
    rows = list(csv.reader(io.StringIO(client.get(reverse("visits:export")).content.decode("utf-8-sig"))))
    assert sorted(row[1] for row in rows[1:]) == sorted([member.email, other.email])


def test_who_is_in_names_only_members_who_opted_in(logged_in, member, staff, building):
    VisitFactory(building=building, user=UserFactory(full_name="Анна Видимая", visible_to_members=True))
    VisitFactory(building=building, user=UserFactory(full_name="Борис Скрытный", visible_to_members=False))
    VisitFactory(building=building, user=member)
    html = logged_in.get(reverse("visits:who_is_in")).content.decode()
    assert '<span class="presence-count" data-testid="presence-count">3 человека</span>' in html
    assert "Анна Видимая" in html
    assert "Борис Скрытный" not in html
    assert "(вы)" in html
    assert "и ещё 1 участник, скрывший имя" in html

    logged_in.force_login(staff)
    assert "Борис Скрытный" in logged_in.get(reverse("visits:who_is_in")).content.decode()

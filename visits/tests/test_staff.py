"""Staff pages: the front desk and the statistics (with their CSV files)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.tests.factories import UserFactory
from bookings.tests.factories import BuildingFactory, DeskFactory, local
from visits.models import Visit
from visits.tests.factories import BookingFactory, VisitFactory

DAY = dt.date(2026, 3, 10)  # a Tuesday


@pytest.fixture
def desk_client(client, staff):
    client.force_login(staff)
    return client


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("visits:front_desk", "get"),
        ("visits:statistics", "get"),
        ("visits:desk_check_in", "post"),
        ("visits:desk_check_out", "post"),
    ],
)
def test_staff_pages_are_closed_to_members(client, member, building, name, method):
    client.force_login(member)
    response = getattr(client, method)(reverse(name), {"member": member.pk, "building": building.pk})
    assert response.status_code == 403
    assert Visit.objects.count() == 0


def test_statistics_export_is_closed_to_members(client, member):
    client.force_login(member)
    response = client.get(reverse("visits:statistics_export", args=["days"]))
    assert response.status_code == 403


def test_front_desk_finds_members_by_name_or_email(desk_client, building):
    anna = UserFactory(full_name="Анна Кузнецова", email="anna@example.org")
    UserFactory(full_name="Павел Морозов", email="pavel@example.org")
    UserFactory(full_name="Анна Неактивная", is_active=False)
    by_name = desk_client.get(reverse("visits:front_desk"), {"q": "кузнец"})
    assert list(by_name.context["members"]) == [anna]
    by_email = desk_client.get(reverse("visits:front_desk"), {"q": "ANNA@"})
    assert list(by_email.context["members"]) == [anna]
    assert by_email.context["building"] == building


def test_front_desk_search_with_htmx_returns_the_results_only(desk_client, building):
    UserFactory(full_name="Анна Кузнецова")
    response = desk_client.get(
        reverse("visits:front_desk"), {"q": "Анна"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="desk-results"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="desk-results"')
    assert "Анна Кузнецова" in html
    assert "Отметить приход: Lenina 1" in html
    assert "<html" not in html


def test_front_desk_checks_a_member_in_and_out(desk_client, staff, member, building):
    params = {"member": member.pk, "building": building.pk, "q": "иван"}
    response = desk_client.post(reverse("visits:desk_check_in"), params, follow=True)
    assert response.redirect_chain == [
        (f"{reverse('visits:front_desk')}?q=%D0%B8%D0%B2%D0%B0%D0%BD&building={building.pk}", 302)
    ]
    visit = Visit.objects.get()
    assert (visit.user, visit.building, visit.checked_in_by) == (member, building, staff)
    assert [str(m) for m in response.context["messages"]] == [f"{member}: приход отмечен, Lenina 1."]
    assert [v.user for p in response.context["presence"] for v in p.visits] == [member]

    again = desk_client.post(reverse("visits:desk_check_in"), params, follow=True)
    assert next(str(m) for m in again.context["messages"]).startswith(f"{member} уже на месте: Lenina 1, с ")
    assert Visit.objects.count() == 1

    out = desk_client.post(reverse("visits:desk_check_out"), params, follow=True)
    assert [str(m) for m in out.context["messages"]] == [f"{member}: уход отмечен."]
    visit.refresh_from_db()
    assert (visit.checked_out_by, visit.is_open) == (staff, False)

    none_open = desk_client.post(reverse("visits:desk_check_out"), params, follow=True)
    assert [str(m) for m in none_open.context["messages"]] == ["Этот участник сейчас не отмечен в здании."]


def test_front_desk_shows_since_when_in_the_buildings_zone(desk_client, berlin):
    visit = VisitFactory(building=berlin, user=UserFactory(full_name="Анна Кузнецова"))
    since = visit.checked_in_at.astimezone(berlin.zone).strftime("%H:%M")
    html = desk_client.get(reverse("visits:front_desk"), {"q": "Анна"}).content.decode()
    assert f"Berlin Mitte · с {since}" in html  # the member found
    assert f"с {since} · 2 ч 00 мин" in html  # who is in


def test_front_desk_with_a_bad_member_id_changes_nothing(desk_client, building):
    response = desk_client.post(
        reverse("visits:desk_check_in"), {"member": "nope", "building": building.pk}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["Выберите участника и здание."]
    assert Visit.objects.count() == 0


def _visit(user, building, day, hour, minutes):
    start = local(building, day, hour)
    return VisitFactory(
        user=user,
        building=building,
        checked_in_at=start,
        checked_out_at=start + dt.timedelta(minutes=minutes),
    )


def test_statistics_count_visits_per_local_day_and_hour(desk_client, member, building):
    other = UserFactory()
    _visit(member, building, DAY, 9, 60)
    _visit(other, building, DAY, 9, 120)
    _visit(member, building, DAY + dt.timedelta(days=1), 23, 30)  # 23:00 local is 20:00 UTC
    response = desk_client.get(reverse("visits:statistics"), {"start": "2026-03-09", "end": "2026-03-12"})
    stats = response.context["stats"]
    assert [(d.day.isoformat(), d.visits, d.minutes) for d in stats.days] == [
        ("2026-03-09", 0, 0),
        ("2026-03-10", 2, 180),
        ("2026-03-11", 1, 30),
        ("2026-03-12", 0, 0),
    ]
    assert (stats.heat[1][9], stats.heat[2][23], sum(map(sum, stats.heat))) == (2, 1, 3)
    assert (stats.visits, stats.members, stats.average_minutes) == (3, 2, 70)
    html = response.content.decode()
    assert '<span class="stat-value" data-testid="stat-average">1 ч 10 мин</span>' in html
    assert html.count('class="heat heat-') == 7 * 24 + 5  # the map and its legend
    assert html.count('class="heat heat-4"') == 2  # Tuesday 09:00 and the legend
    assert 'style="' not in html
    assert not re.search(r'(x|y|width|height)="\d+,\d', html)  # SVG numbers are never localized


def test_statistics_use_the_buildings_zone_when_one_is_chosen(desk_client, member):
    tokyo = BuildingFactory(time_zone="Asia/Tokyo")
    _visit(member, tokyo, DAY, 8, 60)  # 08:00 in Tokyo is 02:00 in Moscow
    response = desk_client.get(
        reverse("visits:statistics"), {"start": "2026-03-10", "end": "2026-03-10", "building": tokyo.pk}
    )
    assert response.context["stats"].heat[1][8] == 1
    across = desk_client.get(reverse("visits:statistics"), {"start": "2026-03-10", "end": "2026-03-10"})
    assert across.context["stats"].heat[1][2] == 1


def test_statistics_show_the_share_of_ended_bookings_attended(desk_client, member, building):
    desk = DeskFactory(room__building=building)
    for hour, attended, status in [
        (10, True, "confirmed"),
        (12, False, "released"),
        (14, False, "cancelled"),
        (16, True, "confirmed"),
    ]:
        BookingFactory(
            user=member,
            desk=desk,
            start=local(building, DAY, hour),
            checked_in_at=local(building, DAY, hour) if attended else None,
            status=status,
        )
    BookingFactory(user=member, desk=desk, start=timezone.now() + dt.timedelta(days=1))  # not ended
    response = desk_client.get(reverse("visits:statistics"), {"start": "2026-03-10", "end": "2026-03-10"})
    [usage] = response.context["stats"].usage
    assert (usage.building, usage.ended, usage.attended, usage.percent) == ("Lenina 1", 3, 2, 67)
    assert (
        '<rect class="usage-fill" x="0" y="0" width="67" height="10" rx="5"></rect>'
        in response.content.decode()
    )


def test_statistics_csv_exports_follow_the_filters(desk_client, member, building):
    _visit(member, building, DAY, 9, 60)
    params = {"start": "2026-03-10", "end": "2026-03-11"}
    days = desk_client.get(reverse("visits:statistics_export", args=["days"]), params)
    assert days["Content-Disposition"] == 'attachment; filename="visits-days-20260310-20260311.csv"'
    assert list(csv.reader(io.StringIO(days.content.decode("utf-8-sig")))) == [
        ["Дата", "Посещения", "Минуты"],
        ["2026-03-10", "1", "60"],
        ["2026-03-11", "0", "0"],
    ]
    hours = list(
        csv.reader(
            io.StringIO(
                desk_client.get(reverse("visits:statistics_export", args=["hours"]), params).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert len(hours) == 1 + 7 * 24
    assert ["2", "9", "1"] in hours
    assert desk_client.get(reverse("visits:statistics_export", args=["nonsense"])).status_code == 404


def test_statistics_with_bad_dates_keep_the_input_and_show_the_default_period(desk_client, building):
    response = desk_client.get(reverse("visits:statistics"), {"start": "2026-03-10", "end": "2026-03-01"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"end": ["Конечная дата не может быть раньше начальной."]}
    assert 'value="2026-03-10"' in response.content.decode()
    too_long = desk_client.get(reverse("visits:statistics"), {"start": "2024-01-01", "end": "2026-03-01"})
    assert too_long.context["form"].errors == {"start": ["Выберите не больше 366 дней."]}
    export = desk_client.get(reverse("visits:statistics_export", args=["days"]), {"start": "garbage"})
    assert export.status_code == 302
    assert export.url == f"{reverse('visits:statistics')}?start=garbage"


@pytest.mark.parametrize(
    "params",
    [{"start": "0001-01-01", "end": "0001-01-02"}, {"end": "9999-12-31"}, {"start": "9999-12-30"}],
)
def test_statistics_with_dates_out_of_range_say_why(desk_client, building, out_of_range, params):
    response = desk_client.get(reverse("visits:statistics"), params)
    assert response.status_code == 200
    assert response.context["form"].errors == {name: [out_of_range] for name in params}
    assert escape(out_of_range) in response.content.decode()
    today = timezone.localdate()
    assert (response.context["stats"].start, response.context["stats"].end) == (
        today - dt.timedelta(days=29),
        today,
    )
    export = desk_client.get(reverse("visits:statistics_export", args=["days"]), params)
    assert (export.status_code, export.url) == (302, f"{reverse('visits:statistics')}?{urlencode(params)}")


def test_statistics_default_to_the_last_30_days(desk_client, building):
    response = desk_client.get(reverse("visits:statistics"))
    stats = response.context["stats"]
    today = timezone.localdate()
    assert (stats.start, stats.end, len(stats.days)) == (today - dt.timedelta(days=29), today, 30)
    assert f'value="{today.isoformat()}"' in response.content.decode()


def test_front_desk_starts_at_the_staff_members_home_building(desk_client, staff):
    BuildingFactory(name="Berlin")
    moscow = BuildingFactory(name="Москва")
    staff.home_building = moscow
    staff.save()

    response = desk_client.get(reverse("visits:front_desk"))

    assert response.context["building"] == moscow
    assert f'<option value="{moscow.pk}" selected>Москва</option>' in response.text

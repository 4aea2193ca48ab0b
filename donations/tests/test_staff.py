from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from donations.models import Donation, MonthlyGoal, month_of, space_zone
from donations.tests.factories import DonationFactory, MonthlyGoalFactory, confirmed_donation

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_staff_page_lists_pledges_waiting_oldest_first(staff_client):
    first = DonationFactory(donor=UserFactory(full_name="Анна Кузнецова"), amount=Decimal("900"))
    second = DonationFactory(donor=UserFactory(full_name="Павел Морозов"), is_anonymous=True)
    confirmed_donation()
    response = staff_client.get(reverse("donations:staff"))
    assert list(response.context["pledges"]) == [first, second]
    assert "Анна Кузнецова" in response.text
    assert "Павел Морозов" in response.text
    assert 'data-testid="staff-waiting">2<' in response.text


@pytest.mark.smoke
def test_staff_confirm_with_a_plain_post(staff_client, staff, member, django_capture_on_commit_callbacks):
    pledge = DonationFactory(donor=member, amount=Decimal("1000"))
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("donations:confirm", args=[pledge.pk]))
    assert (response.status_code, response.url) == (302, reverse("donations:staff"))
    pledge.refresh_from_db()
    assert (pledge.status, pledge.confirmed_by) == ("confirmed", staff)
    assert len(mail.outbox) == 1
    page = staff_client.get(response.url).text
    assert f"Подтверждено: квитанция {pledge.receipt_number}." in page

    again = staff_client.post(reverse("donations:confirm", args=[pledge.pk]), follow=True)
    assert "Это пожертвование уже подтверждено." in again.text
    assert Donation.objects.confirmed().count() == 1


def test_staff_confirm_through_htmx_returns_the_desk_fragment(staff_client, member):
    pledge = DonationFactory(donor=member, amount=Decimal("1000"))
    waiting = DonationFactory(donor=member, amount=Decimal("300"))
    response = staff_client.post(
        reverse("donations:confirm", args=[pledge.pk]), headers={"HX-Request": "true", "HX-Target": "desk"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="desk">')
    assert "<html" not in response.text
    pledge.refresh_from_db()
    assert f"Подтверждено: квитанция {pledge.receipt_number}." in response.text
    assert f'id="pledge-{waiting.pk}"' in response.text
    assert f'id="pledge-{pledge.pk}"' not in response.text
    assert 'data-testid="staff-raised">1\u00a0000\u00a0₽<' in response.text
    # The goal and the monthly totals change too: swapped out of band.
    assert '<div id="staff-goal" hx-swap-oob="true">' in response.text
    assert '<section class="section" id="months" hx-swap-oob="true">' in response.text
    assert response.text.count('data-testid="month-row"') == 1


def test_staff_reject_needs_a_reason_and_keeps_what_was_typed(staff_client, member):
    pledge = DonationFactory(donor=member)
    response = staff_client.post(reverse("donations:reject", args=[pledge.pk]), {"reason": "   "})
    assert response.status_code == 200
    assert "Укажите, почему обещание отклонено." in response.text
    pledge.refresh_from_db()
    assert pledge.status == "pledged"

    response = staff_client.post(
        reverse("donations:reject", args=[pledge.pk]), {"reason": "x" * 301}, headers={"HX-Request": "true"}
    )
    assert 'value="' + "x" * 301 + '"' in response.text
    assert "<html" not in response.text

    response = staff_client.post(
        reverse("donations:reject", args=[pledge.pk]), {"reason": "Перевод не пришёл"}
    )
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert (pledge.status, pledge.rejected_reason) == ("rejected", "Перевод не пришёл")
    client_page = staff_client.get(reverse("donations:detail", args=[pledge.pk])).text
    assert "Перевод не пришёл" in client_page


def test_staff_cannot_confirm_a_rejected_pledge_or_reject_a_confirmed_one(staff_client, member):
    rejected = DonationFactory(donor=member, status="rejected", rejected_reason="нет")
    confirmed = confirmed_donation(donor=member)
    response = staff_client.post(reverse("donations:confirm", args=[rejected.pk]), follow=True)
    assert "Отклонённое обещание нельзя подтвердить." in response.text
    response = staff_client.post(
        reverse("donations:reject", args=[confirmed.pk]), {"reason": "ой"}, follow=True
    )
    assert "Подтверждённое пожертвование нельзя отклонить." in response.text
    assert [d.status for d in Donation.objects.order_by("pk")] == ["rejected", "confirmed"]
    assert staff_client.post(reverse("donations:confirm", args=[999999])).status_code == 404


def test_staff_confirm_refuses_a_pledge_with_an_amount_outside_the_limits(staff_client, member):
    pledge = DonationFactory(donor=member, amount=Decimal("2000000.00"))
    response = staff_client.post(reverse("donations:confirm", args=[pledge.pk]), follow=True)
    assert response.status_code == 200
    assert "Самая большая сумма — 1\u00a0000\u00a0000\u00a0₽." in response.text
    pledge.refresh_from_db()
    assert (pledge.status, pledge.receipt_number) == ("pledged", None)
    member.refresh_from_db()
    assert member.karma == 0


def test_staff_record_an_offline_donation_from_a_member(staff_client, staff, member):
    response = staff_client.post(
        reverse("donations:offline"),
        {
            "member_email": member.email.upper(),
            "amount": "2 000",
            "message": "наличными",
            "is_anonymous": "on",
        },
    )
    assert response.status_code == 302
    donation = Donation.objects.get()
    assert (
        donation.donor,
        donation.amount,
        donation.status,
        donation.recorded_by,
        donation.is_anonymous,
    ) == (
        member,
        Decimal("2000.00"),
        "confirmed",
        staff,
        True,
    )


def test_staff_record_a_backdated_offline_donation_from_a_guest(staff_client):
    yesterday = timezone.now().astimezone(space_zone()).date() - dt.timedelta(days=1)
    response = staff_client.post(
        reverse("donations:offline"),
        {"donor_name": "Мария из Казани", "amount": "3000", "received_on": yesterday.isoformat()},
    )
    assert response.status_code == 302
    donation = Donation.objects.get()
    assert (donation.donor, donation.donor_name, donation.status) == (None, "Мария из Казани", "confirmed")
    assert donation.confirmed_at.astimezone(space_zone()).date() == yesterday


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"amount": "500"}, {"donor_name": ["Укажите почту участника или имя гостя."]}),
        (
            {"member_email": "nobody@example.org", "amount": "500"},
            {"member_email": ["Участника с такой почтой нет."]},
        ),
        ({"donor_name": "Гость", "amount": "-1"}, {"amount": ["Сумма должна быть больше нуля."]}),
        (
            {"donor_name": "Гость", "amount": "500", "received_on": "2099-01-01"},
            {"received_on": ["Деньги не могли поступить в будущем."]},
        ),
        (
            {"donor_name": "Гость", "amount": "500", "received_on": "0001-01-01"},
            {"received_on": ["Выберите дату между 2000 и 2100 годами."]},
        ),
    ],
)
def test_staff_offline_form_refuses_bad_input_and_keeps_it(staff_client, data, errors):
    response = staff_client.post(reverse("donations:offline"), data)
    assert response.status_code == 200
    assert response.context["offline_form"].errors == errors
    assert f'value="{data["amount"]}"' in response.text
    assert Donation.objects.count() == 0


def test_staff_set_this_months_goal(staff_client):
    response = staff_client.post(reverse("donations:goal"), {"amount": "25 000", "description": "Проектор"})
    assert response.status_code == 302
    goal = MonthlyGoal.objects.get()
    assert (goal.month, goal.amount, goal.description) == (month_of(), Decimal("25000.00"), "Проектор")
    staff_client.post(reverse("donations:goal"), {"amount": "30000", "description": "Проектор и экран"})
    assert MonthlyGoal.objects.get().amount == Decimal("30000.00")

    response = staff_client.post(reverse("donations:goal"), {"amount": "много", "description": "x"})
    assert response.context["goal_form"].errors == {
        "amount": ["Введите сумму числом, например 500 или 750,50."]
    }
    assert MonthlyGoal.objects.get().amount == Decimal("30000.00")


def test_staff_export_a_month_with_every_name(staff_client, staff):
    march = dt.datetime(2026, 3, 5, 12, 0, tzinfo=dt.UTC)
    member = UserFactory(full_name="Анна Кузнецова", email="anna@example.org")
    confirmed_donation(donor=member, amount=Decimal("1500.00"), confirmed_at=march, is_anonymous=True)
    confirmed_donation(amount=Decimal("100.00"), confirmed_at=dt.datetime(2026, 4, 1, 12, 0, tzinfo=dt.UTC))
    DonationFactory()
    response = staff_client.get(reverse("donations:export", args=[2026, 3]))
    assert response["Content-Disposition"] == 'attachment; filename="donations-2026-03.csv"'
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == [
        "Номер квитанции,Подтверждено,Жертвователь,Почта,Гость,Анонимно,Сумма,Валюта,Сообщение,"
        "Записал,Подтвердил",
        "2026-000001,2026-03-05 15:00,Анна Кузнецова,anna@example.org,нет,да,1500.00,RUB,,,",
    ]
    assert staff_client.get(reverse("donations:export", args=[2026, 13])).status_code == 404


@pytest.mark.parametrize(
    ("year", "month", "status"),
    [
        (9999, 12, 404),
        (1, 1, 404),
        (1999, 12, 404),
        (2101, 1, 404),
        (10**20, 1, 404),
        (2026, 0, 404),
        (2026, 13, 404),
        (2000, 1, 200),
        (2100, 12, 200),
    ],
)
def test_staff_export_is_404_outside_the_sensible_dates(staff_client, year, month, status):
    assert staff_client.get(reverse("donations:export", args=[year, month])).status_code == status


@pytest.mark.parametrize("count", [1, 3])
def test_staff_page_query_count_is_fixed(staff_client, django_assert_num_queries, count):
    MonthlyGoalFactory()
    for _ in range(count):
        DonationFactory()
        confirmed_donation()
        confirmed_donation(confirmed_at=timezone.now() - dt.timedelta(days=40))
    # session, user, pledges, goal, raised, monthly totals, their goals
    with django_assert_num_queries(7):
        response = staff_client.get(reverse("donations:staff"))
    assert len(response.context["pledges"]) == count
    assert len(response.context["months"]) == 2

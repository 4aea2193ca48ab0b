from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse

from accounts.models import User
from donations.models import Donation
from donations.tests.factories import DonationFactory, MonthlyGoalFactory, confirmed_donation

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:donations_donation_changelist")


@pytest.mark.parametrize("count", [1, 3])
def test_admin_changelist_query_count_is_fixed(admin_client, django_assert_num_queries, count):
    for _ in range(count):
        DonationFactory()
        confirmed_donation(is_anonymous=True)
    with django_assert_num_queries(8):
        response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    assert response.text.count("анонимно)") == count


def test_admin_confirm_action_confirms_pledges_only(admin_client, staff, django_capture_on_commit_callbacks):
    pledges = DonationFactory.create_batch(2)
    done = confirmed_donation()
    rejected = DonationFactory(status="rejected", rejected_reason="нет")
    selected = [d.pk for d in (*pledges, done, rejected)]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            CHANGELIST, {"action": "confirm_selected", ACTION_CHECKBOX_NAME: selected}, follow=True
        )
    assert "Подтверждено 2 пожертвования." in response.text
    assert "2 не ждали подтверждения и остались как были." in response.text
    assert [d.status for d in Donation.objects.order_by("pk")] == [
        "confirmed",
        "confirmed",
        "confirmed",
        "rejected",
    ]
    assert {d.confirmed_by for d in pledges if d.refresh_from_db() is None} == {staff}
    assert len(mail.outbox) == 2


def test_admin_confirm_action_leaves_a_pledge_with_an_amount_outside_the_limits(admin_client, member):
    tiny = DonationFactory(amount=Decimal("0.01"))
    fine = DonationFactory(donor=member, amount=Decimal("500.00"))
    response = admin_client.post(
        CHANGELIST, {"action": "confirm_selected", ACTION_CHECKBOX_NAME: [tiny.pk, fine.pk]}, follow=True
    )
    assert "Подтверждено 1 пожертвование." in response.text
    assert f"{tiny} не подтверждено: Самая маленькая сумма — 50\u00a0₽." in response.text
    assert [(d.pk, d.status, d.receipt_number is None) for d in Donation.objects.order_by("pk")] == [
        (tiny.pk, "pledged", True),
        (fine.pk, "confirmed", False),
    ]
    karma = dict(User.objects.filter(pk__in=[tiny.donor_id, member.pk]).values_list("pk", "karma"))
    assert karma == {tiny.donor_id: 0, member.pk: 5}


def _change_data(donation: Donation, **fields) -> dict:
    """What the admin's change form posts for `donation` as it is, with `fields` changed."""
    return {
        "donor": donation.donor_id,
        "donor_name": donation.donor_name,
        "donor_email": donation.donor_email,
        "amount": str(donation.amount),
        "currency": donation.currency,
        "message": donation.message,
        **fields,
    }


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("0.01", "Самая маленькая сумма — 50\u00a0₽."),
        ("1000000.01", "Самая большая сумма — 1\u00a0000\u00a0000\u00a0₽."),
        ("0", "Сумма должна быть больше нуля."),
    ],
)
def test_admin_refuses_a_pledge_amount_outside_the_limits(admin_client, typed, error):
    pledge = DonationFactory(amount=Decimal("500.00"))
    url = reverse("admin:donations_donation_change", args=[pledge.pk])
    response = admin_client.post(url, _change_data(pledge, amount=typed))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"amount": [error]}
    assert f'value="{typed}"' in response.text
    pledge.refresh_from_db()
    assert pledge.amount == Decimal("500.00")

    response = admin_client.post(url, _change_data(pledge, amount="750.50"))
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.amount == Decimal("750.50")


def test_admin_reject_action_asks_for_a_reason_first(admin_client):
    pledge = DonationFactory()
    data = {"action": "reject_selected", ACTION_CHECKBOX_NAME: [pledge.pk]}
    response = admin_client.post(CHANGELIST, data)
    assert response.status_code == 200
    assert "Отклонить обещания" in response.text
    pledge.refresh_from_db()
    assert pledge.status == "pledged"

    response = admin_client.post(CHANGELIST, {**data, "apply": "1", "reason": ""})
    assert "Укажите, почему обещание отклонено." in response.text
    pledge.refresh_from_db()
    assert pledge.status == "pledged"

    response = admin_client.post(CHANGELIST, {**data, "apply": "1", "reason": "Не пришло"}, follow=True)
    assert "Отклонено 1 обещание." in response.text
    pledge.refresh_from_db()
    assert (pledge.status, pledge.rejected_reason) == ("rejected", "Не пришло")


def test_admin_resend_receipt_action(admin_client, member):
    donation = confirmed_donation(donor=member)
    assert donation.receipt_emailed_at is None
    response = admin_client.post(
        CHANGELIST, {"action": "resend_receipts", ACTION_CHECKBOX_NAME: [donation.pk]}, follow=True
    )
    assert "Отправлена 1 квитанция." in response.text
    assert mail.outbox[0].to == [member.email]
    donation.refresh_from_db()
    assert donation.receipt_emailed_at is not None


def test_admin_keeps_a_confirmed_receipt_unchanged(admin_client):
    donation = confirmed_donation(amount=Decimal("500.00"))
    response = admin_client.get(reverse("admin:donations_donation_change", args=[donation.pk]))
    assert response.status_code == 200
    assert 'name="amount"' not in response.text
    assert 'name="message"' in response.text
    assert admin_client.get(reverse("admin:donations_donation_add")).status_code == 403
    assert admin_client.get(reverse("admin:donations_donation_delete", args=[donation.pk])).status_code == 403


def test_admin_goal_pages_load(admin_client):
    goal = MonthlyGoalFactory()
    assert admin_client.get(reverse("admin:donations_monthlygoal_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:donations_monthlygoal_change", args=[goal.pk])).status_code == 200

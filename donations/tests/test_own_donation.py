"""Nobody confirms their own donation (a receipt and karma need a second person),
superusers included: through the service, the donations desk and the admin action."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from accounts.models import KarmaEntry
from accounts.tests.factories import UserFactory
from donations.models import Donation, ReceiptCounter
from donations.services import DonationError, confirm_donation, record_offline_donation
from donations.tests.factories import DonationFactory

pytestmark = pytest.mark.django_db
OWN = "Своё пожертвование нельзя подтвердить самому: это делает другой сотрудник."


def _assert_unconfirmed(donation: Donation) -> None:
    donation.refresh_from_db()
    assert (donation.status, donation.receipt_number, donation.confirmed_by) == ("pledged", None, None)
    assert (KarmaEntry.objects.count(), ReceiptCounter.objects.count()) == (0, 0)


def test_service_refuses_to_confirm_a_donation_by_its_donor(staff):
    own = DonationFactory(donor=staff)
    with pytest.raises(DonationError) as error:
        confirm_donation(own, confirmed_by=staff)
    assert error.value.messages == [OWN]
    _assert_unconfirmed(own)


def test_service_lets_another_staff_member_confirm_it(staff):
    colleague = UserFactory(is_staff=True)
    own = DonationFactory(donor=staff, amount=Decimal("500.00"))
    assert confirm_donation(own, confirmed_by=colleague, notify=False) is True
    assert (own.status, own.confirmed_by) == ("confirmed", colleague)
    staff.refresh_from_db()
    assert staff.karma == 5


def test_service_refuses_to_record_ones_own_offline_donation(staff):
    with pytest.raises(DonationError) as error:
        record_offline_donation(staff, Decimal("500"), donor=staff)
    assert error.value.messages == [OWN]
    assert (Donation.objects.count(), ReceiptCounter.objects.count(), KarmaEntry.objects.count()) == (0, 0, 0)


def test_staff_page_refuses_to_confirm_ones_own_pledge(client, staff):
    own = DonationFactory(donor=staff)
    client.force_login(staff)
    response = client.post(reverse("donations:confirm", args=[own.pk]), follow=True)
    assert response.status_code == 200
    assert OWN in response.text
    _assert_unconfirmed(own)


def test_staff_page_refuses_to_record_ones_own_offline_donation_and_keeps_the_form(client, staff):
    client.force_login(staff)
    response = client.post(reverse("donations:offline"), {"member_email": staff.email, "amount": "700"})
    assert response.status_code == 200
    assert response.context["offline_form"].errors == {"__all__": [OWN]}
    assert 'value="700"' in response.text
    assert Donation.objects.count() == 0


def test_admin_action_confirms_the_others_and_explains_the_own_one(client, staff, member):
    own = DonationFactory(donor=staff)
    theirs = DonationFactory(donor=member)
    client.force_login(staff)
    response = client.post(
        reverse("admin:donations_donation_changelist"),
        {"action": "confirm_selected", ACTION_CHECKBOX_NAME: [own.pk, theirs.pk]},
        follow=True,
    )
    assert [str(message) for message in response.context["messages"]] == [
        f"Пожертвование №{own.pk} не подтверждено: {OWN}",
        "Подтверждено 1 пожертвование.",
    ]
    theirs.refresh_from_db()
    assert theirs.status == "confirmed"
    own.refresh_from_db()
    assert (own.status, own.receipt_number) == ("pledged", None)


def test_staff_page_offers_no_confirm_button_for_ones_own_pledge(client, staff, member):
    own = DonationFactory(donor=staff)
    theirs = DonationFactory(donor=member)
    client.force_login(staff)
    page = client.get(reverse("donations:staff")).text
    assert page.count('data-testid="own-pledge"') == 1
    assert "Ваше: подтвердит другой сотрудник." in page
    assert reverse("donations:confirm", args=[own.pk]) not in page
    assert f'action="{reverse("donations:confirm", args=[theirs.pk])}"' in page

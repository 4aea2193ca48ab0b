from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone, translation

from accounts.models import KarmaEntry, KarmaReason, User
from accounts.tests.factories import UserFactory
from coworking.testing import run_concurrently
from donations.models import (
    Donation,
    DonationStatus,
    ReceiptCounter,
    goal_progress,
    monthly_totals,
    space_zone,
)
from donations.services import (
    DonationError,
    confirm_donation,
    pledge_donation,
    record_offline_donation,
    reject_donation,
    send_receipt,
)
from donations.tests.factories import DonationFactory, MonthlyGoalFactory, confirmed_donation

UTC = dt.UTC


def _total(user: User) -> Decimal:
    return Donation.objects.filter(donor=user).confirmed().total()


@pytest.mark.django_db
def test_pledge_counts_for_nothing_until_confirmed(member):
    pledge_donation(member, Decimal("1500.00"), "  Спасибо!  ", is_anonymous=True)
    donation = Donation.objects.get()
    assert (donation.status, donation.message, donation.is_anonymous, donation.currency) == (
        "pledged",
        "Спасибо!",
        True,
        "RUB",
    )
    assert donation.receipt_number is None
    assert _total(member) == Decimal("0.00")
    assert goal_progress().raised == Decimal("0.00")
    assert list(Donation.objects.wall()) == []
    member.refresh_from_db()
    assert member.karma == 0


@pytest.mark.django_db
def test_confirmation_numbers_the_receipt_awards_karma_and_emails_after_commit(
    member, staff, settings, django_capture_on_commit_callbacks
):
    settings.KARMA_DONATION_AMOUNT_PER_POINT = 100
    donation = DonationFactory(donor=member, amount=Decimal("1550.00"))
    when = dt.datetime(2026, 3, 10, 12, 0, tzinfo=UTC)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert confirm_donation(donation, confirmed_by=staff, confirmed_at=when) is True
        assert mail.outbox == []
    assert len(callbacks) == 3  # the receipt email, the donations counter of /metrics, the webhooks

    assert (donation.status, donation.receipt_number, donation.confirmed_by, donation.confirmed_at) == (
        "confirmed",
        "2026-000001",
        staff,
        when,
    )
    member.refresh_from_db()
    assert member.karma == 15
    entry = KarmaEntry.objects.get(user=member)
    assert (entry.points, entry.reason, entry.source) == (15, KarmaReason.DONATION, donation)
    assert _total(member) == Decimal("1550.00")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member.email]
    assert mail.outbox[0].subject == "[Коворкинг] Спасибо за пожертвование, квитанция 2026-000001"
    assert "1\u00a0550\u00a0₽" in mail.outbox[0].body
    donation.refresh_from_db()
    assert donation.receipt_emailed_at is not None


@pytest.mark.django_db
def test_thank_you_email_is_in_the_donors_language(staff, django_capture_on_commit_callbacks):
    donor = UserFactory(language="en", full_name="Elena Novak")
    with django_capture_on_commit_callbacks(execute=True):
        confirm_donation(DonationFactory(donor=donor, amount=Decimal("800.50")), confirmed_by=staff)
    assert mail.outbox[0].subject.startswith("[Коворкинг] Thank you for your donation, receipt ")
    assert mail.outbox[0].body.startswith("Hello, Elena Novak!")
    assert "800.50\u00a0₽" in mail.outbox[0].body


@pytest.mark.django_db
def test_confirming_twice_counts_once(member, staff, django_capture_on_commit_callbacks):
    donation = DonationFactory(donor=member, amount=Decimal("1000.00"))
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm_donation(donation, confirmed_by=staff) is True
    receipt = donation.receipt_number
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert confirm_donation(donation, confirmed_by=staff) is False
        assert confirm_donation(Donation.objects.get(pk=donation.pk)) is False
    assert callbacks == []

    donation.refresh_from_db()
    assert donation.receipt_number == receipt
    assert _total(member) == Decimal("1000.00")
    member.refresh_from_db()
    assert member.karma == 10
    assert KarmaEntry.objects.filter(user=member).count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_receipt_numbers_run_per_year_in_the_spaces_time_zone(member):
    # 22:30 UTC on New Year's Eve is already 1 January in Moscow.
    new_year = confirmed_donation(donor=member, confirmed_at=dt.datetime(2025, 12, 31, 22, 30, tzinfo=UTC))
    old_year = confirmed_donation(donor=member, confirmed_at=dt.datetime(2025, 12, 31, 20, 0, tzinfo=UTC))
    second = confirmed_donation(donor=member, confirmed_at=dt.datetime(2026, 2, 1, 9, 0, tzinfo=UTC))
    assert [new_year.receipt_number, old_year.receipt_number, second.receipt_number] == [
        "2026-000001",
        "2025-000001",
        "2026-000002",
    ]


@pytest.mark.django_db
def test_small_donations_confirm_without_karma(member, settings):
    settings.KARMA_DONATION_AMOUNT_PER_POINT = 100
    confirmed_donation(donor=member, amount=Decimal("99.99"))
    member.refresh_from_db()
    assert member.karma == 0
    assert KarmaEntry.objects.count() == 0


@pytest.mark.django_db
def test_reject_needs_a_reason_and_only_applies_to_pledges(member, staff):
    pledge = DonationFactory(donor=member)
    with pytest.raises(DonationError):
        reject_donation(pledge, "   ", rejected_by=staff)
    assert reject_donation(pledge, "Перевод не пришёл", rejected_by=staff) is True
    assert (pledge.status, pledge.rejected_reason, pledge.rejected_by) == (
        "rejected",
        "Перевод не пришёл",
        staff,
    )
    assert reject_donation(pledge, "again", rejected_by=staff) is False
    with pytest.raises(DonationError):
        confirm_donation(pledge, confirmed_by=staff)
    pledge.refresh_from_db()
    assert (pledge.status, pledge.receipt_number) == ("rejected", None)

    confirmed = confirmed_donation(donor=member)
    with pytest.raises(DonationError):
        reject_donation(confirmed, "too late", rejected_by=staff)
    confirmed.refresh_from_db()
    assert confirmed.status == "confirmed"


@pytest.mark.django_db
def test_offline_donations_from_a_member_and_from_a_guest_are_confirmed_at_once(
    member, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        from_member = record_offline_donation(staff, Decimal("700.00"), donor=member, message="наличными")
        from_guest = record_offline_donation(
            staff, Decimal("3000.00"), donor_name="Мария из Казани", donor_email="maria@example.net"
        )
    assert [(d.status, d.recorded_by, d.confirmed_by) for d in (from_member, from_guest)] == [
        ("confirmed", staff, staff),
        ("confirmed", staff, staff),
    ]
    assert (from_guest.donor, from_guest.real_name) == (None, "Мария из Казани")
    assert _total(member) == Decimal("700.00")
    assert sorted(message.to[0] for message in mail.outbox) == sorted([member.email, "maria@example.net"])


@pytest.mark.django_db
@pytest.mark.smoke
def test_backdated_offline_donation_counts_in_its_month(member, staff, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 20, 12, tzinfo=UTC), tick=False)
    october = dt.datetime(2026, 10, 31, 22, 30, tzinfo=UTC)  # 1 November, 01:30 in Moscow
    record_offline_donation(staff, Decimal("900.00"), donor=member, received_at=october, notify=False)
    MonthlyGoalFactory(month=dt.date(2026, 11, 1), amount=Decimal("3000.00"))
    november = goal_progress(dt.date(2026, 11, 1))
    assert (november.raised, november.percent) == (Decimal("900.00"), 30)
    assert goal_progress(dt.date(2026, 10, 1)).raised == Decimal("0.00")
    assert [(row.month, row.total, row.count, row.goal.amount) for row in monthly_totals()] == [
        (dt.date(2026, 11, 1), Decimal("900.00"), 1, Decimal("3000.00"))
    ]


# Amounts the limits (50 to 1 000 000 by default) refuse, with what the service says.
AMOUNTS_REFUSED = [
    (Decimal("0.01"), "The smallest amount is 50\u00a0₽."),
    (Decimal("49.99"), "The smallest amount is 50\u00a0₽."),
    (Decimal("1000000.01"), "The largest amount is 1,000,000\u00a0₽."),
    (Decimal("0"), "The amount must be greater than zero."),
    (Decimal("-500"), "The amount must be greater than zero."),
    (Decimal("500.505"), "Use at most two digits after the decimal point."),
]


def _refusal(step: Callable[..., object], *args, **kwargs) -> list[str]:
    """What a service step says when it refuses, in English (as a request in English gets it)."""
    with translation.override("en"):
        with pytest.raises(DonationError) as raised:
            step(*args, **kwargs)
        return raised.value.messages


@pytest.mark.django_db
@pytest.mark.parametrize(("amount", "error"), AMOUNTS_REFUSED)
def test_pledge_refuses_an_amount_outside_the_limits(member, amount, error):
    assert _refusal(pledge_donation, member, amount) == [error]
    assert Donation.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("amount", "error"), AMOUNTS_REFUSED)
def test_offline_donation_refuses_an_amount_outside_the_limits(member, staff, amount, error):
    assert _refusal(record_offline_donation, staff, amount, donor=member) == [error]
    assert (Donation.objects.count(), ReceiptCounter.objects.count()) == (0, 0)
    member.refresh_from_db()
    assert member.karma == 0


@pytest.mark.django_db
def test_offline_donation_cannot_have_arrived_in_the_future(member, staff):
    soon = timezone.now() + dt.timedelta(minutes=5)
    assert _refusal(record_offline_donation, staff, Decimal("500.00"), donor=member, received_at=soon) == [
        "The money cannot have arrived in the future."
    ]
    assert (Donation.objects.count(), ReceiptCounter.objects.count()) == (0, 0)
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(("amount", "error"), AMOUNTS_REFUSED[:3])
def test_confirm_refuses_a_pledge_whose_amount_staff_set_outside_the_limits(
    member, staff, amount, error, django_capture_on_commit_callbacks
):
    # The admin lets staff change a pledge's amount; the factory stands in for that edit.
    pledge = DonationFactory(donor=member, amount=amount)
    with django_capture_on_commit_callbacks(execute=True):
        assert _refusal(confirm_donation, pledge, confirmed_by=staff) == [error]
    pledge.refresh_from_db()
    assert (pledge.status, pledge.receipt_number, pledge.confirmed_at) == ("pledged", None, None)
    member.refresh_from_db()
    assert (member.karma, KarmaEntry.objects.count(), mail.outbox) == (0, 0, [])


@pytest.mark.django_db
def test_limits_come_from_settings_in_the_service_too(member, settings):
    settings.DONATION_MIN_AMOUNT = "1.00"
    settings.DONATION_MAX_AMOUNT = "20.00"
    assert pledge_donation(member, Decimal("1.00")).amount == Decimal("1.00")
    assert _refusal(pledge_donation, member, Decimal("20.01")) == ["The largest amount is 20\u00a0₽."]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
def test_a_failing_mail_server_does_not_undo_the_confirmation(
    member, staff, settings, caplog, django_capture_on_commit_callbacks
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": _closed_port(), "timeout": 2},
        }
    }
    donation = DonationFactory(donor=member, amount=Decimal("500.00"))
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm_donation(donation, confirmed_by=staff) is True

    donation.refresh_from_db()
    assert (donation.status, donation.receipt_emailed_at) == ("confirmed", None)
    assert donation.receipt_number is not None
    assert _total(member) == Decimal("500.00")
    assert "receipt email failed" in caplog.text

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert send_receipt(donation.pk) is True
    donation.refresh_from_db()
    assert donation.receipt_emailed_at is not None
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_of_one_members_donations_add_up_exactly(settings):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL")
    settings.KARMA_DONATION_AMOUNT_PER_POINT = 100
    member = UserFactory()
    amounts = [Decimal(f"{100 * n}.{n:02d}") for n in range(1, 9)]
    donations = [DonationFactory(donor=member, amount=amount) for amount in amounts]
    # Each donation is confirmed by two threads at once: eight donations, sixteen racers.
    racers = [donation.pk for donation in donations for _twice in range(2)]
    results = run_concurrently(lambda pk: confirm_donation(Donation.objects.get(pk=pk), notify=False), racers)

    assert sorted(map(repr, results)) == ["False"] * 8 + ["True"] * 8
    assert _total(member) == sum(amounts)
    member.refresh_from_db()
    assert member.karma == sum(int(amount // 100) for amount in amounts) == 36
    assert KarmaEntry.objects.filter(user=member, reason=KarmaReason.DONATION).count() == 8
    year = Donation.objects.first().confirmed_at.astimezone(space_zone()).year
    assert sorted(Donation.objects.values_list("receipt_number", flat=True)) == [
        f"{year}-{n:06d}" for n in range(1, 9)
    ]
    assert set(Donation.objects.values_list("status", flat=True)) == {DonationStatus.CONFIRMED}

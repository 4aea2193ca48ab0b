"""Donation workflows. Views, admin actions, demo data (and later a payment provider's
webhook) all go through these functions, so each rule is written once.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import KarmaReason, User
from accounts.services import award_karma
from audit import trail
from audit.models import Action
from coworking.tasks import enqueue_on_commit
from coworking.validators import validate_sensible_date
from donations.models import MONEY_LIMIT, Donation, DonationStatus, MonthlyGoal, ReceiptCounter, space_zone
from donations.money import check_amount
from donations.tasks import deliver_receipt

log = logging.getLogger(__name__)


class DonationError(ValidationError):
    """A donation rule refused the step: an amount outside the limits, money from the future,
    a step that does not apply to the donation's status. The message is for people; being a
    ValidationError, it becomes a field error when a form's clean method calls the rule."""


def donation_limits() -> tuple[Decimal, Decimal]:
    return Decimal(settings.DONATION_MIN_AMOUNT), min(Decimal(settings.DONATION_MAX_AMOUNT), MONEY_LIMIT)


def validate_amount(amount: Decimal) -> Decimal:
    """The amount in cents, or a DonationError: positive, two decimals, within the limits.
    The one check for members' and staff's forms, the admin and every service below."""
    minimum, maximum = donation_limits()
    try:
        return check_amount(amount, minimum, maximum, settings.DONATION_CURRENCY)
    except ValidationError as error:
        raise DonationError(error.message, code=error.code, params=error.params) from error


def validate_received_at(received_at: dt.datetime | None) -> None:
    """None means now; a moment still ahead is a typo, and a receipt must not predate it.
    A date out of the sensible range (year 1 in a receipt number) is a typo too."""
    if received_at is None:
        return
    try:
        validate_sensible_date(received_at)
    except ValidationError as error:
        raise DonationError(error.message, code=error.code, params=error.params) from error
    if received_at > timezone.now():
        raise DonationError(_("The money cannot have arrived in the future."), code="future")


def karma_points(amount: Decimal) -> int:
    return int(amount // settings.KARMA_DONATION_AMOUNT_PER_POINT)


def pledge_donation(donor: User, amount: Decimal, message: str = "", is_anonymous: bool = False) -> Donation:
    """A member's promise to give; it counts for nothing until staff confirm the money arrived."""
    return Donation.objects.create(
        donor=donor, amount=validate_amount(amount), message=message.strip(), is_anonymous=is_anonymous
    )


def _next_receipt_number(year: int) -> str:
    """The year's next receipt number. The counter row stays locked until the caller's
    transaction ends, so concurrent confirmations queue here: no duplicates, no gaps."""
    ReceiptCounter.objects.bulk_create([ReceiptCounter(year=year)], ignore_conflicts=True)
    counter = ReceiptCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{year}-{counter.last_number:06d}"


# Why a step does not apply once the donation reached the other final status.
REFUSALS = {
    DonationStatus.CONFIRMED: _("A rejected pledge cannot be confirmed."),
    DonationStatus.REJECTED: _("A confirmed donation cannot be rejected."),
}


def _lock_pledge(donation: Donation, target: DonationStatus) -> Donation | None:
    """The pledge's row, locked for the caller's transaction; None when it already reached
    `target` (repeating a step changes nothing). Confirmed and rejected are final."""
    locked = Donation.objects.select_for_update().get(pk=donation.pk)
    if locked.status == target:
        donation.refresh_from_db()
        return None
    if locked.status != DonationStatus.PLEDGED:
        raise DonationError(REFUSALS[target], code="final")
    return locked


@transaction.atomic
def confirm_donation(
    donation: Donation,
    confirmed_by: User | None = None,
    confirmed_at: dt.datetime | None = None,
    notify: bool = True,
) -> bool:
    """Count a pledge: receipt number, karma for the member, thank-you email after commit.

    Idempotent: confirming a confirmed donation changes nothing and returns False.
    `confirmed_by` is None when a payment provider confirms. `donation` is updated in place.
    """
    locked = _lock_pledge(donation, DonationStatus.CONFIRMED)
    if locked is None:
        return False
    if locked.is_own(confirmed_by):
        # Four eyes on money: a receipt and karma need someone other than the donor,
        # superusers included.
        raise DonationError(
            _("You cannot confirm your own donation: another staff member has to."), code="own"
        )
    # Staff may change a pledge's amount in the admin before confirming it.
    validate_amount(locked.amount)
    locked.confirmed_at = confirmed_at or timezone.now()
    locked.confirmed_by = confirmed_by
    locked.status = DonationStatus.CONFIRMED
    locked.receipt_number = _next_receipt_number(locked.confirmed_at.astimezone(space_zone()).year)
    locked.save(update_fields=["status", "confirmed_at", "confirmed_by", "receipt_number"])
    trail.record(
        Action.DONATION_CONFIRMED,
        locked,
        actor=confirmed_by,
        member=locked.donor,
        changes={
            "status": [DonationStatus.PLEDGED, locked.status],
            "receipt_number": ["", locked.receipt_number],
        },
    )
    points = karma_points(locked.amount)
    if locked.donor_id is not None and points > 0:
        award_karma(locked.donor, points, KarmaReason.DONATION, source=locked)
    if notify and locked.recipient_email:
        enqueue_on_commit(deliver_receipt, locked.pk)
    donation.refresh_from_db()
    return True


@transaction.atomic
def reject_donation(donation: Donation, reason: str, rejected_by: User | None = None) -> bool:
    """Turn down a pledge whose money never arrived. False if it was already rejected."""
    reason = reason.strip()
    if not reason:
        raise DonationError(_("Say why the pledge is rejected."), code="no_reason")
    locked = _lock_pledge(donation, DonationStatus.REJECTED)
    if locked is None:
        return False
    locked.status = DonationStatus.REJECTED
    locked.rejected_at = timezone.now()
    locked.rejected_by = rejected_by
    locked.rejected_reason = reason[:300]
    locked.save(update_fields=["status", "rejected_at", "rejected_by", "rejected_reason"])
    trail.record(
        Action.DONATION_REJECTED,
        locked,
        actor=rejected_by,
        member=locked.donor,
        changes={"status": [DonationStatus.PLEDGED, locked.status]},
        reason=locked.rejected_reason,
    )
    donation.refresh_from_db()
    return True


@transaction.atomic
def record_offline_donation(
    recorded_by: User,
    amount: Decimal,
    donor: User | None = None,
    donor_name: str = "",
    donor_email: str = "",
    message: str = "",
    is_anonymous: bool = False,
    received_at: dt.datetime | None = None,
    notify: bool = True,
    confirm: bool = True,
) -> Donation:
    """Money staff received in person or by transfer: recorded and confirmed at once, or
    (confirm=False: the front desk) recorded as a pledge for a manager to confirm."""
    validate_received_at(received_at)
    donation = Donation.objects.create(
        donor=donor,
        donor_name="" if donor else donor_name.strip(),
        donor_email="" if donor else donor_email.strip(),
        amount=validate_amount(amount),
        message=message.strip(),
        is_anonymous=is_anonymous,
        recorded_by=recorded_by,
        created_at=received_at or timezone.now(),
    )
    trail.record(
        Action.DONATION_RECORDED,
        donation,
        actor=recorded_by,
        member=donor,
        changes={"amount": [None, str(donation.amount)], "status": [None, donation.status]},
    )
    if confirm:
        confirm_donation(donation, confirmed_by=recorded_by, confirmed_at=received_at, notify=notify)
    return donation


def send_receipt(donation_id: int) -> bool:
    """Email the thank-you with the receipt, in the donor's language.

    Runs after the confirmation committed: a mail server that is down is logged and
    leaves receipt_emailed_at empty, so staff can resend from the admin.
    """
    donation = Donation.objects.select_related("donor").get(pk=donation_id)
    if not donation.is_confirmed or not donation.recipient_email:
        return False
    context = {"donation": donation, "name": donation.real_name, "SPACE_NAME": settings.SPACE_NAME}
    with translation.override(donation.recipient_language):
        subject = render_to_string("donations/email/receipt_subject.txt", context).strip()
        body = render_to_string("donations/email/receipt_body.txt", context)
    try:
        EmailMessage(subject=subject, body=body, to=[donation.recipient_email]).send()
    except Exception:
        # Whatever the mail backend raises (socket, SMTP, TLS errors), the donation stays confirmed.
        log.exception("receipt email failed", extra={"donation": donation.pk})
        return False
    Donation.objects.filter(pk=donation.pk).update(receipt_emailed_at=timezone.now())
    return True


def set_monthly_goal(month: dt.date, amount: Decimal, description: str = "") -> MonthlyGoal:
    goal, _created = MonthlyGoal.objects.update_or_create(
        month=month.replace(day=1), defaults={"amount": amount, "description": description.strip()}
    )
    return goal

"""Donations: pledged by members (or recorded by staff), counted once staff confirm them.

A donation only counts (member totals, karma, the donors wall, the monthly goal) once it
is confirmed; services.confirm_donation is the one way in, so a payment provider's
webhook can call it later. Months are calendar months in the space's time zone.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 12, "decimal_places": 2}
MONEY_LIMIT = Decimal("9999999999.99")  # what MONEY's twelve digits hold
CENT = Decimal("0.01")


def default_currency() -> str:
    return settings.DONATION_CURRENCY


def space_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def month_of(when: dt.datetime | None = None) -> dt.date:
    """The first day of the month `when` (default: now) falls in, in the space's zone."""
    return (when or timezone.now()).astimezone(space_zone()).date().replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month's first instant and the next month's first instant, local midnight."""
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    zone = space_zone()
    # The round trip through UTC settles a midnight that a DST change skips.
    return tuple(
        dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC).astimezone(zone)
        for day in (month.replace(day=1), following)
    )


class DonationStatus(models.TextChoices):
    PLEDGED = "pledged", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class DonationQuerySet(models.QuerySet):
    def confirmed(self) -> DonationQuerySet:
        return self.filter(status=DonationStatus.CONFIRMED)

    def pledged(self) -> DonationQuerySet:
        return self.filter(status=DonationStatus.PLEDGED)

    def wall(self) -> DonationQuerySet:
        """Confirmed donations, newest first, as the wall and the feed show them."""
        return self.confirmed().select_related("donor").order_by("-confirmed_at", "-pk")

    def visible_to(self, user) -> DonationQuerySet:
        """Staff see every donation; a member only their own."""
        return self if user.is_staff else self.filter(donor=user)

    def confirmed_in(self, month: dt.date) -> DonationQuerySet:
        start, end = month_bounds(month)
        return self.confirmed().filter(confirmed_at__gte=start, confirmed_at__lt=end)

    def total(self) -> Decimal:
        # Quantized because SQLite's SUM drops the trailing zeros PostgreSQL keeps.
        return self.aggregate(total=Coalesce(models.Sum("amount"), Decimal("0.00")))["total"].quantize(CENT)


def _staff_member(verbose_name: str, **options) -> models.ForeignKey:
    """Who took a step; history, so removing that account leaves the donation as it is."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        **options,
    )


class Donation(models.Model):
    donor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.PROTECT,  # receipts are accounting records; deactivate members instead
        null=True,
        blank=True,
        related_name="donations",
        help_text=_("Leave empty for a guest without an account."),
    )
    donor_name = models.CharField(_("guest's name"), max_length=150, blank=True)
    donor_email = models.EmailField(_("guest's email"), blank=True)
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(CENT)])
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    message = models.CharField(_("message"), max_length=500, blank=True)
    is_anonymous = models.BooleanField(
        _("anonymous"), default=False, help_text=_("Other members see “Anonymous” instead of the name.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DonationStatus.choices, default=DonationStatus.PLEDGED
    )
    created_at = models.DateTimeField(_("pledged at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = _staff_member(_("confirmed by"))
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    rejected_by = _staff_member(_("rejected by"))
    rejected_reason = models.CharField(_("reason for rejection"), max_length=300, blank=True)
    recorded_by = _staff_member(
        _("recorded by"), help_text=_("The staff member who recorded an offline donation.")
    )
    receipt_number = models.CharField(_("receipt number"), max_length=20, unique=True, null=True, blank=True)
    receipt_emailed_at = models.DateTimeField(_("receipt emailed at"), null=True, blank=True)

    objects = DonationQuerySet.as_manager()

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-confirmed_at"], name="donation_wall"),
            models.Index(fields=["status", "created_at"], name="donation_status_created"),
            models.Index(fields=["donor", "status"], name="donation_donor_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="donation_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(donor__isnull=False) | ~models.Q(donor_name=""),
                name="donation_has_a_donor",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=DonationStatus.CONFIRMED)
                | models.Q(confirmed_at__isnull=False, receipt_number__isnull=False),
                name="donation_confirmed_has_receipt",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Donation #%(pk)s") % {"pk": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("donations:detail", args=[self.pk])

    @property
    def is_pledged(self) -> bool:
        return self.status == DonationStatus.PLEDGED

    @property
    def is_confirmed(self) -> bool:
        return self.status == DonationStatus.CONFIRMED

    def is_own(self, user) -> bool:
        """Whether `user` gave this donation: nobody confirms their own (services.confirm_donation)."""
        return user is not None and self.donor_id is not None and self.donor_id == user.pk

    @property
    def real_name(self) -> str:
        """Who gave, for staff and the donor; never an email address."""
        if self.donor_id is None:
            return self.donor_name
        return self.donor.full_name or gettext("Member #%(pk)s") % {"pk": self.donor_id}

    def name_for(self, viewer) -> str:
        """The name `viewer` may see: "Anonymous" for everyone but staff when asked for."""
        if self.is_anonymous and not getattr(viewer, "is_staff", False):
            return str(ANONYMOUS)
        return self.real_name

    @property
    def recipient_email(self) -> str:
        return self.donor.email if self.donor_id else self.donor_email

    @property
    def recipient_language(self) -> str:
        return (self.donor.language if self.donor_id else "") or settings.LANGUAGE_CODE


ANONYMOUS = pgettext_lazy("donor", "Anonymous")


class ReceiptCounter(models.Model):
    """The last receipt number issued in a year; locked while a confirmation takes the next one."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class MonthlyGoal(models.Model):
    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    amount = models.DecimalField(_("goal"), **MONEY, validators=[MinValueValidator(CENT)])
    description = models.CharField(_("what it is for"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("monthly goal")
        verbose_name_plural = _("monthly goals")
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=models.Q(month__day=1), name="goal_month_first_day"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="goal_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

    def save(self, *args, **kwargs) -> None:
        self.month = self.month.replace(day=1)
        super().save(*args, **kwargs)


@dataclass(frozen=True)
class GoalProgress:
    month: dt.date
    goal: MonthlyGoal | None
    raised: Decimal

    @property
    def percent(self) -> int:
        """How much of the goal is raised, in whole percent (may pass 100)."""
        if self.goal is None:
            return 0
        return int(self.raised * 100 // self.goal.amount)

    @property
    def bar_value(self) -> Decimal:
        return min(self.raised, self.goal.amount) if self.goal else Decimal(0)


def goal_progress(month: dt.date | None = None) -> GoalProgress:
    """The month's goal (if staff set one) and what confirmed donations raised: two queries."""
    month = month or month_of()
    return GoalProgress(
        month=month,
        goal=MonthlyGoal.objects.filter(month=month).first(),
        raised=Donation.objects.confirmed_in(month).total(),
    )


@dataclass(frozen=True)
class MonthTotal:
    month: dt.date
    total: Decimal
    count: int
    goal: MonthlyGoal | None


def monthly_totals(months: int = 12) -> list[MonthTotal]:
    """Confirmed money per calendar month (space's zone), newest first, with each month's goal."""
    rows = list(
        Donation.objects.confirmed()
        .annotate(month=TruncMonth("confirmed_at", tzinfo=space_zone()))
        .values("month")
        .annotate(total=models.Sum("amount"), count=models.Count("pk"))
        .order_by("-month")[:months]
    )
    goals = {
        goal.month: goal for goal in MonthlyGoal.objects.filter(month__in=[r["month"].date() for r in rows])
    }
    return [
        MonthTotal(row["month"].date(), row["total"], row["count"], goals.get(row["month"].date()))
        for row in rows
    ]

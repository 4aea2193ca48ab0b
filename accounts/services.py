"""Karma: the one place that changes it. Visits, donations and bookings call award_karma."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F, Model, Sum
from django.db.models.functions import Coalesce

from accounts.models import KarmaEntry, KarmaReason, User


@transaction.atomic
def award_karma(
    user: User, points: int, reason: KarmaReason | str, source: Model | None = None, note: str = ""
) -> KarmaEntry | None:
    """Record a karma change and add it to the member's stored total.

    Idempotent per (source, reason): a second award for the same source and reason
    changes nothing and returns None. The total is updated with F() so concurrent awards
    to one member add up exactly.
    """
    fields = {"user": user, "points": points, "reason": reason, "note": note[:200]}
    if source is not None:
        fields["source_type"] = ContentType.objects.get_for_model(source)
        fields["source_id"] = source.pk
        if KarmaEntry.objects.filter(
            source_type=fields["source_type"], source_id=source.pk, reason=reason
        ).exists():
            return None
    try:
        with transaction.atomic():
            entry = KarmaEntry.objects.create(**fields)
    except IntegrityError:
        # A concurrent award for the same source won the race.
        return None
    User.objects.filter(pk=user.pk).update(karma=F("karma") + points)
    user.refresh_from_db(fields=["karma"])
    return entry


def reverse_karma(source: Model, reason: KarmaReason | str, note: str = "") -> KarmaEntry | None:
    """Undo the award made for `source` with `reason` (once); None if there is nothing to undo."""
    source_type = ContentType.objects.get_for_model(source)
    original = (
        KarmaEntry.objects.select_related("user")
        .filter(source_type=source_type, source_id=source.pk, reason=reason)
        .first()
    )
    if original is None or original.points == 0:
        return None
    return award_karma(original.user, -original.points, KarmaReason.REVERSAL, source=source, note=note)


def karma_mismatches() -> list[tuple[User, int, int]]:
    """Members whose stored karma differs from their ledger: (member, stored, ledger sum)."""
    users = (
        User.objects.annotate(ledger=Coalesce(Sum("karma_entries__points"), 0))
        .exclude(karma=F("ledger"))
        .order_by("pk")
    )
    return [(user, user.karma, user.ledger) for user in users]


@transaction.atomic
def repair_karma() -> int:
    """Set every member's stored karma to their ledger sum; returns how many were off."""
    mismatches = karma_mismatches()
    for user, _stored, ledger in mismatches:
        User.objects.filter(pk=user.pk).update(karma=ledger)
    return len(mismatches)

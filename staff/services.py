"""Staff workflows that span apps: karma adjustments with a reason."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import KarmaEntry, KarmaReason, User
from accounts.services import award_karma
from audit import trail
from audit.models import Action

# An adjustment corrects a mistake or rewards a favour; a bigger number is a typo.
ADJUSTMENT_LIMIT = 1000


@transaction.atomic
def adjust_karma(member: User, points: int, reason: str, *, by: User) -> KarmaEntry:
    """Add (or take) karma by hand: one ledger entry and one audit entry, with the reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the karma is adjusted."), code="no_reason")
    if points == 0 or abs(points) > ADJUSTMENT_LIMIT:
        raise ValidationError(
            _("Adjust by 1 to %(limit)d points, up or down."),
            code="points",
            params={"limit": ADJUSTMENT_LIMIT},
        )
    before = User.objects.select_for_update().values_list("karma", flat=True).get(pk=member.pk)
    entry = award_karma(member, points, KarmaReason.ADJUSTMENT, note=reason)
    trail.record(
        Action.KARMA_ADJUSTED,
        member,
        actor=by,
        member=member,
        changes={"karma": [before, member.karma]},
        reason=reason,
    )
    return entry

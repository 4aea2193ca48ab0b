from __future__ import annotations

from django import template

from audit.models import AuditEntry

register = template.Library()

MEMBER_LIST_LENGTH = 20


@register.simple_tag
def audit_about(member) -> list[AuditEntry]:
    """The latest changes staff made to the member's bookings and karma (one query)."""
    return list(AuditEntry.objects.about_member(member).select_related("actor")[:MEMBER_LIST_LENGTH])


@register.simple_tag
def audit_history(obj, member) -> list[AuditEntry]:
    """What staff did to one of the member's own objects (a booking), newest first (one
    query): only entries about that member, of the kinds members see."""
    entries = AuditEntry.objects.of_object(obj).about_member(member).select_related("actor")
    return list(entries[:MEMBER_LIST_LENGTH])

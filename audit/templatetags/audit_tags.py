from __future__ import annotations

from django import template

from audit.models import AuditEntry

register = template.Library()

MEMBER_LIST_LENGTH = 20


@register.simple_tag
def audit_about(member) -> list[AuditEntry]:
    """The latest changes staff made to the member's bookings and karma (one query)."""
    return list(AuditEntry.objects.about_member(member).select_related("actor")[:MEMBER_LIST_LENGTH])

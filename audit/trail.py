"""The one way to write the audit trail."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models

from audit.models import Action, AuditEntry


def _plain(value: object) -> object:
    """A value as JSON keeps it, readable in the admin: objects by name, times in ISO 8601."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | float):
        return str(value)
    if isinstance(value, Iterable) and not isinstance(value, models.Model):
        return [_plain(item) for item in value]
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, object]:
    """The named fields' current values, ready for `changes`."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: dict[str, object], after: dict[str, object]) -> dict[str, list[object]]:
    """{field: [before, after]} for the fields whose value changed."""
    return {
        name: [_plain(before.get(name)), _plain(after.get(name))]
        for name in after
        if _plain(before.get(name)) != _plain(after.get(name))
    }


def record(
    action: Action,
    target: models.Model,
    *,
    actor=None,
    member=None,
    changes: dict[str, list[object]] | None = None,
    reason: str = "",
    target_id: int | None = None,
    label: str = "",
) -> AuditEntry:
    """Append one entry. Call it inside the transaction that makes the change, so the entry
    exists exactly when the change does. `target_id` and `label` name an object already
    deleted (its pk is gone)."""
    return AuditEntry.objects.create(
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target_id or target.pk,
        target_repr=(label or str(target))[:200],
        actor=actor if actor is not None and actor.pk else None,
        member=member,
        changes=changes or {},
        reason=reason,
    )

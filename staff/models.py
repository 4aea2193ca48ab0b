"""Permissions of staff pages that belong to no one model (the roles grant them)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffPermissions(models.Model):
    """No table: only the holder of the permissions below, like Django's own global ones."""

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("staff permission")
        permissions = [
            ("view_dashboard", _("Can see today's dashboard")),
            ("view_statistics", _("Can see the visit statistics")),
            ("override_booking_rules", _("Can override the booking rules")),
        ]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class LegacyRecord(models.Model):
    """A row of the previous platform's database and what it became here: re-running the
    import skips it (manage.py import_legacy)."""

    table = models.CharField(_("table"), max_length=20)
    old_id = models.BigIntegerField(_("old id"))
    new_id = models.BigIntegerField(_("new id"))
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("imported record")
        verbose_name_plural = _("imported records")
        constraints = [models.UniqueConstraint(fields=["table", "old_id"], name="legacy_record_once")]

    def __str__(self) -> str:
        return f"{self.table}#{self.old_id} → {self.new_id}"

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

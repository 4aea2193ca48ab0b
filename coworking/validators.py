"""Validators shared by the apps' forms."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Dates outside this range are typos (or probes), and arithmetic near year 1 or 9999
# overflows; refusing them in the forms keeps every page safe from them.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


def validate_sensible_date(value: dt.date) -> None:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            _("Choose a date between %(earliest)s and %(latest)s."),
            code="date_out_of_range",
            params={"earliest": EARLIEST_DATE.year, "latest": LATEST_DATE.year},
        )

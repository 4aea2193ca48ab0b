"""Validators shared by the apps' forms."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Dates outside this range are typos (or probes), and arithmetic near year 1 or 9999
# overflows; refusing them in the forms keeps every page safe from them. Fixed years
# rather than "today plus ten years": a date valid today stays valid, and tests need
# no clock for it.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


def is_sensible_date(value: dt.date) -> bool:
    """Whether a date, or a datetime's date, lies within [EARLIEST_DATE, LATEST_DATE]."""
    day = value.date() if isinstance(value, dt.datetime) else value
    return EARLIEST_DATE <= day <= LATEST_DATE


def validate_sensible_date(value: dt.date) -> None:
    """The one check of every date or datetime a person types: forms, admin forms, services."""
    if not is_sensible_date(value):
        raise ValidationError(
            _("Choose a date between %(earliest)s and %(latest)s."),
            code="date_out_of_range",
            params={"earliest": EARLIEST_DATE.year, "latest": LATEST_DATE.year},
        )

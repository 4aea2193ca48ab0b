"""CSV exports: a member's own donations, and staff's month of donations with names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coworking.exports import csv_response
from donations.models import Donation, space_zone


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dt.datetime):
        return value.astimezone(space_zone()).strftime("%Y-%m-%d %H:%M")
    return str(value)


# (header, value) per column. Members get their own donations without names; staff get names.
Column = tuple[Promise, Callable[[Donation], object]]
MEMBER_COLUMNS: list[Column] = [
    (_("Pledged at"), lambda d: d.created_at),
    (_("Status"), lambda d: d.get_status_display()),
    (_("Amount"), lambda d: d.amount),
    (_("Currency"), lambda d: d.currency),
    (_("Receipt number"), lambda d: d.receipt_number),
    (_("Confirmed at"), lambda d: d.confirmed_at),
    (_("Anonymous"), lambda d: d.is_anonymous),
    (_("Message"), lambda d: d.message),
]
STAFF_COLUMNS: list[Column] = [
    (_("Receipt number"), lambda d: d.receipt_number),
    (_("Confirmed at"), lambda d: d.confirmed_at),
    (_("Donor"), lambda d: d.real_name),
    (_("Email"), lambda d: d.recipient_email),
    (_("Guest"), lambda d: d.donor_id is None),
    (_("Anonymous"), lambda d: d.is_anonymous),
    (_("Amount"), lambda d: d.amount),
    (_("Currency"), lambda d: d.currency),
    (_("Message"), lambda d: d.message),
    (_("Recorded by"), lambda d: d.recorded_by),
    (_("Confirmed by"), lambda d: d.confirmed_by),
]


def donations_csv(donations: Iterable[Donation], columns: list[Column], filename: str) -> HttpResponse:
    header = [str(title) for title, _value in columns]
    rows = ([_cell(value(donation)) for _title, value in columns] for donation in donations)
    return csv_response(filename, header, rows)

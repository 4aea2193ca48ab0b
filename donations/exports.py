"""CSV exports: a member's own donations, and staff's month of donations with names."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable

from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from donations.models import Donation, space_zone

# Spreadsheet programs run a cell starting with these as a formula; a quote keeps it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dt.datetime):
        return value.astimezone(space_zone()).strftime("%Y-%m-%d %H:%M")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(filename: str, header: list[str], rows: Iterable[list[object]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # lets Excel read the file as UTF-8 (Cyrillic names)
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return response


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
    rows = ([value(donation) for _title, value in columns] for donation in donations)
    return csv_response(filename, header, rows)

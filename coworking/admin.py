"""What every admin with dates shares.

Typed dates go through the one sensible-date validator, and the date drill-down survives
hostile links and rows dated far outside that range (year 1 or 9999, stored before the
validator existed or by a script): Python's datetime cannot step past year 9999 or before
year 1, so Django's drill-down would answer 500 on them.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from coworking.validators import EARLIEST_DATE, LATEST_DATE, validate_sensible_date


def check_drill_down(params: dict[str, list[str]], field: str) -> None:
    """IncorrectLookupParameters (the admin's "?e=1" redirect) when the date drill-down's
    ?<field>__year/__month/__day name a day that does not exist or lies outside the
    sensible range; Django would overflow computing the next year or day."""

    def number(part: str, default: int) -> int:
        values = params.get(f"{field}__{part}")
        return int(values[-1]) if values else default

    if not params.get(f"{field}__year"):
        return  # Django ignores a month or a day without a year
    try:
        day = dt.date(number("year", 1), number("month", 1), number("day", 1))
    except (ValueError, OverflowError) as error:
        raise IncorrectLookupParameters(error) from error
    if not EARLIEST_DATE.year <= day.year <= LATEST_DATE.year:
        raise IncorrectLookupParameters(f"{day.year} is outside the sensible years")


def sensible_rows(queryset: models.QuerySet, field: str) -> models.QuerySet:
    """The rows whose `field` lies within the sensible range, in the current time zone."""
    field_object = get_fields_from_path(queryset.model, field)[-1]
    earliest, after = EARLIEST_DATE, LATEST_DATE + dt.timedelta(days=1)
    if isinstance(field_object, models.DateTimeField):
        earliest, after = (
            timezone.make_aware(dt.datetime.combine(day, dt.time())) for day in (earliest, after)
        )
    return queryset.filter(**{f"{field}__gte": earliest, f"{field}__lt": after})


class SensibleDatesChangeList(ChangeList):
    """A changelist whose date drill-down takes only sensible dates."""

    def get_filters(self, request: HttpRequest):
        if self.date_hierarchy:
            check_drill_down(self.filter_params, self.date_hierarchy)
        return super().get_filters(request)


class SensibleDatesAdmin:
    """Mixin for a ModelAdmin with dates: use it on every admin that has a date_hierarchy
    or lets staff type a date."""

    # Its date_hierarchy block lists only the rows within the sensible range.
    change_list_template = "admin/sensible_dates_change_list.html"

    def get_changelist(self, request: HttpRequest, **kwargs) -> type[ChangeList]:
        return SensibleDatesChangeList

    def formfield_for_dbfield(self, db_field: models.Field, request: HttpRequest, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(db_field, models.DateField):  # DateTimeField too
            formfield.validators.append(validate_sensible_date)
        return formfield

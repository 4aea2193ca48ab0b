"""What the project's admins share, so that no link or form can make them answer 500.

Typed dates go through the one sensible-date validator, and the date drill-down survives
hostile links and rows dated far outside that range (year 1 or 9999, stored before the
validator existed or by a script): Python's datetime cannot step past year 9999 or before
year 1, so Django's drill-down would answer 500 on them. Autocomplete and many-to-many
fields answer a mistyped or out-of-range id with an error instead of a crash, and inline
formsets take a bounded number of forms whatever a forged management form says.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator

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


class CheckedAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget looks the selected ids up to print their labels; an id
    of the wrong type ("abc" for a number, from a forged form or a ?building=abc link) or
    out of range makes that lookup raise. Such ids are left out: the field itself reports
    them as invalid."""

    def optgroups(self, name: str, value: list, attr=None):
        target = self.field.target_field
        return super().optgroups(name, [choice for choice in value if storable(target, choice)], attr)


def storable(field: models.Field, value) -> bool:
    """Whether `value` can be looked up in `field`: of its type, and within the column's
    range. SQLite's driver raises OverflowError on an integer past 64 bits in a lookup that
    Django does not range-check itself (`__in`, a foreign key), so a forged
    "999999999999999999999999999999" would be a 500 rather than "not one of the choices"."""
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True


class CheckedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Many-to-many choices whose ids are checked with `storable` before the query."""

    def _check_values(self, value):
        key = self.to_field_name or "pk"
        target = self.queryset.model._meta.pk if key == "pk" else self.queryset.model._meta.get_field(key)
        for choice in value:
            if isinstance(choice, (str, int)) and not storable(target, choice):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": choice}
                )
        return super()._check_values(value)


class CheckedAutocompleteAdmin:
    """Mixin for every ModelAdmin with autocomplete_fields."""

    def formfield_for_foreignkey(self, db_field: models.ForeignKey, request: HttpRequest, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CheckedChoicesAdmin:
    """Mixin for every ModelAdmin with many-to-many fields (see `storable`)."""

    def formfield_for_manytomany(self, db_field: models.ManyToManyField, request: HttpRequest, **kwargs):
        kwargs.setdefault("form_class", CheckedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class BoundedInline:
    """An inline whose submit holds at most max_num forms. Django's own bound is max_num +
    1000, so a forged TOTAL_FORMS had it build, validate and render 2,000 forms; past the
    bound the formset says "Please submit at most … forms" and saves nothing. Keep max_num
    well above what a real building, room or gallery holds. Mixin for every inline."""

    max_num = 100

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", self.get_max_num(request, obj, **kwargs))
        return super().get_formset(request, obj, **kwargs)


# The app list beside every page took a quarter of a 1280 px screen from the lists; the
# admin index and the breadcrumbs lead everywhere it did.
admin.site.enable_nav_sidebar = False


def compact_time(moment: dt.datetime | None) -> str:
    """A list cell's date and time, short ("03.12.2026 14:08" in Russian), in the current
    zone: the long form takes a column's worth of a 1280 px screen per date."""
    if moment is None:
        return "—"
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def preview(text: str, length: int = 80) -> str:
    """Free text cut to a list cell's length; the change page shows all of it."""
    return Truncator(text).chars(length)


def field_label(model: type[models.Model], name: str):
    """A field's verbose name, for the header of a column that shows it differently."""
    return model._meta.get_field(name).verbose_name

"""CSV export of any filtered admin list, streamed.

An admin action: select rows, or "select all" across the filtered list, and download them.
Rows are read with iterator() and written as they come, so a long list never sits in
memory; every cell goes through coworking.exports.safe_cell (no formulas in spreadsheets).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator

from django.contrib import admin
from django.contrib.admin.options import ActionLocation
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coworking.exports import safe_cell

Column = tuple[str | Promise, Callable[[object], object]]


class _Echo:
    """csv.writer's file: hands each line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return safe_cell(str(value))


def stream_csv(filename: str, columns: list[Column], queryset: QuerySet) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # lets Excel read the file as UTF-8 (Cyrillic names)
        yield writer.writerow([str(title) for title, _value in columns])
        for obj in queryset.iterator(chunk_size=2000):
            yield writer.writerow([_cell(value(obj)) for _title, value in columns])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CsvExportMixin:
    """Set `csv_columns` (title, function of the row) on the ModelAdmin; its
    list_select_related applies, so the export runs a fixed number of queries."""

    csv_columns: list[Column] = []

    def get_actions(self, request: HttpRequest, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        if action_location == ActionLocation.CHANGE_LIST and self.has_view_or_change_permission(request):
            action = CsvExportMixin.export_csv
            actions["export_csv"] = (action, "export_csv", action.short_description)
        return actions

    @admin.action(description=_("Download the selected rows as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> StreamingHttpResponse:
        related = self.list_select_related
        if related is True:
            queryset = queryset.select_related()
        elif related:
            queryset = queryset.select_related(*related)
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        return stream_csv(f"{self.opts.model_name}-{stamp}.csv", self.csv_columns, queryset)

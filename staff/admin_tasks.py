"""The background tasks' admin (django-tasks-db) in the admin's language, and fitting a
1280 px screen: the package names two columns in English only, and lists a raw id first.
Imported by staff.admin, which runs after the package's own admin."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from coworking.admin import compact_time, field_label


class TaskResultAdmin(DBTaskResultAdmin):
    list_display = ("task_column", "status", "enqueued_column", "finished_column", "priority", "queue_name")
    list_display_links = ("task_column",)
    search_fields = ("task_path",)

    @admin.display(description=_("task"), ordering="task_path")
    def task_column(self, result: DBTaskResult) -> str:
        return result.task_name

    @admin.display(description=field_label(DBTaskResult, "enqueued_at"), ordering="enqueued_at")
    def enqueued_column(self, result: DBTaskResult) -> str:
        return compact_time(result.enqueued_at)

    @admin.display(description=field_label(DBTaskResult, "finished_at"), ordering="finished_at")
    def finished_column(self, result: DBTaskResult) -> str:
        return compact_time(result.finished_at)

    @admin.display(description=field_label(DBTaskResult, "traceback"))
    def formatted_traceback(self, result: DBTaskResult) -> str:
        return super().formatted_traceback(result)

    @admin.display(description=field_label(DBTaskResult, "run_after"))
    def display_run_after(self, result: DBTaskResult):
        return super().display_run_after(result)


admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, TaskResultAdmin)

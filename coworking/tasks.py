"""Background tasks: enqueue after commit, retry with backoff, log with the request's id.

Tasks are Django's (`django.tasks`); settings.TASKS_BACKEND picks where they run. Every
task of this project takes a `request_id` keyword: `enqueue_on_commit` fills it with the
id of the request (or job) that enqueued the task, and the worker tags the task's log
lines with it, so one id follows a booking from the click to the email.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextvars import Token
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.tasks import Task, task, task_backends
from django.tasks.signals import task_finished, task_started
from django.utils import timezone

from coworking.logging import request_id_var

logger = logging.getLogger(__name__)
MAX_BACKOFF = dt.timedelta(minutes=60)


def enqueue_on_commit(task: Task, *args, **kwargs) -> None:
    """Enqueue `task` once the current transaction commits (at once outside one).

    A task enqueued inside the transaction could run before its rows are visible, or
    for rows a rollback removed. If the queue cannot be reached after the commit, the
    error is logged rather than turned into a failed request: what was committed stays,
    and the periodic jobs pick up what is still due.
    """
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs), robust=True)


def enqueue(task: Task, *args, **kwargs):
    """Enqueue `task` now, tagged with the current request's id."""
    kwargs.setdefault("request_id", request_id_var.get())
    return task.enqueue(*args, **kwargs)


def backoff(attempt: int) -> dt.timedelta:
    """How long to wait after the `attempt`-th failure: TASK_RETRY_DELAY_SECONDS (a minute),
    then twice as long after each further failure, at most an hour."""
    return min(dt.timedelta(seconds=settings.TASK_RETRY_DELAY_SECONDS * 2 ** (attempt - 1)), MAX_BACKOFF)


def retry_later(task: Task, failures: int, /, *args, **kwargs) -> bool:
    """Enqueue the next try of a task that has now failed `failures` times.

    False when it has been tried TASK_MAX_ATTEMPTS times (it stays failed for staff to see)
    or when the backend cannot run a task later (the immediate one: the periodic jobs retry).
    """
    if failures >= settings.TASK_MAX_ATTEMPTS or not task.get_backend().supports_defer:
        return False
    task.using(run_after=timezone.now() + backoff(failures)).enqueue(*args, **kwargs)
    return True


def uses_database_queue() -> bool:
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


# The id in force before each running task, to put back when it finishes: a worker must
# not carry one task's id into the next, and the immediate backend runs tasks inside the
# request that enqueued them.
_outer_request_ids: dict[str, Token] = {}


def _adopt_request_id(sender, task_result, **kwargs) -> None:
    _outer_request_ids[task_result.id] = request_id_var.set(task_result.kwargs.get("request_id") or "")


def _restore_request_id(sender, task_result, **kwargs) -> None:
    token = _outer_request_ids.pop(task_result.id, None)
    if token is not None:
        request_id_var.reset(token)


def connect_signals() -> None:
    task_started.connect(_adopt_request_id, dispatch_uid="coworking.tasks.adopt_request_id")
    task_finished.connect(_restore_request_id, dispatch_uid="coworking.tasks.restore_request_id")


@task
def run_command(name: str, request_id: str = "") -> str:
    """Run a periodic management command in the worker and log its one-line summary."""
    output = StringIO()
    call_command(name, stdout=output)
    summary = output.getvalue().strip()
    logger.info("%s: %s", name, summary, extra={"command": name})
    return summary


def stalled_tasks(now: dt.datetime):
    """Tasks a worker claimed and never finished: it was killed (SIGKILL, out of memory).

    Tasks here are idempotent (an email row is sent once whatever runs it), so running one
    again is safe; TASKS_STALLED_AFTER_MINUTES must exceed the longest task.
    """
    from django_tasks_db.models import DBTaskResult

    since = now - dt.timedelta(minutes=settings.TASKS_STALLED_AFTER_MINUTES)
    return DBTaskResult.objects.running().filter(started_at__lte=since)


def requeue_stalled(now: dt.datetime) -> int:
    from django_tasks_db.compat import TaskResultStatus

    return stalled_tasks(now).update(status=TaskResultStatus.READY, started_at=None)

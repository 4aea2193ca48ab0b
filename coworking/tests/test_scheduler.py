"""The scheduler: one active instance per database, the others standing by (real
PostgreSQL, real processes)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django_tasks_db.models import DBTaskResult

from coworking.scheduler import JOBS, AdvisoryLock, jobs
from coworking.tests.tasks_support import process_env

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


def test_second_advisory_lock_is_refused_while_the_first_is_held(db):
    first, second = AdvisoryLock(), AdvisoryLock()
    try:
        assert (first.acquire(), first.held(), second.acquire(), second.held()) == (True, True, False, False)
        first.release()  # the first scheduler's session ends (stopped, killed, crashed)
        assert (second.acquire(), second.held()) == (True, True)
    finally:
        first.release()
        second.release()


def _scheduler(tmp_path: Path, name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, MANAGE, "run_scheduler", "--heartbeat", str(tmp_path / f"{name}.heartbeat")],
        env=process_env(SCHEDULER_INTERVAL_SECONDS="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _queued_by() -> set[str]:
    """Which scheduler process queued each periodic task (its pid is in the request id)."""
    return {
        kwargs["kwargs"]["request_id"].split("-")[1]
        for kwargs in DBTaskResult.objects.filter(task_path="coworking.tasks.run_command").values_list(
            "args_kwargs", flat=True
        )
    }


def _wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@pytest.mark.django_db(transaction=True)
def test_only_one_scheduler_runs_jobs_and_a_standby_takes_over(tmp_path):
    first = _scheduler(tmp_path, "first")
    second = None
    try:
        _wait_for(lambda: _queued_by() == {str(first.pid)}, 20)
        second = _scheduler(tmp_path, "second")
        _wait_for(lambda: (tmp_path / "second.heartbeat").exists(), 20)
        time.sleep(3)  # three of the jobs' one-second intervals
        assert _queued_by() == {str(first.pid)}
        commands = set(DBTaskResult.objects.values_list("args_kwargs__args__0", flat=True))
        assert commands == {job.command for job in JOBS}

        first.send_signal(signal.SIGTERM)
        assert first.wait(10) == 0
        _wait_for(lambda: _queued_by() == {str(first.pid), str(second.pid)}, 20)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    second_log = [json.loads(line) for line in second.stdout.read().splitlines() if line.startswith("{")]
    messages = [entry["message"] for entry in second_log if entry["logger"] == "coworking.scheduler"]
    assert messages[:2] == [
        "another scheduler holds the lock; standing by",
        f"scheduler lock taken; running {len(JOBS)} jobs",
    ]


def test_jobs_about_the_database_queue_run_only_with_it(settings):
    queue_jobs = {"requeue_stalled_tasks", "prune_db_task_results"}
    assert [job.command for job in jobs()] == [job.command for job in JOBS if job.command not in queue_jobs]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert jobs() == list(JOBS)

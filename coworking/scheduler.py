"""The periodic jobs, and the lock that lets only one scheduler run them.

`manage.py run_scheduler` (APScheduler inside) enqueues each job's management command
as a task at its interval; the worker runs it, with the same retries, logs and admin
as every other task. The commands are the ones the README's crontab lines call, so a
deployment without the scheduler service gets the same behaviour from cron.

django-crontask was the other candidate: the same APScheduler, but its one-instance
lock needs Redis, which this deployment does not run. Here the lock is a PostgreSQL
advisory lock held by the scheduler's own database session: a second scheduler (another
replica, a rolling update) waits as a standby and takes over within seconds when the
first one's session ends, whether it stopped cleanly or was killed. On SQLite (the
embedded default, one machine) a lock file in DATA_DIR does the same.
"""

from __future__ import annotations

import fcntl
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

# Any constant 64-bit number; every scheduler of one database must use the same.
ADVISORY_LOCK_KEY = 0x636F776F726B  # "cowork"


@dataclass(frozen=True)
class Job:
    command: str
    seconds: int
    # Jobs about the database queue itself have nothing to do with the immediate backend.
    queue_only: bool = False

    @property
    def interval(self) -> int:
        return settings.SCHEDULER_INTERVAL_SECONDS or self.seconds


JOBS = (
    Job("send_booking_reminders", 5 * 60),
    Job("release_no_shows", 5 * 60),
    Job("close_open_visits", 15 * 60),
    Job("send_notifications", 10 * 60),
    Job("requeue_stalled_tasks", 5 * 60, queue_only=True),
    Job("delete_orphaned_uploads", 60 * 60),
    Job("prune_db_task_results", 24 * 60 * 60, queue_only=True),
)


def jobs() -> list[Job]:
    from coworking.tasks import uses_database_queue

    queue = uses_database_queue()
    return [job for job in JOBS if queue or not job.queue_only]


class AdvisoryLock:
    """pg_try_advisory_lock on a database session of its own, held while it lives."""

    def __init__(self) -> None:
        self.connection = connections.create_connection(DEFAULT_DB_ALIAS)
        # Taken in the main thread, checked from the scheduler's (never at the same time).
        self.connection.inc_thread_sharing()

    def _ask(self, sql: str) -> bool:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [ADVISORY_LOCK_KEY])
            return bool(cursor.fetchone()[0])

    def acquire(self) -> bool:
        return self._ask("SELECT pg_try_advisory_lock(%s)")

    def held(self) -> bool:
        """False once the session is gone (the database restarted): another may hold it now."""
        try:
            return self._ask(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND pid = pg_backend_pid() AND ((classid::bigint << 32) | objid::bigint) = %s"
            )
        except DatabaseError:
            return False

    def release(self) -> None:
        # Unlock before closing: the server ends a closed session a moment later, and a
        # standby should not have to wait for that.
        try:
            self._ask("SELECT pg_advisory_unlock(%s)")
        except DatabaseError:
            pass  # the session is gone, and the lock with it
        finally:
            self.connection.close()


class FileLock:
    """An exclusive lock on a file in DATA_DIR, for SQLite (one machine)."""

    def __init__(self) -> None:
        self.path = Path(settings.DATA_DIR) / "scheduler.lock"
        self.file = self.path.open("a")

    def acquire(self) -> bool:
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def held(self) -> bool:
        return True

    def release(self) -> None:
        self.file.close()


def single_instance_lock() -> AdvisoryLock | FileLock:
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        return AdvisoryLock()
    return FileLock()

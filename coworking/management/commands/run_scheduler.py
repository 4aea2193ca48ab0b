"""Run the periodic jobs (see coworking.scheduler): exactly one active per deployment."""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import threading
import uuid
from pathlib import Path

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from coworking.scheduler import jobs, single_instance_lock
from coworking.tasks import enqueue, run_command

logger = logging.getLogger("coworking.scheduler")
STANDBY_SECONDS = 5


def enqueue_job(command: str) -> None:
    # Each run gets an id of its own, so the worker's log lines for it can be found.
    request_id = f"scheduler-{os.getpid()}-{command}-{uuid.uuid4().hex[:8]}"
    try:
        enqueue(run_command, command, request_id=request_id)
        logger.info("queued %s", command, extra={"request_id": request_id, "command": command})
    finally:
        close_old_connections()


class Command(BaseCommand):
    help = (
        "Run the periodic jobs (reminders, no-show release, closing forgotten visits, notification "
        "retries, orphaned uploads, stalled tasks, pruning) by enqueueing them for the worker. Start "
        "one or more: only the one holding the lock runs jobs, the others stand by."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--heartbeat",
            default=settings.SCHEDULER_HEARTBEAT_FILE,
            help="File touched every few seconds while the scheduler (active or standing by) is healthy "
            "(default: %(default)s)",
        )

    def handle(self, *args, heartbeat: str, **options) -> None:
        # One line per job run is ours ("queued ..."); APScheduler's own would add three.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        beat = Path(heartbeat) if heartbeat else None
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
        signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
        lock = single_instance_lock()
        try:
            if self._stand_by(lock, beat, stop):
                self._run(lock, beat, stop)
        finally:
            lock.release()

    def _stand_by(self, lock, beat: Path | None, stop: threading.Event) -> bool:
        """Wait for the lock; False if told to stop first."""
        announced = False
        while not stop.is_set():
            if lock.acquire():
                return True
            if not announced:
                logger.info("another scheduler holds the lock; standing by")
                announced = True
            if beat:
                beat.touch()
            stop.wait(STANDBY_SECONDS)
        return False

    def _run(self, lock, beat: Path | None, stop: threading.Event) -> None:
        scheduler = BlockingScheduler(
            timezone=dt.UTC, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60}
        )
        now = dt.datetime.now(dt.UTC)
        for job in jobs():
            scheduler.add_job(
                enqueue_job,
                IntervalTrigger(seconds=job.interval),
                args=[job.command],
                id=job.command,
                next_run_time=now,
            )
        lost = threading.Event()

        def check() -> None:
            if stop.is_set():
                scheduler.shutdown(wait=False)
            elif not lock.held():
                logger.error("the scheduler lock was lost (database connection gone); stopping")
                lost.set()
                scheduler.shutdown(wait=False)
            elif beat:
                beat.touch()

        scheduler.add_job(check, IntervalTrigger(seconds=1), id="check", next_run_time=now)
        commands = [job.command for job in jobs()]
        logger.info("scheduler lock taken; running %d jobs", len(commands), extra={"jobs": commands})
        scheduler.start()
        if lost.is_set():
            raise CommandError("scheduler lock lost")

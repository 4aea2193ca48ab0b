"""The background worker: django-tasks-db's db_worker, plus a heartbeat file for health checks."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from django.conf import settings
from django.db import connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

logger = logging.getLogger(__name__)
BEAT_SECONDS = 15


def keep_beating(path: Path, stop: threading.Event | None = None) -> None:
    """Touch `path` every BEAT_SECONDS while the database answers, in a daemon thread.

    A health check (`find PATH -mmin -1`) then tells a live process that reaches its
    database from a dead or cut-off one, without starting Django.
    """

    stop = stop or threading.Event()

    def beat() -> None:
        while not stop.is_set():
            try:
                with connections["default"].cursor() as cursor:
                    cursor.execute("SELECT 1")
                path.touch()
            except Exception:
                logger.warning("heartbeat: the database does not answer", exc_info=True)
            finally:
                connections["default"].close()
            stop.wait(BEAT_SECONDS)

    threading.Thread(target=beat, name="heartbeat", daemon=True).start()


class Command(DbWorkerCommand):
    help = (
        "Run the background worker: take due tasks from the database queue and run them, "
        "one at a time; run several for more throughput. SIGTERM finishes the running task."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--heartbeat",
            default=settings.WORKER_HEARTBEAT_FILE,
            help=f"File touched every {BEAT_SECONDS} seconds while the worker is healthy "
            "(default: %(default)s)",
        )
        # Every queue, and no autoreload even with DEBUG on: a reload kills a running task.
        parser.set_defaults(queue_name="*", reload=False)

    def handle(self, *args, heartbeat: str, **options) -> None:
        if heartbeat and not options["batch"]:
            keep_beating(Path(heartbeat))
        super().handle(*args, **options)

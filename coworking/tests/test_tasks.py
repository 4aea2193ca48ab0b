"""Background tasks: the worker's JSON log lines carry the id of the request that
enqueued the task (a real worker process, a real SMTP server); retries back off."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from coworking.tasks import backoff
from coworking.tests.tasks_support import process_env

pytestmark = pytest.mark.django_db(transaction=True)
MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


def test_worker_log_lines_of_a_task_carry_the_request_id(database_tasks, sink, client, member):
    response = client.post(
        reverse("account_reset_password"), {"email": member.email}, headers={"X-Request-ID": "reset-42"}
    )
    assert (response.status_code, response["X-Request-ID"]) == (302, "reset-42")

    env = process_env(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(sink.port), EMAIL_USE_TLS="false")
    worker = subprocess.run(
        [
            sys.executable,
            str(Path(settings.BASE_DIR) / "manage.py"),
            "run_worker",
            "--batch",
            "--no-startup-delay",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert worker.returncode == 0, worker.stderr
    lines = [json.loads(line) for line in worker.stdout.splitlines()]  # every line is JSON
    finished = [line for line in lines if line["message"].endswith("state=SUCCESSFUL")]
    assert [(line["logger"], line["request_id"]) for line in finished] == [("django.tasks", "reset-42")]
    assert [message["To"] for message in sink.messages] == [member.email]


def test_retries_back_off_from_the_configured_delay(settings):
    settings.TASK_RETRY_DELAY_SECONDS = 5
    assert [backoff(attempt).total_seconds() for attempt in (1, 2, 3, 11, 12)] == [5, 10, 20, 3600, 3600]

"""For the background-task tests: the database queue, its worker run in-process, and a
real SMTP server on loopback that records what it receives and can be stopped and
started again on the same port to play a mail outage.

The root conftest loads this module as a plugin, so its fixtures are everywhere. Tests
that run the worker mark themselves `django_db(transaction=True)`:
the worker checks its connection between tasks like a request does, which a test
wrapped in one transaction cannot survive.
"""

from __future__ import annotations

import os
import socket
from email import message_from_bytes, policy
from email.message import Message
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command


class _Recorder:
    def __init__(self, messages: list[Message]):
        self.messages = messages

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"


class SmtpSink:
    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.messages: list[Message] = []
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(_Recorder(self.messages), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def mailer(self) -> dict:
        """A MAILERS entry that sends here."""
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": self.port, "use_tls": False, "timeout": 5},
        }

    def subjects(self) -> list[str]:
        return [str(message["Subject"]) for message in self.messages]


@pytest.fixture
def database_tasks(settings):
    """Tasks go to the database queue (tests run with the immediate backend otherwise)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASK_MAX_ATTEMPTS = 3


@pytest.fixture
def sink(settings):
    """Email goes to a running SMTP server on loopback."""
    sink = SmtpSink()
    sink.start()
    settings.MAILERS = {"default": sink.mailer()}
    yield sink
    sink.stop()


def run_worker() -> None:
    """Run every due task, then return (the worker's --batch mode)."""
    call_command("run_worker", "--batch", "--no-startup-delay", verbosity=0)


def process_env(**extra: str) -> dict[str, str]:
    """The environment for a manage.py process that works on this test's database."""
    from django.db import connection

    url = urlsplit(os.environ["DATABASE_URL"])
    database = url._replace(path=f"/{connection.settings_dict['NAME']}").geturl()
    return {**os.environ, "DATABASE_URL": database, "TASKS_BACKEND": "database", "LOG_LEVEL": "INFO", **extra}

"""Booking emails go through the database task queue and its worker (real PostgreSQL,
a real SMTP server on loopback): never from the request, retried with backoff, kept
for staff when they give up, never lost when a worker dies."""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from bookings import services
from bookings.models import Booking, Notification
from bookings.tests.factories import local, tomorrow
from coworking.tests.tasks_support import process_env, run_worker

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.language("en")]


def _book(member, desk, building) -> Booking:
    day = tomorrow(building)
    return services.create_booking(
        user=member, resource=desk, start=local(building, day, 10), end=local(building, day, 12)
    )


def _statuses() -> list[tuple[str, str]]:
    """Every task in the queue, in alphabetical order (the clock is frozen: no time order)."""
    return sorted(DBTaskResult.objects.values_list("task_path", "status"))


DELIVER = "bookings.tasks.deliver_notification"
MANAGE = str(Path(__file__).resolve().parents[2] / "manage.py")


def test_booking_email_goes_only_when_the_worker_runs(database_tasks, sink, member, desk, building):
    booking = _book(member, desk, building)
    assert (sink.messages, _statuses()) == ([], [(DELIVER, "READY")])

    run_worker()

    assert _statuses() == [(DELIVER, "SUCCESSFUL")]
    [message] = sink.messages
    assert message["To"] == member.email
    subject = str(message["Subject"])
    place = f" {desk.label}, {desk.room.name}, "
    assert (subject.startswith("Booking confirmed: "), place in subject) == (True, True)
    notification = Notification.objects.get(booking=booking)
    assert (notification.attempts, notification.sent_at is not None) == (1, True)


@time_machine.travel(NOW, tick=False)
def test_failing_mail_server_retries_with_backoff_and_keeps_the_booking(
    database_tasks, sink, member, desk, building
):
    sink.stop()  # the mail server is down
    booking = _book(member, desk, building)

    run_worker()

    booking.refresh_from_db()
    notification = Notification.objects.get(booking=booking)
    assert (booking.status, notification.attempts, notification.sent_at) == (
        Booking.Status.CONFIRMED,
        1,
        None,
    )
    assert notification.last_error.startswith("ConnectionRefusedError")
    retry = DBTaskResult.objects.get(status="READY")
    assert (retry.run_after, retry.args_kwargs["args"]) == (NOW + dt.timedelta(minutes=1), [notification.pk])
    assert _statuses() == [(DELIVER, "FAILED"), (DELIVER, "READY")]

    run_worker()  # too early: the retry waits its minute
    notification.refresh_from_db()
    assert notification.attempts == 1

    sink.start()  # the mail server is back
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        run_worker()
    notification.refresh_from_db()
    assert (notification.attempts, notification.last_error, len(sink.messages)) == (2, "", 1)
    assert _statuses() == [(DELIVER, "FAILED"), (DELIVER, "SUCCESSFUL")]


@time_machine.travel(NOW, tick=False)
def test_email_that_keeps_failing_gives_up_and_shows_in_the_admin(
    database_tasks, sink, member, desk, building, admin_client
):
    sink.stop()
    booking = _book(member, desk, building)
    for minutes in (0, 1, 3):  # backoff: 1 minute, then 2
        with time_machine.travel(NOW + dt.timedelta(minutes=minutes), tick=False):
            run_worker()

    notification = Notification.objects.get(booking=booking)
    assert (notification.attempts, notification.sent_at) == (3, None)
    assert _statuses() == [(DELIVER, "FAILED")] * 3  # no fourth try queued
    changelist = admin_client.get(reverse("admin:bookings_notification_changelist"))
    assert "failed, gave up" in changelist.text
    failed_tasks = admin_client.get(
        reverse("admin:django_tasks_database_dbtaskresult_changelist") + "?status__exact=FAILED"
    )
    assert failed_tasks.text.count("deliver_notification") == 3

    # Staff send it again once the mail server is fixed: the worker does it.
    sink.start()
    admin_client.post(
        reverse("admin:bookings_notification_changelist"),
        {"action": "retry_now", "_selected_action": [notification.pk]},
    )
    assert sink.messages == []
    run_worker()
    notification.refresh_from_db()
    assert (notification.attempts, len(sink.messages)) == (4, 1)


@time_machine.travel(NOW, tick=False)
def test_task_of_a_killed_worker_is_queued_again_and_sent(
    database_tasks, sink, member, desk, building, settings
):
    settings.TASKS_STALLED_AFTER_MINUTES = 15
    booking = _book(member, desk, building)
    # A worker claims the task and is killed (SIGKILL, out of memory) before it ends.
    with transaction.atomic():
        DBTaskResult.objects.ready().get_locked().claim("killed-worker")
    run_worker()
    assert (_statuses(), sink.messages) == ([(DELIVER, "RUNNING")], [])

    with time_machine.travel(NOW + dt.timedelta(minutes=14), tick=False):
        call_command("requeue_stalled_tasks", verbosity=0)
        run_worker()
    assert _statuses() == [(DELIVER, "RUNNING")]

    with time_machine.travel(NOW + dt.timedelta(minutes=15), tick=False):
        call_command("requeue_stalled_tasks", verbosity=0)
        run_worker()
    assert (_statuses(), len(sink.messages)) == ([(DELIVER, "SUCCESSFUL")], 1)
    assert Notification.objects.get(booking=booking).attempts == 1


@time_machine.travel(NOW, tick=False)
def test_send_notifications_queues_only_what_no_task_will_send(database_tasks, sink, member, desk, building):
    queued = _book(member, desk, building)
    # A confirmation whose task was lost (the web process died right after the commit).
    lost = Notification.objects.create(
        booking=queued, kind=Notification.Kind.REMINDER, created_at=NOW - dt.timedelta(minutes=5)
    )
    with time_machine.travel(NOW + dt.timedelta(minutes=2), tick=False):
        call_command("send_notifications", verbosity=0)
    assert sorted(
        args["args"][0] for args in DBTaskResult.objects.values_list("args_kwargs", flat=True)
    ) == sorted([queued.notifications.get(kind=Notification.Kind.CONFIRMATION).pk, lost.pk])
    run_worker()
    assert len(sink.messages) == 2


@pytest.mark.real_clock  # the worker process stamps the task with its own clock
def test_task_of_a_worker_killed_mid_send_is_sent_after_requeue(
    database_tasks, sink, member, desk, building, settings
):
    booking = _book(member, desk, building)
    # A mail server that accepts the connection and never answers holds the worker mid-task.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        env = process_env(
            EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(silent.getsockname()[1]), EMAIL_USE_TLS="false"
        )
        worker = subprocess.Popen(
            [sys.executable, MANAGE, "run_worker", "--no-startup-delay"], env=env, stdout=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + 30
            while _statuses() != [(DELIVER, "RUNNING")]:
                assert time.monotonic() < deadline, "the worker did not take the task"
                time.sleep(0.2)
        finally:
            worker.kill()  # SIGKILL: no chance to clean up
            worker.wait()

    notification = Notification.objects.get(booking=booking)
    assert (_statuses(), notification.attempts, sink.messages) == ([(DELIVER, "RUNNING")], 0, [])
    settings.TASKS_STALLED_AFTER_MINUTES = 0
    call_command("requeue_stalled_tasks", verbosity=0)
    run_worker()
    notification.refresh_from_db()
    assert (_statuses(), notification.attempts, len(sink.messages)) == ([(DELIVER, "SUCCESSFUL")], 1, 1)

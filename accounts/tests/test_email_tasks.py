"""allauth's emails are rendered in the request and sent by the background worker."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from coworking.tests.tasks_support import run_worker

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db(transaction=True)


def test_password_reset_email_is_sent_by_the_worker_not_the_request(database_tasks, sink, client, member):
    response = client.post(reverse("account_reset_password"), {"email": member.email})
    assert (response.status_code, sink.messages) == (302, [])

    run_worker()

    [message] = sink.messages
    assert (message["To"], message["From"]) == (member.email, "coworking@localhost")
    assert "/accounts/password/reset/key/" in message.get_body(("plain",)).get_content()


@time_machine.travel(NOW, tick=False)
def test_password_reset_email_is_retried_when_the_mail_server_is_down(database_tasks, sink, client, member):
    sink.stop()
    client.post(reverse("account_reset_password"), {"email": member.email})
    run_worker()
    sink.start()
    run_worker()  # the retry waits its minute
    assert sink.messages == []

    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        run_worker()
    assert [message["To"] for message in sink.messages] == [member.email]
    assert sorted(DBTaskResult.objects.values_list("status", flat=True)) == ["FAILED", "SUCCESSFUL"]

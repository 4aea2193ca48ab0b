"""The receipt email leaves the confirming request: the worker sends it, retrying a
failing mail server (real PostgreSQL, a real SMTP server on loopback)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from coworking.tests.tasks_support import run_worker
from donations.services import confirm_donation
from donations.tests.factories import DonationFactory

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db(transaction=True)


@time_machine.travel(NOW, tick=False)
def test_receipt_is_sent_by_the_worker_and_retried_when_mail_fails(database_tasks, sink, member, staff):
    donation = DonationFactory(donor=member)
    sink.stop()
    assert confirm_donation(donation, confirmed_by=staff) is True
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["READY"]

    run_worker()
    donation.refresh_from_db()
    assert (donation.status, donation.receipt_emailed_at) == ("confirmed", None)
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after == NOW + dt.timedelta(minutes=1)

    sink.start()
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        run_worker()
    donation.refresh_from_db()
    assert donation.receipt_emailed_at == NOW + dt.timedelta(minutes=1)
    assert [message["To"] for message in sink.messages] == [member.email]

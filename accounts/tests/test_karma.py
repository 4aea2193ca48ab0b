from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import KarmaEntry, KarmaReason, User
from accounts.services import award_karma, karma_mismatches, reverse_karma
from accounts.tests.factories import UserFactory
from coworking.testing import run_concurrently


@pytest.mark.django_db
def test_award_is_recorded_and_added_to_the_total(member):
    entry = award_karma(member, 3, KarmaReason.ADJUSTMENT, note="welcome")
    assert (entry.points, entry.reason, entry.note) == (3, "adjustment", "welcome")
    assert member.karma == 3
    assert User.objects.get(pk=member.pk).karma == 3


@pytest.mark.django_db
def test_award_for_one_source_and_reason_happens_once(member, staff):
    # Any model instance can be a source; another member stands in for a visit here.
    assert award_karma(member, 5, KarmaReason.VISIT, source=staff) is not None
    assert award_karma(member, 5, KarmaReason.VISIT, source=staff) is None
    assert KarmaEntry.objects.filter(user=member).count() == 1
    member.refresh_from_db()
    assert member.karma == 5


@pytest.mark.django_db
def test_reversal_undoes_an_award_once(member, staff):
    award_karma(member, -5, KarmaReason.NO_SHOW, source=staff)
    reversal = reverse_karma(staff, KarmaReason.NO_SHOW, note="forgiven")
    assert reversal.points == 5
    assert reverse_karma(staff, KarmaReason.NO_SHOW) is None
    member.refresh_from_db()
    assert member.karma == 0
    assert list(member.karma_entries.order_by("pk").values_list("points", "reason")) == [
        (-5, "no_show"),
        (5, "reversal"),
    ]


@pytest.mark.django_db
def test_recompute_karma_reports_and_repairs_a_drifted_total(member):
    award_karma(member, 4, KarmaReason.ADJUSTMENT)
    User.objects.filter(pk=member.pk).update(karma=100)

    out = StringIO()
    call_command("recompute_karma", "--dry-run", stdout=out)
    assert f"{member.email}: stored 100, ledger 4" in out.getvalue()
    assert User.objects.get(pk=member.pk).karma == 100

    out = StringIO()
    call_command("recompute_karma", stdout=out)
    assert "Karma: 1 member(s) repaired to match the ledger." in out.getvalue()
    assert User.objects.get(pk=member.pk).karma == 4
    assert karma_mismatches() == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_awards_to_one_member_add_up_exactly():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL")
    member = UserFactory()
    sources = UserFactory.create_batch(10)

    def award_twice(source) -> None:
        award_karma(User.objects.get(pk=member.pk), 2, KarmaReason.VISIT, source=source)
        award_karma(User.objects.get(pk=member.pk), 2, KarmaReason.VISIT, source=source)

    assert run_concurrently(award_twice, sources) == [None] * 10
    assert User.objects.get(pk=member.pk).karma == 20
    assert KarmaEntry.objects.filter(user=member).count() == 10

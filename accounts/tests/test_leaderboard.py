from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import KarmaReason, User
from accounts.services import award_karma
from accounts.tests.factories import UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_leaderboard_shows_only_members_who_opted_in(client, member, django_assert_num_queries, count):
    shown = [UserFactory(visible_to_members=True, karma=10 * (i + 1)) for i in range(count)]
    UserFactory(visible_to_members=False, karma=1000, full_name="Скрытый Участник")
    User.objects.filter(pk=member.pk).update(karma=5)
    client.force_login(member)
    # Session, member, the leaders, the viewer's rank.
    with django_assert_num_queries(4):
        response = client.get(reverse("accounts:leaderboard"))
    assert [leader.pk for leader in response.context["leaders"]] == [u.pk for u in reversed(shown)]
    html = response.content.decode()
    assert "Скрытый Участник" not in html
    # The hidden member with 1000 and everyone shown are ahead of the viewer.
    assert response.context["own_rank"] == count + 2


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_profile_lists_the_karma_history(client, member, staff, django_assert_num_queries, count):
    for i in range(count):
        award_karma(member, i + 1, KarmaReason.ADJUSTMENT, note=f"note {i}")
    client.force_login(member)
    # Session, member, buildings (home building choice), karma history, second factors and
    # recent sign-ins (security card), donations widget (total and list), staff's changes (audit widget).
    with django_assert_num_queries(9):
        response = client.get(reverse("accounts:profile"))
    assert [(e.points, e.note) for e in response.context["karma_entries"]] == [
        (i + 1, f"note {i}") for i in reversed(range(count))
    ]
    assert 'data-testid="karma-history"' in response.content.decode()

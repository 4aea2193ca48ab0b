"""Member search ignores case in every alphabet, on PostgreSQL and on the embedded SQLite
default (accounts.search replaces SQLite's ASCII-only LIKE)."""

from __future__ import annotations

import pytest
from django.db.models import Q
from django.urls import reverse

from accounts.models import User
from accounts.search import like_regex, unicode_like
from accounts.tests.factories import UserFactory
from bookings.tests.factories import BookingFactory
from donations.tests.factories import DonationFactory
from visits.tests.factories import VisitFactory

pytestmark = pytest.mark.smoke

NAMES = ["Анна Иванова", "АННА ПЕТРОВА", "Ёжик Туманов", "Иван_Сидоров", "Скидка 100%", "Ivan Ivanov"]


@pytest.fixture
def people(db) -> dict[str, User]:
    return {name: UserFactory(full_name=name) for name in NAMES}


def _names(lookup: str, value: str) -> list[str]:
    return sorted(User.objects.filter(**{f"full_name__{lookup}": value}).values_list("full_name", flat=True))


@pytest.mark.parametrize(
    ("lookup", "value", "found"),
    [
        ("icontains", "анна", ["АННА ПЕТРОВА", "Анна Иванова"]),
        ("icontains", "ИВАНОВ", ["Анна Иванова"]),
        ("icontains", "ёжик", ["Ёжик Туманов"]),
        ("istartswith", "ив", ["Иван_Сидоров"]),
        ("iendswith", "петрова", ["АННА ПЕТРОВА"]),
        ("iexact", "анна иванова", ["Анна Иванова"]),
        ("icontains", "ivan", ["Ivan Ivanov"]),
        # What was typed is literal: _ and % match only themselves.
        ("icontains", "_", ["Иван_Сидоров"]),
        ("icontains", "н_с", ["Иван_Сидоров"]),
        ("icontains", "%", ["Скидка 100%"]),
        ("icontains", "0%", ["Скидка 100%"]),
        ("icontains", "\\", []),
        ("icontains", "анна%петрова", []),
    ],
)
def test_case_insensitive_lookups_fold_cyrillic_and_keep_wildcards_literal(people, lookup, value, found):
    assert _names(lookup, value) == found


def test_front_desk_search_finds_members_whatever_the_case(client, staff, people):
    client.force_login(staff)
    response = client.get(reverse("visits:front_desk"), {"q": "анна"})
    # Sorted here: the order of capitals and small letters depends on the database's collation.
    found = sorted(member.full_name for member in response.context["members"])
    assert found == ["АННА ПЕТРОВА", "Анна Иванова"]


@pytest.mark.parametrize(
    ("changelist", "make"),
    [
        ("admin:accounts_user_changelist", lambda user: user),
        ("admin:bookings_booking_changelist", lambda user: BookingFactory(user=user)),
        ("admin:visits_visit_changelist", lambda user: VisitFactory(user=user)),
        ("admin:donations_donation_changelist", lambda user: DonationFactory(donor=user)),
    ],
)
def test_admin_search_finds_members_whatever_the_case(client, staff, people, changelist, make):
    rows = {make(people[name]).pk for name in ("Анна Иванова", "АННА ПЕТРОВА")}
    make(people["Ёжик Туманов"])
    client.force_login(staff)
    response = client.get(reverse(changelist), {"q": "анна"})
    assert {row.pk for row in response.context["cl"].result_list} == rows


@pytest.mark.parametrize(
    ("value", "pattern", "escape", "matches"),
    [
        ("Анна", "анна", None, True),
        ("Анна", "ан%", None, True),
        ("Анна", "а__а", None, True),
        ("Анна", "а_а", None, False),
        ("Анна", "нн", None, False),
        ("a\nb", "a%b", None, True),
        ("50%", "%\\%", "\\", True),
        ("500", "%\\%", "\\", False),
        ("a_b", "a\\_b", "\\", True),
        ("axb", "a\\_b", "\\", False),
        ("a\\b", "a\\\\b", "\\", True),
        ("a.b*c", "a.b*c", None, True),
        ("abc", "a.*", None, False),
        (42, "4%", None, True),
    ],
)
def test_unicode_like_follows_sql_like(value, pattern, escape, matches):
    assert unicode_like(pattern, value, escape) is matches


def test_unicode_like_passes_null_through_and_refuses_a_long_escape():
    assert (unicode_like(None, "a"), unicode_like("a", None)) == (None, None)
    with pytest.raises(ValueError, match="single character"):
        like_regex("a", "ab")


def test_the_or_of_two_searches_reads_both_columns(people):
    found = User.objects.filter(Q(full_name__icontains="ёЖИК") | Q(email__icontains="NOBODY"))
    assert [user.full_name for user in found] == ["Ёжик Туманов"]

"""A member's admin page: bookings, visits, donations and karma at a glance, each count
linking to the rows behind it."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from bookings.models import Booking
from bookings.tests.factories import BookingFactory
from donations.tests.factories import DonationFactory
from staff.services import adjust_karma
from visits.tests.factories import VisitFactory

pytestmark = pytest.mark.django_db
# The member page: the same number of queries whatever the member did.
QUERIES = 13


def test_the_member_page_counts_and_links_bookings_visits_donations_and_karma(client, manager, staff):
    member = UserFactory()
    BookingFactory.create_batch(2, user=member)
    BookingFactory(user=member, status=Booking.Status.CANCELLED)
    VisitFactory.create_batch(3, user=member, closed=True)
    DonationFactory(donor=member)
    BookingFactory()  # someone else's
    adjust_karma(member, 4, "Helped at the open day", by=staff)
    client.force_login(manager)
    page = client.get(reverse("admin:accounts_user_change", args=[member.pk])).text
    links = {
        unescape(label): unescape(href)
        for href, label in re.findall(
            r'<li><a href="([^"]+)">([^<]+)</a></li>',
            page.split('class="member-activity"')[1].split("</ul>")[0],
        )
    }
    assert {label.rsplit(": ", 1)[0]: int(label.rsplit(": ", 1)[1]) for label in links} == {
        "Предстоящие бронирования": 2,
        "Все бронирования": 3,
        "Посещения": 3,
        "Пожертвования": 1,
    }
    for label, href in links.items():
        assert client.get(href).context["cl"].result_count == int(label.rsplit(": ", 1)[1])
    assert 'data-testid="karma-ledger"' in page and "<td>+4</td>" in page and "Helped at the open day" in page
    # The trail of what staff did to this member, on their page.
    assert 'data-testid="audit-trail"' in page and "karma: 0 → 4" in page


@pytest.mark.parametrize("count", [1, 3])
def test_the_member_page_query_count_is_fixed(client, manager, staff, django_assert_num_queries, count):
    member = UserFactory()
    BookingFactory.create_batch(count, user=member)
    VisitFactory.create_batch(count, user=member, closed=True)
    DonationFactory.create_batch(count, donor=member)
    for number in range(count):
        adjust_karma(member, 1, f"Thanks {number}", by=staff)
    client.force_login(manager)
    url = reverse("admin:accounts_user_change", args=[member.pk])
    client.get(url)  # content types and permissions cached from here on, as in a running server
    with django_assert_num_queries(QUERIES):
        page = client.get(url).text
    assert page.count("Thanks ") == count * 2  # in the ledger and in the audit trail

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from donations.models import Donation, DonationStatus, MonthlyGoal, month_of
from donations.tests.factories import DonationFactory, MonthlyGoalFactory, confirmed_donation

pytestmark = pytest.mark.django_db


def test_pages_need_a_login(client):
    for url in (reverse("donations:wall"), reverse("donations:donate"), reverse("donations:feed")):
        response = client.get(url)
        assert (response.status_code, response.url) == (302, f"{reverse('account_login')}?next={url}")


@pytest.mark.smoke
def test_donating_records_a_pledge_and_shows_it_waiting(client, member):
    client.force_login(member)
    response = client.post(
        reverse("donations:donate"), {"amount": "1 500,50", "message": "На кофе", "is_anonymous": "on"}
    )
    donation = Donation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("donations:detail", args=[donation.pk])
    assert (donation.donor, donation.amount, donation.message, donation.is_anonymous, donation.status) == (
        member,
        Decimal("1500.50"),
        "На кофе",
        True,
        "pledged",
    )
    page = client.get(response.url)
    assert "Ждёт подтверждения" in page.text
    assert "Онлайн-оплаты здесь пока нет" in page.text
    assert "Спасибо! Обещание записано и ждёт подтверждения." in page.text


def test_donating_through_htmx_redirects_the_browser(client, member):
    client.force_login(member)
    response = client.post(reverse("donations:donate"), {"amount": "700"}, headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"] == Donation.objects.get().get_absolute_url()


def test_members_who_hide_their_name_start_out_anonymous(client, member):
    client.force_login(member)
    assert client.get(reverse("donations:donate")).context["form"]["is_anonymous"].value() is True
    member.visible_to_members = True
    member.save()
    assert client.get(reverse("donations:donate")).context["form"]["is_anonymous"].value() is False


def test_payment_instructions_come_from_settings(client, member, settings):
    settings.DONATION_PAYMENT_INSTRUCTIONS = "Переведите на карту 1234 <b>до пятницы</b>"
    client.force_login(member)
    response = client.get(reverse("donations:donate"))
    assert "Переведите на карту 1234 &lt;b&gt;до пятницы&lt;/b&gt;" in response.text


def test_a_member_cannot_reach_another_members_pledges_or_receipts(client, member):
    other = UserFactory()
    pledge = DonationFactory(donor=other)
    receipt = confirmed_donation(donor=other)
    rejected = DonationFactory(donor=other, status="rejected", rejected_reason="нет")
    client.force_login(member)
    for donation in (pledge, receipt, rejected):
        assert client.get(reverse("donations:detail", args=[donation.pk])).status_code == 404
    assert client.get(reverse("donations:my_export")).text.count("\n") == 1  # the header only
    for url in (
        reverse("donations:staff"),
        reverse("donations:export", args=[2026, 1]),
    ):
        assert client.get(url).status_code == 403
    for url in (
        reverse("donations:confirm", args=[pledge.pk]),
        reverse("donations:reject", args=[pledge.pk]),
    ):
        assert client.post(url, {"reason": "x"}).status_code == 403
    pledge.refresh_from_db()
    assert pledge.status == "pledged"


def test_a_member_sees_their_own_receipt(client, member):
    donation = confirmed_donation(donor=member, amount=Decimal("2500.00"), message="Спасибо!")
    client.force_login(member)
    response = client.get(reverse("donations:detail", args=[donation.pk]))
    assert response.status_code == 200
    assert donation.receipt_number in response.text
    assert "2\u00a0500\u00a0₽" in response.text
    assert member.full_name in response.text


def _month_args(donation: Donation) -> list[int]:
    """The export URL's year and month: the space's month, not the UTC one (they differ in
    the last hours of a month in Moscow)."""
    month = month_of(donation.confirmed_at)
    return [month.year, month.month]


def test_anonymous_donors_name_appears_nowhere_a_member_can_reach(client, member):
    donor = UserFactory(full_name="Зинаида Тайнова", email="zinaida@example.org")
    donation = confirmed_donation(
        donor=donor, is_anonymous=True, amount=Decimal("7000"), message="Тихо помогаю"
    )
    DonationFactory(donor=donor, is_anonymous=True)  # a pledge too
    client.force_login(member)
    pages = {
        url: client.get(url)
        for url in (
            reverse("home"),
            reverse("accounts:profile"),
            reverse("donations:wall"),
            reverse("donations:donate"),
            reverse("donations:feed"),
            reverse("donations:my_export"),
            reverse("donations:detail", args=[donation.pk]),
            reverse("donations:staff"),
            reverse("donations:export", args=_month_args(donation)),
        )
    }
    for url, response in pages.items():
        body = response.content.decode()
        assert "Тайнова" not in body, url
        assert "zinaida" not in body, url
    assert "Тихо помогаю" in pages[reverse("donations:wall")].text
    assert "Аноним" in pages[reverse("donations:wall")].text
    assert "<title>Аноним: 7\u00a0000\u00a0₽</title>" in pages[reverse("donations:feed")].text


def test_staff_still_see_who_gave_anonymously(client, staff):
    donor = UserFactory(full_name="Зинаида Тайнова")
    donation = confirmed_donation(donor=donor, is_anonymous=True)
    client.force_login(staff)
    wall = client.get(reverse("donations:wall")).text
    assert "Зинаида Тайнова" in wall
    assert "анонимно для участников" in wall
    export = client.get(reverse("donations:export", args=_month_args(donation)))
    assert "Зинаида Тайнова" in export.content.decode()


def test_messages_render_as_text_everywhere(client, member, staff):
    script = '<script>alert("x")</script><b>bold</b>'
    confirmed_donation(donor=member, message=script)
    DonationFactory(donor=member, message=script)
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;"
    client.force_login(member)
    wall = client.get(reverse("donations:wall")).text
    assert escaped in wall
    assert "<script>alert" not in wall
    for donation in Donation.objects.all():
        detail = client.get(reverse("donations:detail", args=[donation.pk])).text
        assert escaped in detail
        assert "<script>alert" not in detail
    # A feed reader unescapes the XML once and renders the HTML: it must get escaped text.
    feed = client.get(reverse("donations:feed")).text
    assert "&lt;p&gt;&amp;lt;script&amp;gt;alert(&amp;quot;x&amp;quot;)&amp;lt;/script&amp;gt;" in feed
    assert "<script" not in feed
    assert "&lt;script" not in feed
    client.force_login(staff)
    desk = client.get(reverse("donations:staff")).text
    assert escaped in desk
    assert "<script>alert" not in desk


def test_feed_lists_confirmed_donations_newest_first(client, member):
    older = confirmed_donation(donor=UserFactory(full_name="Анна Кузнецова"), amount=Decimal("800"))
    newer = confirmed_donation(donor=UserFactory(full_name="Павел Морозов"), amount=Decimal("1200"))
    DonationFactory(donor=UserFactory(full_name="Обещал Нозабыл"))
    client.force_login(member)
    response = client.get(reverse("donations:feed"))
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert response.text.index("Павел Морозов: 1\u00a0200\u00a0₽") < response.text.index(
        "Анна Кузнецова: 800\u00a0₽"
    )
    assert f"#donation-{newer.pk}" in response.text
    assert f"#donation-{older.pk}" in response.text
    assert "Нозабыл" not in response.text


@pytest.mark.smoke
def test_wall_shows_confirmed_donations_and_the_goal(client, member):
    MonthlyGoalFactory(amount=Decimal("10000"), description="Кофемашина")
    confirmed_donation(donor=UserFactory(full_name="Анна Кузнецова"), amount=Decimal("2500"), message="Ура")
    DonationFactory(donor=UserFactory(full_name="Обещал Нозабыл"))
    client.force_login(member)
    response = client.get(reverse("donations:wall"))
    assert list(response.context["page"].object_list) == list(Donation.objects.wall())
    assert "Анна Кузнецова" in response.text
    assert "Нозабыл" not in response.text
    assert '<progress class="goal-bar" max="10000.00" value="2500.00"' in response.text
    assert "25%" in response.text
    assert "Кофемашина" in response.text


def test_member_export_lists_only_their_own_donations(client, member):
    confirmed_donation(donor=member, amount=Decimal("600.00"), message='=HYPERLINK("http://x")')
    confirmed_donation(donor=UserFactory(), amount=Decimal("900.00"))
    client.force_login(member)
    response = client.get(reverse("donations:my_export"))
    assert response["Content-Disposition"] == 'attachment; filename="my-donations.csv"'
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Обещано,Статус,Сумма,Валюта,Номер квитанции,Подтверждено,Анонимно,Сообщение"
    assert len(lines) == 2
    assert ",Подтверждено,600.00,RUB," in lines[1]
    # Spreadsheets would run it as a formula: it is kept as text.
    assert lines[1].endswith(',нет,"\'=HYPERLINK(""http://x"")"')


@pytest.mark.parametrize("count", [3, 40])
def test_wall_query_count_is_fixed(client, member, django_assert_num_queries, count):
    MonthlyGoalFactory()
    for _ in range(count):
        confirmed_donation(message="Спасибо")
    client.force_login(member)
    # session, user, the page's rows (and one more: is there an older page?), goal, raised;
    # nothing counts the wall, which grows with the years.
    with django_assert_num_queries(5):
        response = client.get(reverse("donations:wall"))
    page = response.context["page"]
    assert (len(page.object_list), page.has_next) == (min(count, 20), count > 20)
    assert ('href="?page=2" rel="next">' in response.text) == (count > 20)


@pytest.mark.parametrize("count", [1, 3])
def test_feed_query_count_is_fixed(client, member, django_assert_num_queries, count):
    for _ in range(count):
        confirmed_donation()
    client.force_login(member)
    with django_assert_num_queries(3):
        response = client.get(reverse("donations:feed"))
    assert response.text.count("<entry>") == count


@pytest.mark.parametrize("count", [1, 3])
def test_donate_page_query_count_is_fixed(client, member, django_assert_num_queries, count):
    DonationFactory.create_batch(count, donor=member)
    client.force_login(member)
    with django_assert_num_queries(5):
        response = client.get(reverse("donations:donate"))
    assert len(response.context["pledges"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_profile_widget_query_count_is_fixed(member, django_assert_num_queries, count):
    for _ in range(count):
        confirmed_donation(donor=member, amount=Decimal("100.00"))
    DonationFactory(donor=member)
    request = RequestFactory().get("/")
    request.user = member
    with django_assert_num_queries(2):
        html = render_to_string("donations/profile_widget.html", {"user": member, "request": request})
    assert html.count('data-testid="my-donation"') == count + 1
    assert f'data-testid="donated-total">{count}00\u00a0₽<' in html


@pytest.mark.parametrize("count", [1, 3])
def test_home_widget_query_count_is_fixed(member, django_assert_num_queries, count):
    MonthlyGoalFactory(amount=Decimal("1000"))
    for _ in range(count):
        confirmed_donation(amount=Decimal("100.00"))
    with django_assert_num_queries(2):
        html = render_to_string("donations/home_widget.html", {"user": member})
    assert f'value="{count}00.00"' in html
    assert f"{count}0%" in html


def test_home_and_profile_pages_show_the_widgets(client, member):
    MonthlyGoalFactory(amount=Decimal("1000"))
    donation = confirmed_donation(donor=member, amount=Decimal("250"))
    client.force_login(member)
    home = client.get(reverse("home")).text
    assert 'data-testid="donation-widget"' in home
    assert 'max="1000.00" value="250.00"' in home
    profile = client.get(reverse("accounts:profile")).text
    assert 'data-testid="donated-total">250\u00a0₽<' in profile
    assert donation.receipt_number in profile


def test_goal_counts_only_this_months_confirmed_donations(client, member):
    goal = MonthlyGoalFactory(amount=Decimal("2000"))
    confirmed_donation(amount=Decimal("500"))
    DonationFactory(amount=Decimal("900"))
    assert goal.month == month_of()
    assert MonthlyGoal.objects.get().amount == Decimal("2000.00")
    client.force_login(member)
    response = client.get(reverse("donations:wall"))
    assert (response.context["progress"].raised, response.context["progress"].percent) == (
        Decimal("500.00"),
        25,
    )


def test_a_page_of_the_wall_is_read_in_order_from_its_index(member):
    """The wall's first page reads its rows through donation_wall, newest first, never the
    whole history of donations (checked on PostgreSQL)."""
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    first = timezone.now() - dt.timedelta(days=3000)
    Donation.objects.bulk_create(
        Donation(
            donor=member,
            amount=Decimal("100.00"),
            status=DonationStatus.CONFIRMED,
            created_at=first + dt.timedelta(days=day),
            confirmed_at=first + dt.timedelta(days=day, hours=1),
            receipt_number=f"R-{day}",
        )
        for day in range(3000)
    )
    page = Donation.objects.wall()[:21]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE donations_donation")
        plan = page.explain()

    assert "Index Scan using donation_wall on donations_donation" in plan
    assert "Seq Scan on donations_donation" not in plan
    assert [donation.receipt_number for donation in page] == [f"R-{day}" for day in range(2999, 2978, -1)]

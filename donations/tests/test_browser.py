from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.tests.factories import UserFactory
from donations.models import Donation
from donations.tests.factories import MonthlyGoalFactory, confirmed_donation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _shoot(page: Page, artifacts_dir, name: str) -> None:
    page.screenshot(path=artifacts_dir / f"donations-{name}.png", full_page=True)
    # Nothing of ours sticks out sideways, whatever the screen (the shared header is not ours).
    assert page.evaluate("document.querySelector('main').scrollWidth") <= page.viewport_size["width"]


@pytest.mark.within("month")  # the goal and the totals are this month's
def test_member_pledges_staff_confirm_and_it_counts_everywhere(
    page: Page, log_in, live_server, artifacts_dir, member, staff, password
):
    MonthlyGoalFactory(amount=Decimal("10000"), description="Новая кофемашина")
    confirmed_donation(donor=UserFactory(full_name="Анна Кузнецова"), amount=Decimal("2500"), message="Ура!")
    confirmed_donation(
        donor=UserFactory(full_name="Тайный Меценат"), amount=Decimal("500"), is_anonymous=True
    )
    member.full_name = "Иван Петров"
    member.visible_to_members = True
    member.save()

    log_in(page, member, reverse("donations:wall"))
    expect(page.get_by_test_id("goal-bar")).to_have_attribute("value", "3000.00")
    expect(page.get_by_test_id("goal-percent")).to_have_text("30%")

    page.get_by_role("navigation", name="Основное меню").get_by_role("link", name="Поддержать").click()
    page.fill("input[name=amount]", "-5")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("amount-error")).to_have_text("Сумма должна быть больше нуля.")
    expect(page.locator("input[name=amount]")).to_have_value("-5")
    _shoot(page, artifacts_dir, "donate-error")

    page.fill("input[name=amount]", "1 500")
    page.fill("textarea[name=message]", "<script>alert(1)</script> На кофе и печеньки!")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("pledge")).to_contain_text("Ждёт подтверждения")
    expect(page.get_by_test_id("pledge")).to_contain_text("1\u00a0500\u00a0₽")
    _shoot(page, artifacts_dir, "pledge")
    pledge = Donation.objects.get(donor=member)
    assert (pledge.amount, pledge.status) == (Decimal("1500.00"), "pledged")

    page.goto(live_server.url + reverse("donations:donate"))
    expect(page.get_by_test_id("waiting-pledges")).to_contain_text("1\u00a0500\u00a0₽")
    _shoot(page, artifacts_dir, "donate")
    page.get_by_test_id("logout").click()

    log_in(page, staff, reverse("donations:staff"))
    row = page.get_by_test_id("pledge-row").filter(has_text="Иван Петров")
    expect(row).to_contain_text("<script>alert(1)</script>")
    _shoot(page, artifacts_dir, "staff-desk")
    row.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("pledges")).to_contain_text("Подтверждено: квитанция")
    expect(page.get_by_test_id("pledge-row")).to_have_count(0)
    expect(page.get_by_test_id("staff-raised")).to_have_text("4\u00a0500\u00a0₽")
    expect(page.locator("#staff-goal").get_by_test_id("goal-percent")).to_have_text("45%")
    expect(page.get_by_test_id("month-row")).to_contain_text("4\u00a0500\u00a0₽")
    _shoot(page, artifacts_dir, "staff-desk-confirmed")
    page.get_by_test_id("logout").click()

    log_in(page, member, reverse("donations:wall"))
    expect(page.get_by_test_id("goal-bar")).to_have_attribute("value", "4500.00")
    expect(page.get_by_test_id("goal-percent")).to_have_text("45%")
    first = page.get_by_test_id("wall-item").first
    expect(first.get_by_test_id("wall-name")).to_have_text("Иван Петров")
    expect(first.get_by_test_id("wall-message")).to_have_text("<script>alert(1)</script> На кофе и печеньки!")
    expect(page.get_by_test_id("wall-name")).to_have_text(["Иван Петров", "Аноним", "Анна Кузнецова"])
    _shoot(page, artifacts_dir, "wall")

    page.goto(live_server.url + reverse("accounts:profile"))
    expect(page.get_by_test_id("donated-total")).to_have_text("1\u00a0500\u00a0₽")
    expect(page.get_by_test_id("karma")).to_have_text("15")
    pledge.refresh_from_db()
    expect(page.get_by_test_id("my-donation")).to_contain_text(pledge.receipt_number)
    _shoot(page, artifacts_dir, "profile")
    page.get_by_test_id("my-donation").get_by_role("link", name=pledge.receipt_number).click()
    expect(page.get_by_test_id("receipt-number")).to_have_text(pledge.receipt_number)
    _shoot(page, artifacts_dir, "receipt")

    page.set_viewport_size(PHONE)
    for name, url in (
        ("wall", reverse("donations:wall")),
        ("donate", reverse("donations:donate")),
        ("profile", reverse("accounts:profile")),
        ("receipt", pledge.get_absolute_url()),
    ):
        page.goto(live_server.url + url)
        _shoot(page, artifacts_dir, f"{name}-phone")

    # The home page's widget: the same goal bar, moved.
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + reverse("home"))
    expect(page.get_by_test_id("home-karma")).to_have_text("15")
    widget = page.get_by_test_id("donation-widget")
    expect(widget.get_by_test_id("goal-bar")).to_have_attribute("value", "4500.00")
    expect(widget.get_by_test_id("goal-percent")).to_have_text("45%")
    _shoot(page, artifacts_dir, "home")
    widget.get_by_role("link", name="Кто поддерживает пространство").click()
    expect(page).to_have_url(live_server.url + reverse("donations:wall"))


def test_staff_desk_fits_a_phone(page: Page, log_in, live_server, artifacts_dir, staff, password):
    MonthlyGoalFactory(amount=Decimal("10000"))
    confirmed_donation(amount=Decimal("2500"))
    Donation.objects.create(
        donor=UserFactory(full_name="Павел Морозов"),
        amount=Decimal("700"),
        message="Очень длинное сообщение " * 5,
    )
    page.set_viewport_size(PHONE)
    log_in(page, staff, reverse("donations:staff"))
    expect(page.get_by_test_id("pledge-row")).to_have_count(1)
    page.get_by_test_id("reject").click()  # the browser asks for the reason first
    expect(page.get_by_test_id("pledge-row")).to_have_count(1)
    page.fill("input[name=reason]", "Перевод не пришёл")
    page.get_by_test_id("reject").click()
    expect(page.get_by_test_id("pledges")).to_contain_text("Обещание отклонено.")
    assert Donation.objects.get(donor__full_name="Павел Морозов").status == "rejected"
    _shoot(page, artifacts_dir, "staff-desk-phone")

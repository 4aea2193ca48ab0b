"""Every admin list fits a 1280 px screen with readable headers, in a real Chromium, for a
superuser and a manager, in Russian and in English: nothing scrolls sideways (the page,
the changelist, the results table's box) and no header is a raw "PK" or "Id"."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import Page

from accounts.tests.factories import UserFactory
from staff.roles import MANAGER
from staff.tests.admin_rows import fill_every_admin_list

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RAW_HEADERS = {"PK", "ID", "Id", "id", "pk"}

MEASURE = """() => {
  const box = (el) => el ? {scroll: el.scrollWidth, client: el.clientWidth} : null;
  return {
    page: box(document.documentElement),
    changelist: box(document.querySelector('#changelist')),
    results: box(document.querySelector('#changelist .results')),
    headers: [...document.querySelectorAll('#result_list thead th')].map(th => th.innerText.trim()),
    rows: document.querySelectorAll('#result_list tbody tr').length,
  };
}"""


def _user(role: str, language: str, password: str):
    if role == "superuser":
        return UserFactory(
            password=password, is_staff=True, is_superuser=True, full_name="Главный Админ", language=language
        )
    user = UserFactory(password=password, is_staff=True, full_name="Менеджер Пространства", language=language)
    user.groups.add(Group.objects.get(name=MANAGER))
    return user


@pytest.mark.parametrize(
    ("role", "language"), [("superuser", "ru"), ("superuser", "en"), ("manager", "ru"), ("manager", "en")]
)
def test_every_admin_list_fits_1280_px_with_readable_headers(
    page: Page, log_in, live_server, artifacts_dir, password, role, language
):
    assert page.viewport_size == {"width": 1280, "height": 800}
    user = _user(role, language, password)
    log_in(page, user)
    fill_every_admin_list(user)  # after signing in: a social app would add a button to the form
    problems, opened = [], []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if not model_admin.has_view_or_change_permission(_request_for(user)):
            continue
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        page.goto(live_server.url + changelist)
        opened.append(opts.label)
        shown = page.evaluate(MEASURE)
        name = f"admin-{role}-{language}-{opts.app_label}_{opts.model_name}.png"
        page.screenshot(path=artifacts_dir / name, full_page=True)
        # A one-row model (the default booking rules) sends its list to its one row's page.
        single = not page.url.endswith(changelist)
        if shown["rows"] == 0 and not single:
            problems.append(f"{opts.label}: no rows to look at")
        for part in ("page", "changelist", "results"):
            box = shown[part]
            if box and box["scroll"] > box["client"]:
                problems.append(f"{opts.label}: {part} is {box['scroll']} px wide in {box['client']} px")
        raw = [header for header in shown["headers"] if header in RAW_HEADERS]
        if raw:
            problems.append(f"{opts.label}: raw headers {raw}")
    assert problems == [], "\n".join(problems)
    # A manager sees the spaces, bookings, visits, donations and rules; a superuser everything.
    expected = {
        "spaces.Building",
        "bookings.Booking",
        "visits.Visit",
        "donations.Donation",
        "bookings.BuildingRules",
    }
    assert expected <= set(opened)
    if role == "superuser":
        assert set(opened) == {model._meta.label for model in admin.site._registry}


def _request_for(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request

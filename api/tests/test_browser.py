"""In Chromium: the docs page works offline under the site's CSP and calls the API with
the session; a member creates a token from the profile and sees it once."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def test_docs_page_runs_under_the_csp_and_tries_an_endpoint(
    page: Page, live_server, log_in, member, artifacts_dir
):
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    # Anything not served by the site (a CDN) would fail here: the network is closed anyway.
    page.on(
        "request", lambda request: request.url.startswith(live_server.url) or problems.append(request.url)
    )
    log_in(page, member)

    page.goto(live_server.url + reverse("api-v1:openapi-view"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Coworking API")
    page.screenshot(path=artifacts_dir / "api-docs-desktop.png")
    page.locator("#operations-account-api_routers_account_me").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    live = page.locator(".live-responses-table tbody .response")
    expect(live.locator(".response-col_status")).to_have_text("200")
    expect(live.locator(".response-col_description")).to_contain_text(member.email)
    page.screenshot(path=artifacts_dir / "api-docs-tried.png", full_page=True)

    assert problems == []


def test_member_creates_a_token_from_the_profile(page: Page, live_server, log_in, member, artifacts_dir):
    log_in(page, member, next_url=reverse("accounts:profile"))
    page.get_by_test_id("api-tokens-link").click()
    expect(page).to_have_url(live_server.url + reverse("api:tokens"))

    page.get_by_label("Название").fill("Контроллер двери")
    page.get_by_label("Права").select_option("read_write")
    page.get_by_role("button", name="Создать токен").click()

    value = page.get_by_test_id("new-token-value")
    expect(value).to_contain_text("cwk_")
    expect(page.get_by_test_id("token")).to_have_count(1)
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.screenshot(path=artifacts_dir / f"api-tokens-{size}.png", full_page=True)

    page.get_by_role("button", name="Отозвать").click()
    expect(page.get_by_test_id("token")).to_have_count(0)

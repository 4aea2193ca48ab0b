"""The Russian admin speaks Russian on every page: each registered model's list, add and
change page, ours and the libraries' (allauth, django-tasks-db), with no English left in
its labels, headers, filters, help texts, buttons or empty choices.

The data on the pages (names, emails, addresses, codes) is not the admin's to translate:
the check reads the admin's own words, outside the list's rows, the form's values and
the read-only values, and after taking out addresses, identifiers and codes."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from accounts.tests.factories import UserFactory
from staff.tests.admin_rows import fill_every_admin_list

pytestmark = pytest.mark.django_db

# Words that read the same in a Russian admin: names of things, not sentences.
NAMES = {
    "API", "CSV", "HTTP", "HTTPS", "URL", "IP", "ID", "JSON", "QR", "TOTP", "WebAuthn", "OIDC",
    "OpenID", "Connect", "RUB", "MSK", "UTC", "SMTP", "CRM", "ICS", "iCal", "email", "Email",
    "JPEG", "PNG", "WebP", "HMAC", "POST", "https", "LDAP", "UID", "English",
    # Kept in English inside Django's and allauth's own Russian sentences.
    "Control", "Command", "Mac", "Single", "Sing", "On", "Id", "access", "refresh", "token",
    "Provider",
    # The tasks' queue (data), and a task result's name for itself (django-tasks-db's).
    "default", "DBTaskResult", "object",
    # The roles' group names (data; the lists show them translated), a browser's name.
    "Front", "desk", "Manager", "Windows", "NT", "KHTML", "like", "Gecko",
}  # fmt: skip
# Addresses, dotted identifiers (booking.created, bookings.tasks.send), paths, zones, codes.
DATA = re.compile(
    r"\S+@\S+|https?://\S+|\b[\w-]+(?:\.[\w-]+)+\b|\b\w+/\w+(?:/\w+)*\b|\b[0-9a-f]{8}-[0-9a-f-]{27}\b"
    r"|\b\w*\d\w*\b|\b[a-z]+_[a-z_]+\b"
)
LATIN = re.compile(r"[A-Za-z][A-Za-z'’]*(?:[ -]+[A-Za-z][A-Za-z'’]*)*")
SKIPPED = {"script", "style", "textarea", "pre", "tbody", "code"}


class AdminWords(HTMLParser):
    """The text of a page that the admin itself writes, with placeholders and titles."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.words: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        skip = (
            tag in SKIPPED
            or "readonly" in classes
            or (tag == "option" and attrs.get("value") not in ("", None))
            or (tag == "a" and "/change/" in (attrs.get("href") or "") and "viewlink" not in classes)
            or any(skipping for _tag, skipping in self.stack)
        )
        if tag in {"input", "br", "img", "meta", "link", "hr"}:
            if not skip:
                for name in ("placeholder", "title", "aria-label"):
                    if attrs.get(name):
                        self.words.append(attrs[name])
                if tag == "input" and attrs.get("type") in ("submit", "button"):
                    self.words.append(attrs.get("value") or "")
            return
        if not skip:
            for name in ("placeholder", "title", "aria-label"):
                if attrs.get(name):
                    self.words.append(attrs[name])
        self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        while self.stack:
            opened, _skip = self.stack.pop()
            if opened == tag:
                break

    def handle_data(self, data):
        if not any(skipping for _tag, skipping in self.stack) and data.strip():
            self.words.append(data)


def english_left(html: str) -> set[str]:
    parser = AdminWords()
    parser.feed(html)
    found = set()
    for text in parser.words:
        text = DATA.sub(" ", text)
        for phrase in LATIN.findall(text):
            words = [word for word in re.split(r"[ -]+", phrase) if word not in NAMES]
            if any(len(word) > 2 for word in words):
                found.add(phrase)
    return found


def _pages(user) -> dict[str, str]:
    request = RequestFactory().get("/")
    request.user = user
    pages = {"index": reverse("admin:index")}
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        pages[opts.label] = reverse(f"{name}_changelist")
        if model_admin.has_add_permission(request):
            pages[f"{opts.label} add"] = reverse(f"{name}_add")
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages[f"{opts.label} change"] = reverse(f"{name}_change", args=[first.pk])
        pages[f"{opts.label} app"] = reverse("admin:app_list", args=[opts.app_label])
    return pages


def test_english_left_finds_english_words_only():
    html = (
        '<h1>Выберите участника</h1><label>Series:</label><option value="">- Select an option -</option>'
        '<option value="3">Ivan</option><tbody><tr><td>Ivan Ivanov</td></tr></tbody>'
        "<p>aleksandra@example.org booking.created Europe/Moscow API 2026-000001 wS</p>"
        '<input type="submit" value="Save"><input placeholder="Search">'
    )
    assert english_left(html) == {"Series", "Select an option", "Save", "Search"}


def test_every_admin_page_speaks_russian(client):
    staff = UserFactory(is_staff=True, is_superuser=True, full_name="Главный Админ", language="ru")
    fill_every_admin_list(staff)
    client.force_login(staff)
    leftovers = {}
    for page, url in _pages(staff).items():
        response = client.get(url, follow=True)
        assert response.status_code == 200, page
        found = english_left(response.text)
        if found:
            leftovers[page] = sorted(found)
    assert leftovers == {}, "\n".join(f"{page}: {words}" for page, words in leftovers.items())

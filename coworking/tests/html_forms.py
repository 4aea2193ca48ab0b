"""Reading a page's links and forms, and filling a form in as a browser would.

The hostile crawler (crawl.py) sends what `base_data` gives, then one field at a time changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

from django.utils import timezone

BUTTONS = ("submit", "button", "reset", "image")


@dataclass
class Field:
    name: str
    tag: str  # input, select, textarea, button
    type: str = "text"
    value: str = ""
    checked: bool = False
    required: bool = False
    css: str = ""
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)
    multiple: bool = False


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)
    hx_target: str = ""


class PageParser(HTMLParser):
    """The links and forms of one page; form fields outside any <form> are ignored."""

    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: str | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.url, a["href"]))
        elif tag == "form":
            action = a.get("action") or a.get("hx-post") or a.get("hx-get") or self.url
            method = a.get("method", "get").lower()
            if not a.get("method") and a.get("hx-post"):
                method = "post"
            self._form = Form(urljoin(self.url, action), method, hx_target=a.get("hx-target", ""))
            self.forms.append(self._form)
        elif self._form is None or "name" not in a or "disabled" in a:
            return
        elif tag in ("input", "button"):
            kind = a.get("type", "text" if tag == "input" else "submit").lower()
            self._form.fields.append(
                Field(
                    a["name"],
                    tag,
                    kind,
                    a.get("value", "on" if kind in ("checkbox", "radio") else ""),
                    checked="checked" in a,
                    required="required" in a,
                    css=a.get("class", ""),
                )
            )
        elif tag == "select":
            self._select = Field(a["name"], tag, required="required" in a, multiple="multiple" in a)
            self._form.fields.append(self._select)
        elif tag == "textarea":
            self._textarea = Field(a["name"], tag, required="required" in a)
            self._form.fields.append(self._textarea)
        if tag == "option" and self._select is not None:
            self._select.options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def filler(f: Field, serial: int) -> str:
    """A valid-looking value for a required field the page left empty."""
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    if f.type == "email" or "email" in f.name:
        return f"crawl{serial}@example.com"
    if f.type == "number":
        return "1"
    if f.type == "date" or "vdatefield" in f.css.lower():
        return tomorrow.isoformat()
    if f.type == "time" or "vtimefield" in f.css.lower():
        return "10:00"
    if f.type == "datetime-local":
        return f"{tomorrow.isoformat()}T10:00"
    if f.type == "password":
        return "Crawl-pass-12345"
    if f.type == "url":
        return "https://example.com/"
    return "crawl"


def base_data(form: Form, serial: int = 0) -> list[tuple[str, object]]:
    """What a browser would send, with required empty fields filled; no submit button."""
    data: list[tuple[str, object]] = []
    for f in form.fields:
        if f.tag == "select":
            chosen = [v for v, selected in f.options if selected]
            if not chosen and not f.multiple:
                offered = [v for v, _s in f.options if v] if f.required else [v for v, _s in f.options]
                chosen = offered[:1]
            data += [(f.name, v) for v in chosen]
        elif f.type in ("checkbox", "radio"):
            if f.checked:
                data.append((f.name, f.value))
        elif f.type in (*BUTTONS, "file"):
            continue
        elif not f.value and f.required:
            data.append((f.name, filler(f, serial)))
        else:
            data.append((f.name, f.value))
    return data


def as_dict(pairs: list[tuple[str, object]]) -> dict[str, list]:
    out: dict[str, list] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out

"""A hostile crawler for the project's own pages, driven through Django's test client.

It walks every page it can reach from a few start URLs and from the URL resolver, reads
every <form> (and the query parameters of every link), and sends each one back with its
own values, then again with one field at a time replaced by a hostile value: huge and
negative numbers, years 1 and 9999, NUL, 10,000 characters, zones that are no IANA zones,
choices that were never offered. Whatever comes back must not be a 5xx, an exception or a
request that runs for seconds. It never follows redirects, never deletes (delete views
and the admin's "Yes, I'm sure" forms are left alone) and never logs itself out.
"""

from __future__ import annotations

import re
import signal
import time
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from coworking.tests.html_forms import BUTTONS, Field, Form, PageParser, as_dict, base_data

ROOT = Path(__file__).resolve().parents[2]
HUGE = "9" * 30
LONG = "x" * 10_000
NUL = "a\x00b"
NUMBERS = [HUGE, "-99999999", "0", "NaN"]
DATES = ["0001-01-01", "9999-12-31"]
DATETIMES = ["0001-01-01T00:00", "9999-12-31T23:59"]
TIMES = ["24:00"]
ZONES = ["localtime", "Factory", "Mars/Olympus"]
# The parameters list pages take, all hostile at once.
LIST_PARAMS = [
    {"page": "-1", "p": "-1", "date": "9999-12-31", "building": "abc", "q": NUL, "month": "13", "year": "0"},
    {
        "page": HUGE,
        "p": HUGE,
        "date": "0001-01-01",
        "building": HUGE,
        "q": LONG,
        "month": HUGE,
        "year": "9999",
    },
]
# The admin's own sorting and facet switches: Django's code, tried once through LIST_PARAMS.
GENERIC_PARAMS = {"o", "e", "_facets", "_popup", "_to_field", "_changelist_filters"}
NUMBER_LIKE = re.compile(r"amount|count|minutes|hours|days|capacity|floor|quota|karma|max|min|^p(age)?$")
DATE_LIKE = re.compile(r"date|day|_on$|start|end|from|until|month|year|_at(_\d)?$")
DATE_VALUE = re.compile(r"^\d{4}-\d\d-\d\d|^\d\d\.\d\d\.\d{4}")
# What a tiny upload that is not what it says looks like.
BAD_FILE = ("crawl.png", b"not an image")
# A request that takes longer than this is a hang (the zero-step slot loop was one).
# Measured in this process's CPU time, so a busy machine doesn't turn a slow request into one.
REQUEST_SECONDS = 5
LINKS_PER_ROUTE = 2
# After this many, a route is left alone: a page that loops forever would eat the crawl.
HANGS_PER_ROUTE = 3
NEVER_SUBMITTED = ("logout", "_delete")
# Fields the crawler leaves as they are (admin rows are picked in the actions' own pass).
SKIPPED = {"csrfmiddlewaretoken", "_selected_action", "select_across"}


class CrawlTimeout(Exception):
    pass


@dataclass
class Failure:
    role: str
    method: str
    url: str
    field: str
    value: str
    status: int
    error: str
    frame: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What KNOWN_OPEN lists: the same on every run, whatever the primary keys are."""
        return (self.role, self.method, route_of(self.url) or urlsplit(self.url).path, _row_free(self.field))

    def line(self) -> str:
        value = self.value if len(self.value) <= 40 else f"{self.value[:20]}…({len(self.value)} chars)"
        return (
            f"{self.role} {self.method} {self.url} [{self.field}={value!r}] -> {self.status} "
            f"{self.error} at {self.frame}"
        )


def _top_frame(error: BaseException) -> str:
    """The innermost frame in the project's own code (else the innermost one)."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [
        f
        for f in frames
        if f.filename.startswith(str(ROOT)) and "/.venv/" not in f.filename and "/tests/" not in f.filename
    ]
    where = f"{Path(ours[-1].filename).relative_to(ROOT)}:{ours[-1].lineno}" if ours else "-"
    innermost = frames[-2] if isinstance(error, CrawlTimeout) else frames[-1]
    return f"{where} (raised at {innermost.filename.split('site-packages/')[-1]}:{innermost.lineno})"


def _on_alarm(signum, frame):
    raise CrawlTimeout(f"still working after {REQUEST_SECONDS}s of CPU time")


def route_of(url: str) -> str | None:
    try:
        return resolve(urlsplit(url).path).route
    except Resolver404:
        return None


def _family(url: str) -> str:
    """Admin add and change forms of one model are one form family."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return urlsplit(url).path
    return re.sub(r"_(add|change)$", "", match.view_name or match.route)


def _row_free(name: str) -> str:
    """A formset field's name without its row number: rows of one formset are fuzzed once."""
    return re.sub(r"-\d+-", "-N-", name)


def hostile_values(f: Field, repeated: bool = False) -> list:
    """The values to try in one field: one per way a field of its kind was seen to break."""
    looks = f"{f.name} {f.css} {f.value}".lower()
    if f.type == "file":
        return [SimpleUploadedFile(*BAD_FILE)]
    if f.name.endswith(("-MIN_NUM_FORMS", "-MAX_NUM_FORMS")):
        return []  # the server never reads them
    if f.name.endswith(("-TOTAL_FORMS", "-INITIAL_FORMS")):
        return [HUGE, "-99999999", "abc"]
    if f.type == "checkbox" and not repeated:
        return []  # a lone checkbox is on whatever it says
    if f.tag == "select" or f.type in ("radio", "checkbox", "hidden"):
        values = [HUGE, NUL, "abc"]
    elif f.type == "number" or NUMBER_LIKE.search(f.name) or re.fullmatch(r"-?\d+([.,]\d+)?", f.value):
        values = NUMBERS
    else:
        values = [NUL, LONG]
    if f.type == "datetime-local":
        values += DATETIMES
    elif f.type == "date" or DATE_LIKE.search(f.name) or "vdatefield" in looks or DATE_VALUE.search(f.value):
        values += DATES
    if f.type == "time" or "vtimefield" in looks:
        values += TIMES
    if "zone" in looks or re.fullmatch(r"[A-Z][a-z]+/[A-Za-z_]+", f.value):
        values += ZONES
    return values


class Crawler:
    def __init__(self, client, role: str, user=None, within: str = "/", outside: str = "", skip=()):
        """`within`/`outside`: the path prefixes to crawl and to leave alone; `skip`: the
        Failure.key of requests not to send (known defects still open)."""
        self.client = client
        self.role = role
        self.user = user
        self.within = within
        self.outside = outside or None
        self.skip = set(skip)
        self.skipped = 0
        self.started = time.monotonic()
        self.counts: Counter[str] = Counter()
        self.failures: list[Failure] = []
        self.requested_routes: set[str] = set()
        self.requests = 0
        self.seconds: Counter[str] = Counter()
        self._links_per_route: dict[str, int] = {}
        self._seen_urls: set[str] = set()
        self._fuzzed_fields: set[tuple[str, str, str]] = set()
        self._fuzzed_params: set[tuple[str, str]] = set()
        self._forms_seen: set[tuple] = set()
        self._timeouts: Counter[str] = Counter()
        self._serial = 0

    # -- requests ---------------------------------------------------------------------------

    def request(self, method: str, url: str, data=None, field_name: str = "", value: object = "", **headers):
        route = route_of(url)
        if self._timeouts[route] >= HANGS_PER_ROUTE:
            return None
        if (self.role, method.upper(), route or urlsplit(url).path, _row_free(field_name)) in self.skip:
            self.skipped += 1
            return None
        if route is not None:
            self.requested_routes.add(route)
        self.requests += 1
        response = error = None
        started = time.monotonic()
        previous = signal.signal(signal.SIGPROF, _on_alarm)
        signal.setitimer(signal.ITIMER_PROF, REQUEST_SECONDS)
        try:
            with transaction.atomic():
                send = self.client.get if method == "get" else self.client.post
                response = send(url, data if data is not None else {}, headers=headers or None)
        except Exception as exc:
            error = exc
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGPROF, previous)
            self.seconds[route or url] += time.monotonic() - started
            self.counts[route or url] += 1
        shown = value.name if isinstance(value, SimpleUploadedFile) else str(value)
        if error is not None:
            if isinstance(error, CrawlTimeout):
                self._timeouts[route] += 1
            self.failures.append(
                Failure(self.role, method.upper(), url, field_name, shown, 500,
                        f"{type(error).__name__}: {str(error)[:200]}", _top_frame(error))
            )  # fmt: skip
            return None
        if response.status_code >= 500:
            self.failures.append(
                Failure(self.role, method.upper(), url, field_name, shown, response.status_code, "", "")
            )
        self._stay_who_we_are()
        return response

    def _stay_who_we_are(self) -> None:
        """A form may log the crawler out (a password change) or in (a sign-up): undo it."""
        logged_in = "_auth_user_id" in self.client.session
        if self.user is None and logged_in:
            self.client.logout()
        elif self.user is not None and not logged_in:
            self.client.force_login(self.user)

    # -- pages --------------------------------------------------------------------------------

    def visit(self, url: str) -> None:
        """GET a page once, then its forms and links."""
        url = url.split("#")[0]
        if url in self._seen_urls or urlsplit(url).netloc not in ("", "testserver"):
            return
        path = urlsplit(url).path
        route = route_of(url)
        if route is None or not self.in_scope(path):
            return
        if self._links_per_route.get(route, 0) >= LINKS_PER_ROUTE:
            return
        self._links_per_route[route] = self._links_per_route.get(route, 0) + 1
        self._seen_urls.add(url)
        response = self.request("get", url)
        self.fuzz_query(url)
        if response is None or response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            return
        parser = PageParser(url)
        parser.feed(response.content.decode(response.charset or "utf-8", "replace"))
        for form in parser.forms:
            self.fuzz_form(form)
        for link in parser.links:
            self.visit(link)

    def fuzz_query(self, url: str) -> None:
        """The page's own query parameters one at a time made hostile; then the usual list
        parameters (page, date, building, search ...) all at once, twice."""
        parts = urlsplit(url)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        route = route_of(url) or parts.path
        for name in params:
            if (route, name) in self._fuzzed_params or name in GENERIC_PARAMS:
                continue
            self._fuzzed_params.add((route, name))
            date_like = DATE_LIKE.search(name) or DATE_VALUE.search(params[name])
            for value in [HUGE, "-99999999", NUL, "abc", *(DATES if date_like else [])]:
                self.request("get", parts.path, {**params, name: value}, name, value)
        if (route, "*") not in self._fuzzed_params:
            self._fuzzed_params.add((route, "*"))
            for bomb in LIST_PARAMS:
                self.request("get", parts.path, {**params, **bomb}, "*", str(bomb)[:60])

    def in_scope(self, path: str) -> bool:
        if path.startswith(("/static/", "/media/")) or (self.outside and path.startswith(self.outside)):
            return False
        return path.startswith(self.within)

    def _never(self, url: str) -> bool:
        try:
            name = resolve(urlsplit(url).path).url_name or ""
        except Resolver404:
            return False
        return any(word in name for word in NEVER_SUBMITTED)

    # -- forms --------------------------------------------------------------------------------

    def fuzz_form(self, form: Form) -> None:
        if (
            not self.in_scope(urlsplit(form.action).path)
            or self._never(form.action)
            or any(f.name == "post" and f.value == "yes" for f in form.fields)
        ):
            return  # a logout or a delete confirmation
        family = _family(form.action)
        signature = (form.method, family, tuple(sorted({_row_free(f.name) for f in form.fields})))
        if signature in self._forms_seen:
            return
        self._forms_seen.add(signature)
        self._serial += 1
        base = base_data(form, self._serial)
        named = [f for f in form.fields if f.type == "submit" and f.name]
        # The buttons that say what to do (preview or book); admin's "save and ..." are one.
        presses = [[(b.name, b.value)] for b in named if b.name == named[0].name] or [[]]
        for pressed in presses:
            response = self.send(form, base + pressed)
            if response is not None and response.status_code == 200:
                self._follow_up(form, response)
        pressed = presses[0]
        if form.hx_target:
            self.send(form, base + pressed, **{"HX-Request": "true", "HX-Target": form.hx_target.lstrip("#")})
        self._admin_actions(form, base)
        names = Counter(f.name for f in form.fields)
        for f in form.fields:
            if f.type in BUTTONS or f.name in SKIPPED or "__prefix__" in f.name:
                continue
            key = (form.method, family, _row_free(f.name))
            if key in self._fuzzed_fields:
                continue
            self._fuzzed_fields.add(key)
            others = [(n, v) for n, v in base if n != f.name]
            for value in dict.fromkeys(hostile_values(f, repeated=names[f.name] > 1)):
                self.send(form, [*others, (f.name, value), *pressed], f.name, value)

    def send(self, form: Form, pairs: list, field_name: str = "", value: object = "", **headers):
        data = as_dict(pairs)
        if form.method == "get":
            return self.request("get", urlsplit(form.action).path, data, field_name, value, **headers)
        return self.request("post", form.action, data, field_name, value, **headers)

    def _follow_up(self, form: Form, response) -> None:
        """A form answered with another form (an admin action's own step, a preview): fuzz it."""
        if "html" not in response.get("Content-Type", ""):
            return
        parser = PageParser(form.action)
        parser.feed(response.content.decode(response.charset or "utf-8", "replace"))
        for follow_up in parser.forms:
            if _family(follow_up.action) != _family(form.action) or follow_up.fields != form.fields:
                self.fuzz_form(follow_up)

    def _admin_actions(self, form: Form, base: list) -> None:
        """Every action of an admin changelist on its first row, then on rows that don't exist."""
        action = next((f for f in form.fields if f.tag == "select" and f.name == "action"), None)
        rows = [f.value for f in form.fields if f.name == "_selected_action"]
        if action is None or not rows:
            return
        others = [(n, v) for n, v in base if n not in ("action", "_selected_action", "index")]
        for name, _selected in action.options:
            if not name:
                continue
            chosen = [*others, ("action", name), ("index", "0")]
            response = self.send(form, [*chosen, ("_selected_action", rows[0])], "action", name)
            if response is not None and response.status_code == 200 and name != "delete_selected":
                self._follow_up(form, response)
            for value in (HUGE, "abc"):
                self.send(form, [*chosen, ("_selected_action", value)], f"_selected_action ({name})", value)


def all_routes() -> dict[str, str]:
    """Every URL pattern of the project: its full route -> a dotted name for messages."""
    routes: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            # Joined as Django's resolver joins them, so they compare equal to ResolverMatch.route.
            route = prefix + str(pattern.pattern).removeprefix("^") if prefix else str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, route, ns)
            elif isinstance(pattern, URLPattern):
                routes[route] = f"{namespace}{pattern.name or pattern.lookup_str}"

    walk(get_resolver().url_patterns, "", "")
    return routes


def sample_url(route: str, value: str) -> str:
    """A URL for a route with every parameter set to `value` (it may not resolve back)."""
    path = re.sub(r"\(\?P<\w+>[^)]*\)", value, route.removeprefix("^").removesuffix("$"))
    return "/" + re.sub(r"<(?:\w+:)?\w+>", value, path)

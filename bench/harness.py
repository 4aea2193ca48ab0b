"""The measuring side of `make bench`: sessions, request plans, wrk, the booking race,
process CPU and memory, and the report. tools/benchenv.py starts the servers and calls it.

Django must be set up (with the bench database and production settings) before the
functions that read the database are called.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import platform
import random
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = ROOT / "bench" / "wrk.lua"
CSRF_TOKEN = "benchbenchbenchbenchbenchbench12"  # 32 characters: a valid unmasked secret
POOL = 64  # sessions per pool at most
RACE_SIZE = 50
TICKS = os.sysconf("SC_CLK_TCK")


# --- What the seeded database holds ------------------------------------------------


@dataclass
class Fixture:
    tower: int
    rooms: list[int]
    desks: list[int]
    zone: str
    # Separate members for separate loads, so one member's requests never queue on
    # another's (sessions, open visits, quotas): browse, home, check-in, book, race.
    pools: dict[str, list[tuple[int, str]]] = field(default_factory=dict)


def load_fixture() -> Fixture:
    """Read the bench buildings and log members in (a new session each), opening a visit
    for the members whose home page shows one."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.models import User
    from coworking.management.commands.seed_bench import LOFT, TOWER
    from spaces.models import Building, Desk, Room
    from visits.models import Visit

    tower = Building.objects.get(name=TOWER)
    loft = Building.objects.get(name=LOFT)
    users = list(User.objects.filter(email__startswith="bench-").order_by("pk"))
    size = min(POOL, len(users) // 5)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    pools = {}
    for index, name in enumerate(["browse", "home", "checkin", "book", "race"]):
        pool = []
        for user in users[index * size : (index + 1) * size]:
            session = store()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            pool.append((user.pk, session.session_key))
        pools[name] = pool
    for user_id, _key in pools["home"]:
        Visit.objects.get_or_create(user_id=user_id, checked_out_at=None, defaults={"building": tower})
    return Fixture(
        tower=tower.pk,
        rooms=list(Room.objects.filter(building=tower).order_by("name").values_list("pk", flat=True)),
        desks=list(Desk.objects.filter(room__building=loft).order_by("pk").values_list("pk", flat=True)),
        zone=tower.time_zone,
        pools=pools,
    )


def cookie(session_key: str) -> str:
    from django.conf import settings

    return f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.CSRF_COOKIE_NAME}={CSRF_TOKEN}"


# --- Request plans -----------------------------------------------------------------


Line = tuple[str, str, str]  # path, Cookie header, form body


@dataclass
class Endpoint:
    name: str
    method: str
    lines: Callable[[Fixture, int], list[Line]]  # the fixture and the run number
    note: str = ""


def _gets(path: Callable[[Fixture, int], str], pool: str = "browse") -> Callable[[Fixture, int], list[Line]]:
    def lines(fixture: Fixture, run: int) -> list[Line]:
        return [(path(fixture, n), cookie(key), "") for n, (_user, key) in enumerate(fixture.pools[pool])]

    return lines


def _form(**values) -> str:
    return urlencode({**values, "csrfmiddlewaretoken": CSRF_TOKEN})


def free_desk_slots(fixture: Fixture, seed: int = 13) -> list[tuple[int, dt.date, dt.time]]:
    """Every Loft desk's 30-minute slot from tomorrow to 27 days ahead, in a seeded
    order: the Loft has no bookings, so each is free until the bench books it."""
    import zoneinfo

    today = dt.datetime.now(zoneinfo.ZoneInfo(fixture.zone)).date()
    slots = [
        (desk, today + dt.timedelta(days=days), dt.time(7 + half // 2, 30 * (half % 2)))
        for days in range(1, 28)
        for half in range(22)
        for desk in fixture.desks
    ]
    random.Random(seed).shuffle(slots)  # noqa: S311 - a reproducible order, not a secret
    return slots


BOOK_CHUNK = 6000  # booking POSTs one run can send before a slot repeats
BOOK_RUNS = 6  # the probe and up to five runs get slots of their own


def _bookings(fixture: Fixture, run: int) -> list[Line]:
    slots = free_desk_slots(fixture)
    # The probe (run -1) and each run take their own slots: no POST finds its slot taken.
    size = min(BOOK_CHUNK, len(slots) // BOOK_RUNS)
    chunk = slots[(run + 1) * size : (run + 2) * size]
    pool = fixture.pools["book"]
    lines = []
    for n, (desk, day, start) in enumerate(chunk):
        end = (dt.datetime.combine(day, start) + dt.timedelta(minutes=30)).time()
        body = _form(
            place=f"desk-{desk}", date=day.isoformat(), start_time=f"{start:%H:%M}", end_time=f"{end:%H:%M}"
        )
        lines.append(("/bookings/new/", cookie(pool[n % len(pool)][1]), body))
    return lines


def _check_ins(fixture: Fixture, run: int) -> list[Line]:
    """Each member checks in, then out, in turn (karma is awarded on the way out)."""
    pool = fixture.pools["checkin"]
    body = _form(building=fixture.tower)
    checkout = _form()
    return [("/visits/check-in/", cookie(key), body) for _user, key in pool] + [
        ("/visits/check-out/", cookie(key), checkout) for _user, key in pool
    ]


def _availability(fixture: Fixture, n: int) -> str:
    """The API's "what is free?" (issue 8) for an hour tomorrow in the tower."""
    import zoneinfo

    zone = zoneinfo.ZoneInfo(fixture.zone)
    day = dt.datetime.now(zone).date() + dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(9 + n % 8), zone).astimezone(dt.UTC)
    end = start + dt.timedelta(hours=1)
    query = urlencode({"building": fixture.tower, "start": start.isoformat(), "end": end.isoformat()})
    return f"/api/v1/availability?{query}"


ENDPOINTS = [
    Endpoint("healthz", "GET", lambda fixture, run: [("/healthz", "", "")], "the stack's ceiling"),
    Endpoint("day view", "GET", _gets(lambda f, n: f"/bookings/day/{f.tower}/"), "50 rooms, today"),
    Endpoint("week view", "GET", _gets(lambda f, n: f"/bookings/week/room/{f.rooms[n % len(f.rooms)]}/")),
    Endpoint("find", "GET", _gets(lambda f, n: f"/bookings/?building={f.tower}"), "the next free hour"),
    Endpoint("my bookings", "GET", _gets(lambda f, n: "/bookings/mine/")),
    Endpoint("home, open visit", "GET", _gets(lambda f, n: "/", pool="home")),
    Endpoint("donors wall", "GET", _gets(lambda f, n: "/donations/")),
    Endpoint("API availability", "GET", _gets(_availability), "issue 8, session auth"),
    Endpoint("booking POST", "POST", _bookings, "a free desk slot each"),
    Endpoint("check-in/out POST", "POST", _check_ins),
]


# --- SQL per request (in this process, through the same middleware) -----------------


def probe(endpoint: Endpoint, fixture: Fixture) -> tuple[int, int, int]:
    """Queries, body bytes and status of one request like the load's first (its
    booking POST books a slot the load never uses)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    path, header, body = endpoint.lines(fixture, -1)[0]
    client = Client()
    if header:
        client.cookies[settings.SESSION_COOKIE_NAME] = header.split(";")[0].split("=", 1)[1]
    send = client.post if endpoint.method == "POST" else client.get
    kwargs = {"data": body, "content_type": "application/x-www-form-urlencoded"} if body else {}
    send(path, **kwargs)  # warm: the first request of a process fills caches
    if endpoint.method == "POST":
        path, header, body = endpoint.lines(fixture, -1)[1]
        kwargs = {"data": body, "content_type": "application/x-www-form-urlencoded"} if body else {}
    with CaptureQueriesContext(connection) as queries:
        response = send(path, **kwargs)
    return len(queries), len(response.content), response.status_code


# --- Processes: CPU and memory -----------------------------------------------------


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, clock ticks) of a process, None if it is gone. The ticks are its own
    user and system time plus those of its children that ended, so that a database
    backend or a worker that exits during a run still counts."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return int(fields[1]), sum(int(value) for value in fields[11:15])


def family(root: int) -> list[int]:
    """The process and all its descendants."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))):
            parents[int(entry.name)] = stat[0]
    members, grew = {root}, True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in members and pid not in members:
                members.add(pid)
                grew = True
    return sorted(members)


def cpu_seconds(root: int) -> float:
    return sum((_stat(pid) or (0, 0))[1] for pid in family(root)) / TICKS


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


class RssWatch(threading.Thread):
    """The largest resident size of any worker (a descendant of `root`) while running."""

    def __init__(self, root: int):
        super().__init__(daemon=True)
        self.root, self.peak, self.running = root, 0.0, True

    def run(self) -> None:
        while self.running:
            workers = [pid for pid in family(self.root) if pid != self.root]
            self.peak = max([self.peak, *(rss_mb(pid) for pid in workers)])
            time.sleep(0.5)

    def stop(self) -> float:
        self.running = False
        self.join()
        return self.peak


# --- Load ----------------------------------------------------------------------------


@dataclass
class Load:
    port: int
    duration: int
    connections: int
    threads: int
    server_pid: int
    database_pid: int
    plans: Path


def wrk(load: Load, endpoint: Endpoint, lines: list[Line]) -> dict:
    plan = load.plans / f"{endpoint.name.replace(' ', '-').replace('/', '-')}.plan"
    plan.write_text(endpoint.method + "\n" + "".join(f"{p}\t{c}\t{b}\n" for p, c, b in lines))
    command = [
        "wrk",
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{load.duration}s",
        "--timeout",
        "5s",
        "-s",
        str(WRK_SCRIPT),
        f"http://127.0.0.1:{load.port}",
    ]
    environment = {**os.environ, "BENCH_PLAN": str(plan), "BENCH_THREADS": str(load.threads)}
    app_before, db_before = cpu_seconds(load.server_pid), cpu_seconds(load.database_pid)
    watch = RssWatch(load.server_pid)
    watch.start()
    output = subprocess.run(command, env=environment, capture_output=True, text=True, check=True).stdout
    peak = watch.stop()
    app_cpu, db_cpu = cpu_seconds(load.server_pid) - app_before, cpu_seconds(load.database_pid) - db_before
    line = next(line for line in output.splitlines() if line.startswith("BENCH-RESULT "))
    result = json.loads(line.removeprefix("BENCH-RESULT "))
    requests = max(result["requests"], 1)
    errors = sum(result[name] for name in ("connect", "read", "write", "status", "timeout"))
    return {
        "rps": result["requests"] / (result["duration_us"] / 1e6),
        "p50_ms": result["p50_us"] / 1000,
        "p95_ms": result["p95_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "errors": errors,
        "requests": result["requests"],
        "wire_bytes": result["bytes"] / requests,
        "app_cpu_ms": app_cpu * 1000 / requests,
        "db_cpu_ms": db_cpu * 1000 / requests,
        "rss_mb": peak,
    }


def warm_up(port: int, endpoints: list[Endpoint], fixture: Fixture, times: int) -> None:
    """A few GETs of each page first: every worker imports and compiles on its first
    requests, which is no steady state."""
    for endpoint in endpoints:
        if endpoint.method != "GET":
            continue
        for path, header, _body in endpoint.lines(fixture, 0)[:1] * times:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", path, headers={"Cookie": header} if header else {})
            connection.getresponse().read()
            connection.close()


def median_of(runs: list[dict]) -> dict:
    """Each measure's median over the runs; errors and memory: the worst run's."""
    merged = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    merged["errors"] = max(run["errors"] for run in runs)
    merged["rss_mb"] = max(run["rss_mb"] for run in runs)
    merged["runs"] = len(runs)
    return merged


# --- The booking race --------------------------------------------------------------


def race(port: int, fixture: Fixture) -> dict:
    """Every race member POSTs the same desk and slot at once: exactly one booking must
    be made, the others told "taken", and nothing may answer 5xx."""
    import zoneinfo

    from bookings.models import Booking

    zone = zoneinfo.ZoneInfo(fixture.zone)
    day = dt.datetime.now(zone).date() + dt.timedelta(days=28)
    desk = fixture.desks[0]
    body = _form(place=f"desk-{desk}", date=day.isoformat(), start_time="12:00", end_time="13:00")
    members = fixture.pools["race"][:RACE_SIZE]
    barrier = threading.Barrier(len(members))
    results: list[tuple[int, float]] = []

    def post(key: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.connect()
        headers = {"Cookie": cookie(key), "Content-Type": "application/x-www-form-urlencoded"}
        barrier.wait()
        started = time.perf_counter()
        connection.request("POST", "/bookings/new/", body=body, headers=headers)
        status = connection.getresponse().status
        results.append((status, time.perf_counter() - started))
        connection.close()

    threads = [threading.Thread(target=post, args=(key,)) for _user, key in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    start = dt.datetime.combine(day, dt.time(12), zone)
    booked = Booking.objects.active().filter(desk_id=desk, start=start).count()
    statuses = sorted(status for status, _seconds in results)
    latencies = sorted(seconds for _status, seconds in results)
    return {
        "posts": len(results),
        "booked": booked,
        "made": statuses.count(302),
        "taken": statuses.count(409),
        "server_errors": sum(status >= 500 for status in statuses),
        "other": [status for status in statuses if status not in (302, 409) and status < 500],
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


# --- Report --------------------------------------------------------------------------


def machine() -> dict:
    memory = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.machine(),
    )
    postgres = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_gb": round(int(memory) / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": postgres,
        "wrk": wrk_version.strip(),
        "load_average": os.getloadavg(),
    }

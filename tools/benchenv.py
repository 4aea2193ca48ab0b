"""`make bench`: the app under load on a throwaway PostgreSQL, measured end to end.

    python -m tools.benchenv [--presets 50k,500k,1m] [--duration 20] [--runs 3]
                             [--connections 16] [--threads 2] [--servers]
                             [--output docs/benchmarks.md] [--smoke]

For each preset a child process starts a PostgreSQL cluster (the seeded data directory
is cached in artifacts/bench-cache/ and copied, so a second run skips the seeding), runs
granian through docker/web.sh with production settings (DEBUG off, persistent
connections), logs members in (a session each, in pools per endpoint), measures the SQL
of one request per endpoint in-process, then drives every endpoint with wrk from
another process, `--runs` times interleaved, and keeps the medians; then the booking
race. `--servers` also compares server choices on /healthz and the day view. The parent
writes the table to `--output` with the machine and the command. `--smoke`: the tiny
preset, one second per endpoint, nothing written (make test runs it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zoneinfo
from importlib import metadata
from pathlib import Path

from tools.testenv import ROOT, Postgres, free_port

CACHE = Path(os.environ.get("ARTIFACTS_DIR", ROOT / "artifacts")) / "bench-cache"
SHIPPED = ["sh", "docker/web.sh"]
SEED_ZONE = zoneinfo.ZoneInfo("Europe/Moscow")  # seed_bench's: its "today" dates the data
# Servers compared on /healthz and the day view (`--servers`): name, command, environment.
# The app is the same WSGI (or ASGI) application with the same settings; the shipped one
# is granian through docker/web.sh.
GUNICORN = ["gunicorn", "coworking.wsgi:application", "-b", "127.0.0.1:{port}"]
UVICORN = ["gunicorn", "coworking.asgi:application", "-k", "uvicorn_worker.UvicornWorker", "-w", "3"]
SERVERS = [
    ("granian WSGI 2×2 (shipped)", SHIPPED, {"WEB_WORKERS": "2", "WEB_THREADS": "2"}),
    ("granian WSGI 3×2", SHIPPED, {"WEB_WORKERS": "3", "WEB_THREADS": "2"}),
    ("gunicorn gthread 3×2", [*GUNICORN, "-w", "3", "--threads", "2"], {}),
    ("gunicorn sync 5", [*GUNICORN, "-w", "5"], {}),
    ("gunicorn + uvicorn worker ×3 (ASGI)", [*UVICORN, "-b", "127.0.0.1:{port}"], {}),
]


def production_env(database_url: str, workers: int, threads: int, port: int) -> dict[str, str]:
    """Production settings on loopback: DEBUG off, no TLS redirect (no proxy in front),
    an S3 nobody calls on these pages, the shipped persistent connections."""
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "AWS_STORAGE_BUCKET_NAME": "bench",
        "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "DATABASE_URL": database_url,
        "API_THROTTLE_RATE": "1000000/m",  # the API's per-member limit would cap the load
        "WEB_BIND": f"127.0.0.1:{port}",
        "WEB_WORKERS": str(workers),
        "WEB_THREADS": str(threads),
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "coworking.settings",
    }


# --- The database ------------------------------------------------------------------


def cache_key(preset: str) -> str:
    """The seeded data changes with the generator, the migrations and the day."""
    digest = hashlib.sha256(preset.encode())
    digest.update(dt.datetime.now(SEED_ZONE).date().isoformat().encode())
    sources = [
        ROOT / "coworking/management/commands/seed_bench.py",
        Path(__file__),
        *sorted(ROOT.glob("*/migrations/0*.py")),
    ]
    for path in sources:
        digest.update(path.read_bytes())
    return f"{preset}-{digest.hexdigest()[:12]}"


def seeded_cluster(preset: str, tmp: Path, env: dict[str, str]) -> Postgres:
    """A started cluster holding `preset`: a copy of the cached one, else seeded now."""
    postgres = Postgres(tmp, free_port())
    cached = CACHE / cache_key(preset)
    if (cached / "PG_VERSION").exists():
        print(f"bench: {preset}: the cached database ({cached.name})", flush=True)
        subprocess.run(["cp", "-a", str(cached), str(postgres.data)], check=True)
        if os.geteuid() == 0:  # the postgres user writes its socket and log beside the data
            user = pwd.getpwnam("postgres")
            os.chown(tmp, user.pw_uid, user.pw_gid)
        postgres.start()
        return postgres
    postgres.init()
    postgres.start()
    postgres.create_app_database()
    env = {**env, "DATABASE_URL": postgres.url}
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True)
    subprocess.run([*manage, "createcachetable"], env=env, cwd=ROOT, check=True)  # as docker/migrate.sh
    subprocess.run([*manage, "seed_bench", "--preset", preset], env=env, cwd=ROOT, check=True)
    postgres.stop()
    for old in CACHE.glob(f"{preset}-*"):
        shutil.rmtree(old, ignore_errors=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-a", str(postgres.data), str(cached)], check=True)
    postgres.start()
    return postgres


def postmaster_pid(postgres: Postgres) -> int:
    return int((postgres.data / "postmaster.pid").read_text().split()[0])


# --- The server --------------------------------------------------------------------


def wait_until_up(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not answer /healthz")


def start_server(command: list[str], env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    command = [part.format(port=port) for part in command]
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=output, stderr=output, start_new_session=True
        )
    wait_until_up(port, process)
    return process


def stop_server(process: subprocess.Popen) -> None:
    with_group = os.getpgid(process.pid)
    os.killpg(with_group, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(with_group, signal.SIGKILL)
        process.wait()


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


# --- One preset (the child process) ------------------------------------------------


def explain_day(fixture) -> str:
    """EXPLAIN ANALYZE of the day view's bookings query, today, in the tower."""
    from bookings.models import Booking
    from spaces.models import Building

    tower = Building.objects.get(pk=fixture.tower)
    day = tower.local_today()
    start = dt.datetime.combine(day, dt.time(7), tower.zone)
    end = dt.datetime.combine(day, dt.time(18, 30), tower.zone)
    rows = (
        Booking.objects.active()
        .filter(building=tower)
        .overlapping(start, end)
        .order_by("start")
        .values_list("pk", "start", "end", "desk_id", "room_id", "user_id", "user__full_name", "user__email")
    )
    return rows.explain(analyze=True, buffers=True)


def run_preset(args: argparse.Namespace) -> dict:
    from bench import harness

    preset = args.child
    with tempfile.TemporaryDirectory(prefix="coworking-bench-") as name:
        tmp = Path(name)
        tmp.chmod(0o755)  # the postgres user must reach its data folder inside
        port = free_port()
        env = production_env("", args.workers, args.threads, port)
        postgres = seeded_cluster(preset, tmp, env)
        try:
            env["DATABASE_URL"] = postgres.url
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                env=env,
                cwd=ROOT,
                check=True,
            )
            os.environ.update(env)
            import django

            django.setup()
            from django.db import connection

            from bookings.models import Booking

            fixture = harness.load_fixture()
            endpoints = [e for e in harness.ENDPOINTS if not args.only or e.name in args.only]
            probes = {endpoint.name: harness.probe(endpoint, fixture) for endpoint in endpoints}
            connection.close()
            bookings = Booking.objects.count()
            server = start_server(SHIPPED, env, port, tmp / "server.log")
            load = _load(args, port, server, postgres, tmp)
            harness.warm_up(port, endpoints, fixture, times=4 * args.workers)
            runs: dict[str, list[dict]] = {endpoint.name: [] for endpoint in endpoints}
            made: dict[str, int] = {}
            try:
                for run in range(args.runs):
                    for endpoint in endpoints:
                        before = Booking.objects.filter(desk__in=fixture.desks).count()
                        runs[endpoint.name].append(harness.wrk(load, endpoint, endpoint.lines(fixture, run)))
                        if endpoint.name == "booking POST":
                            made[endpoint.name] = made.get(endpoint.name, 0) + (
                                Booking.objects.filter(desk__in=fixture.desks).count() - before
                            )
                        print(f"bench: {preset} run {run + 1}: {endpoint.name} done", flush=True)
                race = harness.race(port, fixture)
            finally:
                stop_server(server)
            results = {}
            for endpoint in endpoints:
                queries, body_bytes, status = probes[endpoint.name]
                results[endpoint.name] = {
                    **harness.median_of(runs[endpoint.name]),
                    "sql": queries,
                    "body_bytes": body_bytes,
                    "probe_status": status,
                    "note": endpoint.note,
                }
            if "booking POST" in made:
                sent = sum(run["requests"] for run in runs["booking POST"])
                results["booking POST"]["made"] = made["booking POST"]
                results["booking POST"]["sent"] = sent
            servers = compare_servers(args, env, tmp, postgres, fixture) if args.servers else []
            return {
                "preset": preset,
                "bookings": bookings,
                "results": results,
                "race": race,
                "explain": explain_day(fixture),
                "servers": servers,
                "workers": args.workers,
                "threads": args.threads,
            }
        finally:
            postgres.stop()


def _load(args, port: int, server: subprocess.Popen, postgres: Postgres, tmp: Path):
    from bench import harness

    database = postmaster_pid(postgres)
    return harness.Load(port, args.duration, args.connections, args.wrk_threads, server.pid, database, tmp)


def compare_servers(args, env, tmp, postgres, fixture) -> list[dict]:
    from bench import harness

    chosen = [e for e in harness.ENDPOINTS if e.name in ("healthz", "day view")]
    rows = []
    for name, command, extra in SERVERS:
        if shutil.which(command[0], path=env["PATH"]) is None:
            continue
        port = free_port()
        server_env = {**env, **extra, "WEB_BIND": f"127.0.0.1:{port}"}
        try:
            server = start_server(command, server_env, port, tmp / "servers.log")
        except RuntimeError as error:
            rows.append({"server": name, "error": str(error)})
            continue
        try:
            load = _load(args, port, server, postgres, tmp)
            harness.warm_up(port, chosen, fixture, times=12)
            row = {"server": name}
            for endpoint in chosen:
                row[endpoint.name] = harness.median_of(
                    [harness.wrk(load, endpoint, endpoint.lines(fixture, run)) for run in range(args.runs)]
                )
            rows.append(row)
            print(f"bench: server {name} done", flush=True)
        finally:
            stop_server(server)
    return rows


# --- The report --------------------------------------------------------------------


def _row(name: str, preset: str, result: dict) -> str:
    refused = ""
    if "made" in result:  # what the POSTs booked (requests still in flight at the end count too)
        refused = f" ({result['made']} booked)"
    return (
        f"| {name} | {preset} | {result['rps']:.0f} | {result['p50_ms']:.0f} | {result['p95_ms']:.0f} | "
        f"{result['p99_ms']:.0f} | {result['errors']:.0f}{refused} | {result['sql']} | "
        f"{result['body_bytes'] / 1024:.1f} KB | {result['app_cpu_ms']:.1f} | {result['db_cpu_ms']:.1f} | "
        f"{result['rss_mb']:.0f} MB |"
    )


def report(outcomes: list[dict], command: str, args: argparse.Namespace) -> str:
    from bench import harness

    host = harness.machine()
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (tools/benchenv.py, bench/harness.py); see bench/README.md.",
        "",
        f"- Command: `{command}`",
        f"- Machine: {host['cores']} cores ({host['cpu']}), {host['memory_gb']} GB, {host['os']}; "
        f"Python {host['python']}, {host['postgresql']}, {host['wrk']}; load average at the end "
        f"{', '.join(f'{value:.1f}' for value in host['load_average'])}.",
        f"- Server: granian {metadata.version('granian')} through docker/web.sh, {args.workers} worker(s) × "
        f"{args.threads} thread(s), "
        "DEBUG off, CONN_MAX_AGE=60; PostgreSQL with fsync off (a throwaway cluster).",
        f"- Load: wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration}s on loopback from another "
        f"process, members logged in with a session each; every figure is the median of {args.runs} "
        "interleaved runs (errors and memory: the worst run). SQL and body bytes: one request measured "
        "in-process through the same middleware.",
        "- CPU per request: user + system time of the server's processes (app) and of PostgreSQL's "
        "(db) over the run, divided by the requests served.",
        "",
        "| page | preset | req/s | p50 ms | p95 ms | p99 ms | errors | SQL | body | app CPU ms/req | "
        "db CPU ms/req | max worker RSS |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    names = list(outcomes[0]["results"])
    for name in names:
        for outcome in outcomes:
            if name in outcome["results"]:
                label = f"{outcome['preset']} ({outcome['bookings']:,} bookings)"
                lines.append(_row(name, label, outcome["results"][name]))
    lines += ["", "## The booking race", ""]
    lines.append("| preset | POSTs at once | booked | redirected to it | told taken | 5xx | other | p99 ms |")
    lines.append("|---|---|---|---|---|---|---|---|")
    for outcome in outcomes:
        race = outcome["race"]
        lines.append(
            f"| {outcome['preset']} | {race['posts']} | {race['booked']} | {race['made']} | "
            f"{race['taken']} | {race['server_errors']} | {race['other'] or '—'} | {race['p99_ms']:.0f} |"
        )
    servers = [outcome for outcome in outcomes if outcome["servers"]]
    if servers:
        lines += ["", f"## Server choices ({servers[0]['preset']})", ""]
        lines.append("| server | /healthz req/s | p99 ms | day view req/s | p99 ms | app CPU ms/req (day) |")
        lines.append("|---|---|---|---|---|---|")
        for row in servers[0]["servers"]:
            if "error" in row:
                lines.append(f"| {row['server']} | did not start: {row['error']} | | | | |")
                continue
            health, day = row["healthz"], row["day view"]
            lines.append(
                f"| {row['server']} | {health['rps']:.0f} | {health['p99_ms']:.0f} | {day['rps']:.0f} | "
                f"{day['p99_ms']:.0f} | {day['app_cpu_ms']:.1f} |"
            )
    notes = ROOT / "bench" / "notes.md"  # what the numbers mean: kept across runs
    if notes.exists():
        lines += ["", notes.read_text().rstrip()]
    for outcome in outcomes:
        lines += [
            "",
            f"## The day view's bookings query at {outcome['preset']} ({outcome['bookings']:,} bookings)",
            "",
            "```",
            outcome["explain"],
            "```",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--presets", default="50k,500k,1m")
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per endpoint and run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", 0)) or None)
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", 0)) or None)
    parser.add_argument("--servers", action="store_true", help="also compare server choices (first preset)")
    parser.add_argument("--only", action="append", help="one endpoint by name (repeatable)")
    parser.add_argument("--output", default="docs/benchmarks.md")
    parser.add_argument("--smoke", action="store_true", help="tiny preset, 1 s each, nothing written")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.workers is None or args.threads is None:
        args.workers, args.threads = recommended_workers()
    if args.smoke:
        args.presets, args.duration, args.runs, args.connections, args.wrk_threads = "tiny", 1, 1, 4, 1
    if args.child:
        Path(args.json).write_text(json.dumps(run_preset(args), default=str))
        return 0
    if shutil.which("wrk") is None:
        print("bench: wrk is missing (make bench installs it: apt-get install wrk)", file=sys.stderr)
        return 2
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="coworking-bench-results-") as tmp:
        for index, preset in enumerate(args.presets.split(",")):
            out = Path(tmp) / f"{preset}.json"
            child = [sys.executable, "-m", "tools.benchenv", *argv, "--child", preset, "--json", str(out)]
            if index and "--servers" in child:
                child.remove("--servers")
            subprocess.run(child, cwd=ROOT, check=True)
            outcomes.append(json.loads(out.read_text()))
    command = "make bench" + (f' BENCH_ARGS="{shlex.join(argv)}"' if argv else "")
    text = report(outcomes, command, args)
    print(text)
    if not args.smoke:
        (ROOT / args.output).parent.mkdir(parents=True, exist_ok=True)
        (ROOT / args.output).write_text(text)
    failures = [
        f"{outcome['preset']}: the race booked {outcome['race']['booked']} "
        f"with {outcome['race']['server_errors']} 5xx"
        for outcome in outcomes
        if outcome["race"]["booked"] != 1 or outcome["race"]["server_errors"]
    ]
    failures += [
        f"{outcome['preset']}: {name} had {result['errors']:.0f} errors"
        for outcome in outcomes
        for name, result in outcome["results"].items()
        if result["errors"]
    ]
    for failure in failures:
        print(f"bench: FAILED {failure}", file=sys.stderr)
    return 1 if failures else 0


def recommended_workers() -> tuple[int, int]:
    """docker/web.sh's defaults: what the server comparison chose for this machine."""
    text = (ROOT / "docker" / "web.sh").read_text()
    workers = re.search(r"WEB_WORKERS:-[^0-9}]*(\d+)", text)
    threads = re.search(r"WEB_THREADS:-[^0-9}]*(\d+)", text)
    return int(workers[1]), int(threads[1])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

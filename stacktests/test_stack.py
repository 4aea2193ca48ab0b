"""The production topology, proven through nginx: sessions and photos across instances,
email through the worker, the web server (https behind the proxy, metrics summed over its
workers, a dead worker replaced, a stop that finishes the request in flight), a killed
instance, a stopped database, per-client login limits, the scheduler, static files,
/metrics, backups.

The tests share one stack and run in file order; a test that stops something starts it
again before it ends.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from html import unescape
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import requests
from django.core.files.storage import default_storage
from django.db import close_old_connections
from django.utils import timezone

from stacktests.conftest import (
    CSRF_INPUT,
    STATE,
    Browser,
    postgres,
    process,
    subjects_to,
    upstream_of,
    wait_until,
)
from tools.stacktest import ROOT, render_nginx_templates

METRIC_SAMPLE = re.compile(r"^(?P<name>[a-z_]+)\{(?P<labels>[^}]*)\} (?P<value>[0-9.e+]+)$", re.MULTILINE)
STATIC_LINK = re.compile(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"')
PHOTO_LINK = re.compile(r'src="(https://127\.0\.0\.1:\d+/coworking-media/[^"]+)"')


def _booking_post(desk, start: dt.datetime, end: dt.datetime) -> dict:
    from bookings.forms import slot_post_data

    return slot_post_data(desk, start, end)


# --- nginx's configuration ----------------------------------------------------------------


def test_nginx_config_passes_nginx_t_with_and_without_tls(tmp_path):
    argv = STATE["nginx"]["argv"]
    for tls in ("on", "off"):
        render_nginx_templates({**STATE["nginx"]["values"], "NGINX_TLS": tls}, tmp_path / "conf.d")
        main = Path(STATE["nginx"]["dir"], "nginx.conf").read_text()
        (tmp_path / "nginx.conf").write_text(main.replace(STATE["nginx"]["dir"], str(tmp_path)))
        (tmp_path / "temp").mkdir(exist_ok=True)
        result = subprocess.run([argv[0], "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")])
        assert result.returncode == 0, f"nginx -t failed with NGINX_TLS={tls}"


def test_plain_http_redirects_to_https():
    response = requests.get(f"{STATE['http_site']}/bookings/?x=1", allow_redirects=False, timeout=10)
    assert response.status_code == 301
    assert response.headers["Location"] == "https://127.0.0.1/bookings/?x=1"


def test_metrics_are_not_reachable_through_nginx(browser):
    # (plain http only redirects here, like every other path)
    response = browser.get("/metrics")
    assert response.status_code == 404
    assert upstream_of(browser.last_request_id) == ""


def test_static_files_come_from_the_manifest_with_long_cache_headers(browser):
    page = browser.get("/accounts/login/")
    assert page.status_code == 200
    link = STATIC_LINK.search(page.text)[1]
    manifest = json.loads((ROOT / "staticfiles" / "staticfiles.json").read_text())["paths"]
    assert link.removeprefix("/static/") in manifest.values()
    response = browser.get(link, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "gzip"


# --- sessions and photos across instances -------------------------------------------------


def test_a_session_made_on_one_instance_works_on_the_other(browser, member):
    assert browser.log_in(member.email).status_code == 302
    logged_in_by = upstream_of(browser.last_request_id)
    # nginx starts each request at a random one of the addresses the name resolved to.
    for _ in range(40):
        response = browser.get("/bookings/mine/")
        assert response.status_code == 200, "logged out on one of the instances"
        if upstream_of(browser.last_request_id) != logged_in_by:
            break
    else:
        raise AssertionError("nginx never used the other instance")


def test_a_photo_uploaded_through_one_instance_is_served_through_nginx(staff):
    from spaces.models import BuildingPhoto
    from spaces.tests.admin_forms import building_data
    from spaces.tests.factories import BuildingFactory, jpeg_bytes

    building = BuildingFactory()
    admin = Browser()
    assert admin.log_in(staff.email).status_code == 302
    path = f"/admin/spaces/building/{building.pk}/change/"
    data = building_data(building, photos=[{"caption": "Front door", "position": "0"}])
    upload = {"photos-0-upload": ("door.jpg", io.BytesIO(jpeg_bytes()), "image/jpeg")}
    response = admin.post_form(path, data, files=upload)
    assert response.status_code == 302, response.text[:2000]
    uploaded_by = upstream_of(admin.last_request_id)
    photo = BuildingPhoto.objects.get(building=building)

    visitor = Browser()
    assert visitor.log_in(staff.email).status_code == 302
    for _ in range(40):
        page = visitor.get(f"/spaces/{building.pk}/")
        if upstream_of(visitor.last_request_id) != uploaded_by:
            break
    assert page.status_code == 200
    link = PHOTO_LINK.search(page.text)[1].replace("&amp;", "&")
    image = visitor.get(link)
    assert image.status_code == 200
    key = urlsplit(link).path.removeprefix("/coworking-media/")
    assert key in {photo.image.name, photo.medium.name, photo.thumbnail.name}
    assert image.headers["Content-Type"] == "image/webp"
    assert image.content == default_storage.open(key).read()
    # Without the signature the store refuses, and nginx lets nobody write through it.
    assert visitor.get(link.split("?")[0]).status_code == 403
    assert visitor.request("PUT", link, data=b"x").status_code == 403


# --- email through the worker -------------------------------------------------------------


def test_a_booking_confirmation_is_sent_by_the_worker_even_after_a_mail_outage(browser, member, desk):
    from bookings.models import Booking
    from bookings.tests.factories import local, tomorrow

    building = desk.room.building
    start = local(building, tomorrow(building), 10)
    assert browser.log_in(member.email).status_code == 302

    smtp = process("smtp")
    smtp.stop()
    response = browser.post_form("/bookings/new/", _booking_post(desk, start, start + dt.timedelta(hours=2)))
    assert response.status_code == 302
    booking = Booking.objects.get(user=member)
    assert (booking.start, booking.status) == (start, Booking.Status.CONFIRMED)
    assert response.elapsed.total_seconds() < 5
    assert subjects_to(member.email) == []

    smtp.start()
    subjects = wait_until(lambda: subjects_to(member.email), "the confirmation email", timeout=90)
    assert len(subjects) == 1
    assert "Booking confirmed: " in subjects[0]


# --- the web server (docker/web.sh) behind nginx ----------------------------------------------


def _direct(address: str, path: str, **headers: str) -> requests.Response:
    """Straight to one instance, past nginx, as a container on the same network would."""
    return requests.get(
        f"http://{address}{path}", headers={"Host": "127.0.0.1", **headers}, allow_redirects=False, timeout=10
    )


def test_the_app_sees_https_only_through_nginxs_forwarded_proto(browser):
    # HSTS comes from Django's SecurityMiddleware alone, and only on a request it holds secure.
    page = browser.get("/accounts/login/")
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    address = STATE["web_addresses"][0]
    told = _direct(address, "/accounts/login/", **{"X-Forwarded-Proto": "https"})
    assert told.status_code == 200
    assert "Strict-Transport-Security" in told.headers
    plain = _direct(address, "/accounts/login/")
    assert (plain.status_code, plain.headers["Location"]) == (301, "https://127.0.0.1/accounts/login/")


def _login_pages_counted(address: str) -> float:
    metrics = _direct(address, "/metrics")
    assert metrics.status_code == 200
    for sample in METRIC_SAMPLE.finditer(metrics.text):
        labels = set(sample["labels"].split(","))
        if sample["name"] == "django_http_requests_total" and labels == {
            'method="GET"',
            'view="account_login"',
            'status="200"',
        }:
            return float(sample["value"])
    return 0.0


def _worker_pids(leader: int) -> set[int]:
    children = Path(f"/proc/{leader}/task/{leader}/children").read_text().split()
    return {int(pid) for pid in children}


def test_metrics_add_up_over_the_workers_of_an_instance():
    address = STATE["web_addresses"][0]
    folder = Path(STATE["processes"]["web1"]["env"]["PROMETHEUS_MULTIPROC_DIR"])
    before = _login_pages_counted(address)
    # Each request on a new connection, which the kernel hands to either worker.
    for _ in range(12):
        assert _direct(address, "/accounts/login/", **{"X-Forwarded-Proto": "https"}).status_code == 200
    # Whichever worker answers the scrape, it reports the instance's total.
    assert [_login_pages_counted(address) - before for _ in range(6)] == [12.0] * 6
    writers = {name.stem.rsplit("_", 1)[1] for name in folder.glob("counter_*.db")}
    workers = {str(pid) for pid in _worker_pids(process("web1").pid())}
    assert len(workers) == int(STATE["processes"]["web1"]["env"]["WEB_WORKERS"]) == 2
    assert workers <= writers


def test_a_web_worker_that_dies_is_replaced_and_no_request_fails(browser):
    web2 = process("web2")
    leader = web2.pid()
    workers = _worker_pids(leader)
    assert len(workers) == 2
    dead = min(workers)
    subprocess.run(["kill", "-KILL", str(dead)], check=True)
    statuses = [browser.get("/accounts/login/").status_code for _ in range(20)]
    assert statuses == [200] * 20
    replaced = wait_until(
        lambda: len(_worker_pids(leader) - {dead}) == 2 and _worker_pids(leader),
        "web2 to start a new worker",
        timeout=30,
    )
    assert dead not in replaced
    assert web2.pid() == leader, "the instance itself was restarted"
    assert _direct(STATE["web_addresses"][1], "/healthz").status_code == 200


def test_a_stopped_web_instance_finishes_the_request_in_flight():
    web1 = process("web1")
    address = STATE["web_addresses"][0]
    host, port = address.split(":")
    # A wrong password with a valid CSRF token: only a form Django has read gets its answer.
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.9"}
    page = _direct(address, "/accounts/login/", **forwarded)
    token = unescape(CSRF_INPUT.search(page.text)[1])
    form = {"login": "nobody@example.org", "password": "wrong", "csrfmiddlewaretoken": token}
    body = urlencode(form).encode()
    head = (
        "POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
        "X-Forwarded-For: 127.0.0.9\r\nReferer: https://127.0.0.1/accounts/login/\r\n"
        f"Cookie: csrftoken={page.cookies['csrftoken']}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=30) as client:
        # Half the body: the request has started and cannot be answered yet.
        client.sendall(head + body[:10])
        time.sleep(0.5)
        # What `docker stop` does: SIGTERM to the container's first process only.
        stopping = threading.Thread(target=web1.stop, kwargs={"sig": signal.SIGTERM, "leader_only": True})
        stopping.start()
        wait_until(lambda: not _answers_directly(address), "web1 to stop listening", every=0.1)
        client.setblocking(False)
        try:
            early = client.recv(1)  # b"" would be a closed connection, bytes an early answer
        except BlockingIOError:
            early = None
        assert early is None, "the connection was closed or answered before the request was complete"
        client.setblocking(True)
        client.sendall(body[10:])
        response = b""
        while chunk := client.recv(65536):
            response += chunk
    stopping.join(timeout=60)
    assert not stopping.is_alive()
    status_line, _, rest = response.partition(b"\r\n")
    # The whole page, up to its end (the body ends where the connection closes).
    assert status_line == b"HTTP/1.1 200 OK", response[:500]
    assert b"The email address and/or password you specified are not correct." in rest
    assert rest.rstrip().endswith(b"</html>")
    web1.start()
    wait_until(lambda: _answers_directly(address), "web1 to come back", timeout=60)


# --- failures -------------------------------------------------------------------------------


def test_a_web_instance_killed_mid_load_loses_no_request(browser, member):
    assert browser.log_in(member.email).status_code == 302
    statuses: list[int] = []

    def load() -> None:
        for _ in range(30):
            statuses.append(browser.get("/spaces/").status_code)

    web1 = process("web1")
    thread = threading.Thread(target=load)
    thread.start()
    wait_until(lambda: len(statuses) >= 8, "the first requests", timeout=30, every=0.05)
    web1.stop(sig=9)
    thread.join(timeout=120)
    assert statuses == [200] * 30
    web1.start()
    wait_until(lambda: _answers_directly(STATE["web_addresses"][0]), "web1 to come back", timeout=60)


def _answers_directly(address: str) -> bool:
    try:
        return requests.get(f"http://{address}/healthz", headers={"Host": "127.0.0.1"}, timeout=2).ok
    except requests.RequestException:
        return False


def test_readyz_follows_postgres_and_no_booking_is_lost(browser, member, desk):
    from bookings.models import Booking
    from bookings.tests.factories import local, tomorrow

    building = desk.room.building
    start = local(building, tomorrow(building), 14)
    assert browser.log_in(member.email).status_code == 302
    response = browser.post_form("/bookings/new/", _booking_post(desk, start, start + dt.timedelta(hours=1)))
    assert response.status_code == 302
    booking_ids = set(Booking.objects.values_list("pk", flat=True))
    # Probed as a load balancer or monitor would: without a member's session cookie.
    probe = Browser()
    assert probe.get("/readyz").status_code == 200

    database = postgres()
    close_old_connections()
    database.stop()
    try:
        response = probe.get("/readyz")
        assert response.status_code == 503
        assert response.json()["failed"] == {"database": "OperationalError"}
    finally:
        database.start()
    wait_until(lambda: probe.get("/readyz").status_code == 200, "/readyz to recover", timeout=30)
    close_old_connections()
    assert set(Booking.objects.values_list("pk", flat=True)) == booking_ids
    assert browser.get(f"/bookings/{max(booking_ids)}/").status_code == 200


# --- login rate limits behind the proxy -------------------------------------------------------


def test_one_clients_failed_logins_do_not_lock_out_another(member):
    attacker, neighbour = Browser("127.0.0.1"), Browser("127.0.0.2")
    # 5 failures a minute from one address (the stack's LOGIN_RATE_LIMIT), for made-up accounts.
    for attempt in range(5):
        response = attacker.log_in(f"nobody{attempt}@example.org", "wrong")
        assert response.status_code == 200
    blocked = attacker.log_in(member.email)
    assert "Too many failed login attempts" in blocked.text
    assert neighbour.log_in(member.email).status_code == 302


def test_the_per_account_limit_holds_across_both_instances(member):
    # Two addresses no earlier test used, so no per-address limit gets in the way.
    clients = [Browser("127.0.0.4"), Browser("127.0.0.5")]
    for attempt in range(5):  # LOGIN_RATE_LIMIT's default: 5 wrong passwords per account
        assert clients[attempt % 2].log_in(member.email, "wrong").status_code == 200
    # Five failures spread over two instances: one that saw fewer than five refuses too
    # only if they share the count (the database cache).
    refused_by = set()
    for attempt in range(40):
        client = clients[attempt % 2]
        response = client.log_in(member.email)
        assert response.status_code == 200
        assert "Too many failed login attempts" in response.text
        refused_by.add(upstream_of(client.last_request_id))
        if refused_by == set(STATE["web_addresses"]):
            break
    assert refused_by == set(STATE["web_addresses"])


# --- the scheduler ------------------------------------------------------------------------------


def test_the_scheduler_releases_a_no_show_and_sends_a_reminder(member, desk):
    from bookings.models import Booking
    from bookings.tests.factories import BookingFactory

    now = timezone.now()
    no_show = BookingFactory(
        user=member, desk=desk, start=now - dt.timedelta(minutes=45), end=now + dt.timedelta(minutes=75)
    )
    soon = BookingFactory(
        user=member,
        desk__room=desk.room,
        start=now + dt.timedelta(minutes=30),
        end=now + dt.timedelta(minutes=90),
    )
    wait_until(
        lambda: Booking.objects.get(pk=no_show.pk).status == Booking.Status.RELEASED,
        "the no-show to be released",
        timeout=60,
    )
    subjects = wait_until(
        lambda: len(subjects_to(member.email)) == 2 and subjects_to(member.email),
        "the release notice and the reminder",
        timeout=60,
    )
    assert ["Booking released: " in subjects[0], "Reminder: " in subjects[1]] == [True, True]
    assert Booking.objects.get(pk=soon.pk).status == Booking.Status.CONFIRMED


# --- backups ----------------------------------------------------------------------------------


def test_a_backup_restores_members_bookings_and_photos_into_an_empty_stack(tmp_path):
    from spaces.models import BuildingPhoto

    assert BuildingPhoto.objects.exists(), "the photo test runs first"
    env = {**STATE["app_env"], "PATH": f"{postgres().bin}:{STATE['app_env']['PATH']}"}
    backup = tmp_path / "backup"
    result = subprocess.run(
        ["docker/backup.sh", str(backup)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr

    # The empty stack: a new database and a new bucket on the same servers.
    database = postgres()
    subprocess.run(
        [
            *(str(database.bin / "psql"), "-h", "127.0.0.1", "-p", str(database.port), "-U", "postgres"),
            *("-c", "CREATE DATABASE restored OWNER app"),
        ],
        check=True,
        capture_output=True,
    )
    from tools.testenv import SeaweedS3

    s3 = SeaweedS3(
        Path(STATE["s3"]["root"]),
        STATE["s3"]["port"],
        tuple(STATE["s3"]["ports"]),
        tuple(STATE["s3"]["keys"]),
    )
    s3.create_bucket("restored-media")
    restored_env = {
        **env,
        "DATABASE_URL": env["DATABASE_URL"].rsplit("/", 1)[0] + "/restored",
        "AWS_STORAGE_BUCKET_NAME": "restored-media",
    }
    result = subprocess.run(
        ["docker/restore.sh", str(backup)], cwd=ROOT, env=restored_env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert _inventory(restored_env) == _inventory(env)


INVENTORY = """
import json, hashlib
from django.core.files.storage import default_storage
from accounts.models import User
from bookings.models import Booking
from spaces.models import BuildingPhoto
photos = {p.image.name: hashlib.sha256(default_storage.open(p.image.name).read()).hexdigest()
          for p in BuildingPhoto.objects.all()}
print(json.dumps({
    "members": sorted(User.objects.values_list("email", flat=True)),
    "bookings": sorted(Booking.objects.values_list("pk", "status")),
    "photos": photos,
}))
"""


def _inventory(env: dict[str, str]) -> dict:
    """Members, bookings and photo files as a fresh process of the app sees them."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", INVENTORY],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    inventory = json.loads(result.stdout.splitlines()[-1])
    assert inventory["members"] and inventory["bookings"] and inventory["photos"]
    return inventory

"""The production topology of docker-compose.yml, on loopback, without Docker.

    python -m tools.stacktest [pytest arguments]      (make stack-test)

Starts what compose starts, from the same files: a throwaway PostgreSQL and a SeaweedFS S3
server (tools/testenv.py's), the one-shot docker/migrate.sh, two web instances through
docker/web.sh (granian), the worker and the scheduler with compose's commands, Debian's
nginx with the site config rendered from docker/nginx/templates, and a real SMTP sink
(aiosmtpd). The app's environment is compose's own (x-app-environment), interpolated with
the values below; only the service addresses change (db:5432, minio:9000 become loopback
ports). Like compose's DNS, a small resolver answers the name "web" with both instances
(127.0.0.2 and 127.0.0.3 on one port), so nginx balances over a name exactly as it does
over `--scale web=N` replicas.

Then stacktests/ runs against it through nginx only (see stacktests/conftest.py), and every
process is stopped whatever happens.
"""

from __future__ import annotations

import contextlib
import json
import mailbox
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from ruamel.yaml import YAML

from tools.testenv import _running, _wait_for, free_port, start_servers

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
NGINX_TEMPLATES = ROOT / "docker" / "nginx" / "templates"
WEB_ADDRESSES = ("127.0.0.2", "127.0.0.3")
BUCKET = "coworking-media"
LOGS = Path(os.environ.get("ARTIFACTS_DIR", ROOT / "artifacts")) / "stacktest"
# What an operator's .env would hold (docker-compose.yml reads these names).
DOTENV = {
    "ALLOWED_HOSTS": "127.0.0.1",
    "POSTGRES_USER": "app",
    "POSTGRES_PASSWORD": "app",
    "POSTGRES_DB": "app",
    "AWS_STORAGE_BUCKET_NAME": BUCKET,
    "EMAIL_USE_TLS": "false",
    "WEB_WORKERS": "2",
    "WEB_THREADS": "2",
    "LANGUAGE_CODE": "en",
    # Fewer wrong passwords per address than the default 20, so proving the limit is quick.
    "LOGIN_RATE_LIMIT": "5/m/ip,5/5m/key",
}
# Knobs a test needs and production leaves at their defaults: the periodic jobs every few
# seconds instead of minutes, and an email's second try after seconds instead of a minute.
TEST_ONLY = {"SCHEDULER_INTERVAL_SECONDS": "2", "TASK_RETRY_DELAY_SECONDS": "3"}
NAME = r"[A-Za-z_][A-Za-z0-9_]*"
INTERPOLATION = re.compile(rf"\$(?:(\$)|\{{({NAME})(?:(:?[-?])([^}}]*))?\}}|({NAME}))")


# --- compose ---------------------------------------------------------------------------


def compose() -> dict:
    return YAML(typ="safe").load(COMPOSE_FILE.read_text(encoding="utf-8"))


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default}, ${NAME:?error} and $$, from `variables` only."""

    def replace(match: re.Match) -> str:
        if match[1]:
            return "$"
        name = match[2] or match[5]
        given = variables.get(name)
        operator, argument = match[3], match[4]
        if operator and operator.startswith(":") and not given:
            given = None
        if given is not None:
            return given
        if operator and operator.endswith("?"):
            raise KeyError(f"docker-compose.yml needs {name}: {argument}")
        return argument or ""

    return INTERPOLATION.sub(replace, str(value))


def service_environment(service: str, variables: dict[str, str], addresses: dict[str, str]) -> dict[str, str]:
    """A compose service's environment as its container would see it, with the other
    services' host:port replaced by where they listen here."""
    environment = {}
    for name, raw in compose()["services"][service].get("environment", {}).items():
        value = interpolate(raw, variables)
        for service_address, local in addresses.items():
            value = value.replace(service_address, local)
        environment[name] = value
    return environment


def service_command(service: str) -> list[str]:
    return list(compose()["services"][service]["command"])


# --- nginx -----------------------------------------------------------------------------


def render_nginx_templates(values: dict[str, str], output: Path) -> None:
    """What the nginx image does at start: envsubst every *.template into conf.d, replacing
    only the variables that are set (the image's NGINX_ENVSUBST_FILTER keeps it to NGINX_*)."""
    names = " ".join(f"${{{name}}}" for name in values)
    for template in NGINX_TEMPLATES.rglob("*.template"):
        target = output / template.relative_to(NGINX_TEMPLATES).with_suffix("")
        target.parent.mkdir(parents=True, exist_ok=True)
        rendered = subprocess.run(
            ["envsubst", names],
            input=template.read_text(),
            env={**values, "PATH": os.environ["PATH"]},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        target.write_text(rendered)


def nginx_main_config(prefix: Path) -> str:
    """The part the nginx image brings itself: process settings, then conf.d/*.conf."""
    user = "user www-data;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log warn;\n"
        "events { worker_connections 512; }\n"
        "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        f"    client_body_temp_path {prefix}/temp/body;\n    proxy_temp_path {prefix}/temp/proxy;\n"
        f"    fastcgi_temp_path {prefix}/temp/fastcgi;\n    uwsgi_temp_path {prefix}/temp/uwsgi;\n"
        f"    scgi_temp_path {prefix}/temp/scgi;\n    include conf.d/*.conf;\n}}\n"
    )


def install_system_tools() -> None:
    """Debian's nginx, openssl (the test certificate) and envsubst, when missing."""
    wanted = {
        "nginx-light": "/usr/sbin/nginx",
        "openssl": "/usr/bin/openssl",
        "gettext-base": "/usr/bin/envsubst",
    }
    missing = [package for package, path in wanted.items() if not Path(path).exists()]
    if not missing:
        return
    if os.geteuid() != 0:
        raise SystemExit(f"stacktest: missing {' '.join(missing)}; install them with apt-get as root")
    print(f"stacktest: installing {' '.join(missing)}", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", *missing],
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    certificate, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(certificate), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    key.chmod(0o644)  # nginx's master reads it as root; the folder is private anyway
    return certificate, key


# --- the resolver that plays Docker's embedded DNS ----------------------------------------


class LoopbackDns:
    """Answers A queries for a few names with fixed addresses, NXDOMAIN for the rest."""

    def __init__(self, port: int, records: dict[str, list[str]]):
        self.port = port
        self.records = records
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", port))
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.sock.close()

    def _serve(self) -> None:
        while True:
            try:
                query, client = self.sock.recvfrom(512)
            except OSError:
                return
            with contextlib.suppress(Exception):
                self.sock.sendto(self.answer(query), client)

    def answer(self, query: bytes) -> bytes:
        (query_id,) = struct.unpack("!H", query[:2])
        labels, offset = [], 12
        while query[offset]:
            length = query[offset]
            labels.append(query[offset + 1 : offset + 1 + length].decode().lower())
            offset += length + 1
        question_end = offset + 5
        qtype = struct.unpack("!H", query[offset + 1 : offset + 3])[0]
        addresses = self.records.get(".".join(labels))
        flags = 0x8180 if addresses is not None else 0x8183
        answers = [a for a in addresses or [] if qtype == 1]
        header = struct.pack("!HHHHHH", query_id, flags, 1, len(answers), 0, 0)
        records = b"".join(
            struct.pack("!HHHIH", 0xC00C, 1, 1, 5, 4) + socket.inet_aton(address) for address in answers
        )
        return header + query[12:question_end] + records


# --- processes ---------------------------------------------------------------------------


class Process:
    """A long-running process of the stack, restartable from another process (the tests)
    through its pid file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], folder: Path):
        self.name, self.argv, self.env = name, argv, env
        self.log = folder / f"{name}.log"
        self.pidfile = folder / f"{name}.pid"

    def describe(self) -> dict:
        return {"name": self.name, "argv": self.argv, "env": self.env, "folder": str(self.log.parent)}

    @classmethod
    def from_description(cls, description: dict) -> Process:
        return cls(description["name"], description["argv"], description["env"], Path(description["folder"]))

    def start(self) -> None:
        with open(self.log, "ab") as log:
            process = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pidfile.write_text(str(process.pid))

    def pid(self) -> int | None:
        return int(self.pidfile.read_text()) if self.pidfile.exists() else None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20, leader_only: bool = False) -> None:
        """Signal the whole process group (the web server's workers too), or only its leader
        as `docker stop` does (the container's PID 1), and wait for the leader; whatever is
        left after `timeout` is killed. The pid file goes first, so the supervisor knows the
        stop is deliberate."""
        pid = self.pid()
        if pid is None:
            return
        self.pidfile.unlink()
        with contextlib.suppress(ProcessLookupError):
            if leader_only:
                os.kill(pid, sig)
            else:
                os.killpg(pid, sig)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reap it if it is ours and exited
    return _running(pid)


class Supervisor(threading.Thread):
    """compose's `restart: unless-stopped`: a process that exits by itself (the scheduler
    when it loses its database lock, say) is started again; one stopped on purpose is not."""

    def __init__(self, processes: list[Process]):
        super().__init__(daemon=True)
        self.processes = processes
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(1):
            for process in self.processes:
                pid = process.pid()
                if pid is not None and not _alive(pid) and process.pid() == pid:
                    print(f"stacktest: {process.name} exited; restarting it", flush=True)
                    process.start()


def wait_for_port(host: str, port: int, what: str, timeout: float = 60) -> None:
    def connects() -> bool:
        with socket.create_connection((host, port), timeout=1):
            return True

    _wait_for(connects, what, timeout)


# --- the stack ---------------------------------------------------------------------------


def build(tmp: Path, cleanup: contextlib.ExitStack) -> dict:
    """Start everything, registering each stop with `cleanup` as soon as it started; return
    the description the tests read (written to state.json)."""
    ports = {name: free_port() for name in ("http", "https", "web", "smtp", "dns")}
    install_system_tools()
    started = time.monotonic()
    postgres, s3 = start_servers(tmp, BUCKET, cleanup)
    for folder in (tmp / "run", tmp / "nginx" / "temp"):
        folder.mkdir(parents=True, exist_ok=True)
    print(f"stacktest: PostgreSQL and S3 up ({time.monotonic() - started:.1f}s)", flush=True)

    site = f"https://127.0.0.1:{ports['https']}"
    variables = {
        **DOTENV,
        "SECRET_KEY": secrets.token_hex(32),
        "CSRF_TRUSTED_ORIGINS": site,
        "AWS_S3_PUBLIC_ENDPOINT_URL": site,
        "AWS_ACCESS_KEY_ID": s3.access_key,
        "AWS_SECRET_ACCESS_KEY": s3.secret_key,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(ports["smtp"]),
    }
    addresses = {"db:5432": f"127.0.0.1:{postgres.port}", "http://minio:9000": s3.endpoint}
    run = tmp / "run"
    base = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin:/usr/sbin:/sbin",
        "HOME": str(tmp),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "DATA_DIR": str(tmp / "data"),
        "WORKER_HEARTBEAT_FILE": str(run / "worker.heartbeat"),
        "SCHEDULER_HEARTBEAT_FILE": str(run / "scheduler.heartbeat"),
        **TEST_ONLY,
    }
    app_env = {**base, **service_environment("worker", variables, addresses)}

    # What the image build does, then the one-shot migrate service.
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=app_env, check=True)
    subprocess.run(["docker/migrate.sh"], cwd=ROOT, env=app_env, check=True, capture_output=True)
    print(f"stacktest: migrated ({time.monotonic() - started:.1f}s)", flush=True)

    maildir = tmp / "mail"
    mailbox.Maildir(maildir, create=True)
    processes = [
        Process(
            "smtp",
            [
                *(sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{ports['smtp']}"),
                *("-c", "aiosmtpd.handlers.Mailbox", str(maildir)),
            ],
            base,
            run,
        )
    ]
    web_env = {**base, **service_environment("web", variables, addresses)}
    for index, address in enumerate(WEB_ADDRESSES, start=1):
        env = {
            **web_env,
            "WEB_BIND": f"{address}:{ports['web']}",
            # Each container has its own /tmp.
            "PROMETHEUS_MULTIPROC_DIR": str(tmp / f"prometheus-web{index}"),
        }
        processes.append(Process(f"web{index}", ["docker/web.sh"], env, run))
    processes.append(Process("worker", service_command("worker"), app_env, run))
    processes.append(Process("scheduler", service_command("scheduler"), app_env, run))
    for process in processes:
        cleanup.callback(process.stop)
        process.start()

    dns = LoopbackDns(ports["dns"], {"web": list(WEB_ADDRESSES)})
    cleanup.callback(dns.stop)
    dns.start()
    certificate, key = self_signed_certificate(tmp / "nginx")
    nginx_dir = tmp / "nginx"
    nginx_values = {
        **service_environment("nginx", variables, addresses),
        "NGINX_LISTEN": f"127.0.0.1:{ports['http']}",
        "NGINX_TLS": "on",
        "NGINX_TLS_LISTEN": f"127.0.0.1:{ports['https']}",
        "NGINX_TLS_CERTIFICATE": str(certificate),
        "NGINX_TLS_CERTIFICATE_KEY": str(key),
        "NGINX_RESOLVER": f"127.0.0.1:{ports['dns']}",
        "NGINX_WEB_BACKEND": f"web:{ports['web']}",
        "NGINX_ACCESS_LOG": str(nginx_dir / "access.log"),
    }
    nginx_values.pop("NGINX_ENVSUBST_FILTER")
    render_nginx_templates(nginx_values, nginx_dir / "conf.d")
    (nginx_dir / "nginx.conf").write_text(nginx_main_config(nginx_dir))
    nginx_argv = ["/usr/sbin/nginx", "-p", str(nginx_dir), "-c", str(nginx_dir / "nginx.conf")]
    check = subprocess.run([*nginx_argv, "-t"], capture_output=True, text=True)
    if check.returncode != 0:
        raise SystemExit(f"stacktest: nginx -t failed:\n{check.stderr}")
    processes.append(Process("nginx", [*nginx_argv, "-g", "daemon off;"], base, run))
    cleanup.callback(processes[-1].stop)
    processes[-1].start()

    for address in WEB_ADDRESSES:
        wait_for_port(address, ports["web"], f"the web server on {address}")
    wait_for_port("127.0.0.1", ports["https"], "nginx")
    wait_for_port("127.0.0.1", ports["smtp"], "the SMTP sink")
    supervisor = Supervisor(processes)
    cleanup.callback(supervisor.stopping.set)
    supervisor.start()
    print(f"stacktest: the stack is up ({time.monotonic() - started:.1f}s): {site}", flush=True)
    return {
        "site": site,
        "http_site": f"http://127.0.0.1:{ports['http']}",
        "ca": str(certificate),
        "web_addresses": [f"{address}:{ports['web']}" for address in WEB_ADDRESSES],
        "app_env": app_env,
        "processes": {process.name: process.describe() for process in processes},
        "postgres": {"root": str(postgres.root), "port": postgres.port},
        "s3": {
            "root": str(s3.root),
            "port": s3.port,
            "ports": list(s3.ports),
            "keys": [s3.access_key, s3.secret_key],
        },
        "maildir": str(maildir),
        "nginx": {"argv": nginx_argv, "dir": str(nginx_dir), "values": nginx_values},
        "access_log": str(nginx_dir / "access.log"),
        "tmp": str(tmp),
    }


def _raise_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="coworking-stack-") as name, contextlib.ExitStack() as cleanup:
        tmp = Path(name)
        tmp.chmod(0o755)  # the postgres and nginx users must reach their folders inside
        state = tmp / "state.json"
        state.write_text(json.dumps(build(tmp, cleanup), indent=2))
        command = [sys.executable, "-m", "pytest", "-c", "stacktests/pytest.ini", "stacktests", *argv]
        code = subprocess.call(command, cwd=ROOT, env={**os.environ, "STACK_STATE": str(state)})
        # Every process's log, kept for a look after a failure.
        shutil.rmtree(LOGS, ignore_errors=True)
        LOGS.mkdir(parents=True)
        for log in [*(tmp / "run").glob("*.log"), *(tmp / "nginx").glob("*.log")]:
            shutil.copy(log, LOGS / log.name)
    print(f"stacktest: {'PASSED' if code == 0 else 'FAILED'} in {time.monotonic() - began:.0f}s", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

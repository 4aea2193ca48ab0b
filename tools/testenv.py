"""Run the test suite against a throwaway PostgreSQL and a real S3 server.

    python -m tools.testenv [pytest arguments]

Starts a PostgreSQL cluster and a SeaweedFS S3 server (keys enforced) on free loopback
ports, runs pytest against them, then the smoke tests against the embedded SQLite
default, and stops both servers whatever happens (a failure, Ctrl-C, SIGTERM).

Every port is chosen at random and checked, and a server that still cannot listen (another
run took the port in between) is started again on other ports; the S3 keys are new for
every run, so a test can never talk to a neighbouring run's server by mistake.

Tests that need to stop a server (the /readyz checks) get handles to the same servers
from `Postgres.from_env()` and `SeaweedS3.from_env()`. With pytest-xdist, every test holds
the servers' lock shared, and `stop()` takes it exclusively: it waits until the other
workers are between tests, and they wait until the test that stopped it is over.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pwd
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", ROOT / "artifacts"))
S3_BUCKET = "coworking-test"
pytest_no_tests_collected = 5
# SeaweedFS listens on port + 10000 for gRPC; both stay below the kernel's ephemeral range
# (32768 and up), so an outgoing connection never takes a port chosen here.
GRPC_OFFSET = 10000
PORTS = (10000, 32767 - GRPC_OFFSET)
START_ATTEMPTS = 5


class ServerDidNotStart(RuntimeError):
    pass


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(with_grpc: bool = False) -> int:
    """A loopback port free right now (and port + 10000 for SeaweedFS's gRPC side). Another
    process may still take it before the server binds: callers retry with `start_retrying`."""
    for _ in range(200):
        port = random.randint(*PORTS)
        if _port_free(port) and (not with_grpc or _port_free(port + GRPC_OFFSET)):
            return port
    raise RuntimeError("no free port found")


def start_retrying(start, what: str) -> None:
    """Call `start(attempt)` until the server listens; each attempt picks new ports."""
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            start(attempt)
            return
        except (ServerDidNotStart, subprocess.CalledProcessError) as error:
            if attempt == START_ATTEMPTS:
                raise
            detail = getattr(error, "stderr", None) or error
            print(f"testenv: {what} did not start ({str(detail).strip()[-200:]}); other ports", flush=True)


_lock_fd: int | None = None


def _servers_lock(mode: int) -> None:
    """Hold the lock file named by TEST_SERVERS_LOCK shared, exclusively or not at all."""
    global _lock_fd
    path = os.environ.get("TEST_SERVERS_LOCK")
    if not path:
        return
    if _lock_fd is None:
        _lock_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(_lock_fd, mode)


def hold_servers() -> int:
    """Called before every test: wait while a test elsewhere has a server stopped. Returns
    how many times the servers were stopped so far: when that changes, database connections
    made before are dead."""
    _servers_lock(fcntl.LOCK_SH)
    return int(os.pread(_lock_fd, 32, 0) or 0) if _lock_fd is not None else 0


def release_servers() -> None:
    """Called after every test."""
    _servers_lock(fcntl.LOCK_UN)


def _hold_servers_exclusively() -> None:
    _servers_lock(fcntl.LOCK_EX)
    if _lock_fd is not None:
        stops = int(os.pread(_lock_fd, 32, 0) or 0) + 1
        os.ftruncate(_lock_fd, 0)
        os.pwrite(_lock_fd, str(stops).encode(), 0)


def _wait_for(check, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except ServerDidNotStart:
            raise
        except Exception:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not come up in {timeout:.0f}s")
        time.sleep(0.2)


class Postgres:
    def __init__(self, root: Path, port: int):
        self.root = root
        self.port = port
        self.data = root / "data"
        self.bin = self._find_bin()
        self.shared = False  # the run's servers, which other tests use at the same time

    @staticmethod
    def _find_bin() -> Path:
        candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
        if candidates:
            return candidates[-1].parent
        pg_ctl = shutil.which("pg_ctl")
        if pg_ctl:
            return Path(pg_ctl).parent
        raise RuntimeError("PostgreSQL is not installed (no pg_ctl found)")

    @classmethod
    def from_env(cls) -> Postgres:
        server = cls(Path(os.environ["TEST_PG_ROOT"]), int(os.environ["TEST_PG_PORT"]))
        server.shared = True
        return server

    @property
    def url(self) -> str:
        return f"postgres://app:app@127.0.0.1:{self.port}/app"

    def _run(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        # initdb and pg_ctl refuse to run as root.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*prefix, *args], check=True, capture_output=True, text=True, **kwargs)

    def init(self) -> None:
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
        self._run(
            str(self.bin / "initdb"),
            *("-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8"),
            *("--locale=C.UTF-8", "--no-sync"),
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            *("-D", str(self.data), "-l", str(self.root / "pg.log"), "-w", "-o", options, "start"),
        )

    def create_app_database(self) -> None:
        self._run(
            str(self.bin / "psql"),
            *("-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-v", "ON_ERROR_STOP=1"),
            *("-c", "CREATE ROLE app LOGIN CREATEDB PASSWORD 'app'", "-c", "CREATE DATABASE app OWNER app"),
        )

    def stop(self) -> None:
        if self.shared:
            _hold_servers_exclusively()
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


class SeaweedS3:
    def __init__(
        self,
        root: Path,
        port: int,
        ports: tuple[int, int, int, int],
        keys: tuple[str, str] = ("", ""),
    ):
        self.root = root
        self.port = port
        self.ports = ports  # master, volume, filer, admin
        self.access_key, self.secret_key = keys if keys[0] else (secrets.token_hex(8), secrets.token_hex(16))
        self.pidfile = root / "weed.pid"
        self.shared = False  # the run's servers, which other tests use at the same time

    @classmethod
    def with_free_ports(cls, root: Path) -> SeaweedS3:
        return cls(root, free_port(with_grpc=True), tuple(free_port(with_grpc=True) for _ in range(4)))

    @classmethod
    def from_env(cls) -> SeaweedS3:
        ports = tuple(int(p) for p in os.environ["TEST_S3_PORTS"].split(","))
        keys = (os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"])
        server = cls(Path(os.environ["TEST_S3_ROOT"]), int(os.environ["TEST_S3_PORT"]), ports, keys)
        server.shared = True
        return server

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
            config=Config(
                s3={"addressing_style": "path"},
                retries={"max_attempts": 1},
                connect_timeout=2,
                read_timeout=5,
            ),
        )

    def start(self) -> None:
        config = self.root / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "admin",
                            "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
                            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                        }
                    ]
                }
            )
        )
        (self.root / "data").mkdir(exist_ok=True)
        weed = Path(sys.executable).parent / "weed"
        master, volume, filer, admin = self.ports
        command = [
            str(weed if weed.exists() else "weed"),
            "mini",
            f"-dir={self.root / 'data'}",
            *("-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-s3.port={self.port}", f"-s3.config={config}"),
            *("-s3.port.iceberg=0", "-s3.port.lance=0", "-webdav=false", "-admin.ui=false"),
            *("-master.telemetry=false", f"-master.port={master}", f"-volume.port={volume}"),
            # Every port named, gRPC ones too: the defaults (admin 23646, 9333, 8888...) collide
            # with a second run on the same machine.
            *(f"-master.port.grpc={master + GRPC_OFFSET}", f"-volume.port.grpc={volume + GRPC_OFFSET}"),
            *(f"-filer.port={filer}", f"-filer.port.grpc={filer + GRPC_OFFSET}"),
            *(f"-admin.port={admin}", f"-admin.port.grpc={admin + GRPC_OFFSET}"),
            *(f"-filer.localSocket={self.root / 'filer.sock'}", f"-s3.localSocket={self.root / 's3.sock'}"),
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        with open(self.root / "weed.log", "ab") as log:
            process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
        self.pidfile.write_text(str(process.pid))

        def answers() -> bool:
            if process.poll() is not None:
                log_tail = (self.root / "weed.log").read_text(errors="replace")[-300:]
                raise ServerDidNotStart(f"weed exited with {process.returncode}: {log_tail}")
            return self.client().list_buckets() is not None

        try:
            _wait_for(answers, "SeaweedFS S3", 60)
        except Exception as error:
            self.stop()
            raise ServerDidNotStart(str(error)) from error

    def create_bucket(self, name: str) -> None:
        client = self.client()

        def create() -> bool:
            with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
                client.create_bucket(Bucket=name)
            return True

        # The filer may still be settling right after start; a bucket create can fail once.
        _wait_for(create, "bucket creation", 30)

    def stop(self) -> None:
        if self.shared:
            _hold_servers_exclusively()
        if not self.pidfile.exists():
            return
        pid = int(self.pidfile.read_text())
        self.pidfile.unlink()
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            if not _running(pid):
                return
            time.sleep(0.1)
        os.killpg(pid, signal.SIGKILL)


def _running(pid: int) -> bool:
    """Whether the process still runs. A test that stops the server is not its parent, so
    the exited server stays a zombie until the parent reaps it: that counts as stopped."""
    if Path("/proc/self/stat").exists():
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return False
        return state not in ("Z", "X")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def start_servers(root: Path, bucket: str, cleanup: contextlib.ExitStack) -> tuple[Postgres, SeaweedS3]:
    """Start a PostgreSQL with the app's database and an S3 server with `bucket` in folders
    below `root`, on free ports; `cleanup` stops each one that started."""
    for folder in ("pg", "s3"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    postgres = Postgres(root / "pg", free_port())
    s3 = SeaweedS3.with_free_ports(root / "s3")

    def start_postgres(attempt: int) -> None:
        if attempt > 1:
            postgres.port = free_port()
        postgres.start()

    def start_s3(attempt: int) -> None:
        nonlocal s3
        if attempt > 1:
            shutil.rmtree(s3.root / "data", ignore_errors=True)
            s3 = SeaweedS3.with_free_ports(s3.root)
        s3.start()

    postgres.init()
    cleanup.callback(postgres.stop)
    start_retrying(start_postgres, "PostgreSQL")
    postgres.create_app_database()
    cleanup.callback(lambda: s3.stop())
    start_retrying(start_s3, "SeaweedFS")
    s3.create_bucket(bucket)
    return postgres, s3


def _raise_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="coworking-test-") as tmp, contextlib.ExitStack() as cleanup:
        tmp_path = Path(tmp)
        tmp_path.chmod(0o755)  # the postgres user must reach its data folder inside
        started = time.monotonic()
        postgres, s3 = start_servers(tmp_path, S3_BUCKET, cleanup)
        print(f"testenv: PostgreSQL on {postgres.port}, S3 on {s3.port} ({time.monotonic() - started:.1f}s)")
        base_env = {
            **os.environ,
            "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
            "ARTIFACTS_DIR": str(ARTIFACTS),
            "DEBUG": "true",
            # Emails go out at once, as in `make run`; the task tests switch to the
            # database queue and run the worker themselves.
            "TASKS_BACKEND": "immediate",
            # Two-factor is off by default; its URLs exist only when a type is on.
            "MFA_TYPES": "totp,recovery_codes,webauthn",
        }
        for name in ("DATABASE_URL", "AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "EMAIL_HOST"):
            base_env.pop(name, None)
        env = {
            **base_env,
            "DATABASE_URL": postgres.url,
            "AWS_S3_ENDPOINT_URL": s3.endpoint,
            "AWS_ACCESS_KEY_ID": s3.access_key,
            "AWS_SECRET_ACCESS_KEY": s3.secret_key,
            "AWS_STORAGE_BUCKET_NAME": S3_BUCKET,
            "TEST_PG_ROOT": str(postgres.root),
            "TEST_PG_PORT": str(postgres.port),
            "TEST_S3_ROOT": str(s3.root),
            "TEST_S3_PORT": str(s3.port),
            "TEST_S3_PORTS": ",".join(str(p) for p in s3.ports),
            "DATA_DIR": str(tmp_path / "data"),
            "TEST_SERVERS_LOCK": str(tmp_path / "servers.lock"),
        }
        pytest = [sys.executable, "-m", "pytest"]
        print("testenv: the whole suite on PostgreSQL and S3", flush=True)
        code = subprocess.call([*pytest, *argv], env=env, cwd=ROOT)
        if code != 0:
            return code
        print("testenv: smoke tests on the embedded SQLite default", flush=True)
        sqlite_env = {**base_env, "DATA_DIR": str(tmp_path / "sqlite")}
        code = subprocess.call([*pytest, "-m", "smoke", *argv], env=sqlite_env, cwd=ROOT)
        # A selection with no smoke tests in it (pytest's 5) is not a failure.
        return 0 if code == pytest_no_tests_collected else code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

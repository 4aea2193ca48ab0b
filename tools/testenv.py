"""Run the test suite against a throwaway PostgreSQL and a real S3 server.

    python -m tools.testenv [pytest arguments]

Starts a PostgreSQL cluster and a SeaweedFS S3 server (keys enforced) on free loopback
ports, runs pytest against them, then the smoke tests against the embedded SQLite
default, and stops both servers whatever happens (a failure, Ctrl-C, SIGTERM).

Tests that need to stop a server (the /readyz checks) get handles to the same servers
from `Postgres.from_env()` and `SeaweedS3.from_env()`.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import random
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
S3_ACCESS_KEY = "coworking-test"
S3_SECRET_KEY = "coworking-test-secret"
S3_BUCKET = "coworking-test"
pytest_no_tests_collected = 5


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(with_grpc: bool = False) -> int:
    """A free loopback port; SeaweedFS also needs port + 10000 for its gRPC side."""
    for _ in range(200):
        port = random.randint(20000, 30000)
        if _port_free(port) and (not with_grpc or _port_free(port + 10000)):
            return port
    raise RuntimeError("no free port found")


def _wait_for(check, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
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
        return cls(Path(os.environ["TEST_PG_ROOT"]), int(os.environ["TEST_PG_PORT"]))

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
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


class SeaweedS3:
    def __init__(self, root: Path, port: int, ports: tuple[int, int, int]):
        self.root = root
        self.port = port
        self.ports = ports  # master, volume, filer
        self.pidfile = root / "weed.pid"

    @classmethod
    def from_env(cls) -> SeaweedS3:
        master, volume, filer = (int(p) for p in os.environ["TEST_S3_PORTS"].split(","))
        return cls(Path(os.environ["TEST_S3_ROOT"]), int(os.environ["TEST_S3_PORT"]), (master, volume, filer))

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=S3_ACCESS_KEY,
            aws_secret_access_key=S3_SECRET_KEY,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, connect_timeout=2),
        )

    def start(self) -> None:
        config = self.root / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "admin",
                            "credentials": [{"accessKey": S3_ACCESS_KEY, "secretKey": S3_SECRET_KEY}],
                            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                        }
                    ]
                }
            )
        )
        (self.root / "data").mkdir(exist_ok=True)
        weed = Path(sys.executable).parent / "weed"
        master, volume, filer = self.ports
        command = [
            str(weed if weed.exists() else "weed"),
            "mini",
            f"-dir={self.root / 'data'}",
            *("-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-s3.port={self.port}", f"-s3.config={config}"),
            *("-s3.port.iceberg=0", "-s3.port.lance=0", "-webdav=false", "-admin.ui=false"),
            *("-master.telemetry=false", f"-master.port={master}", f"-volume.port={volume}"),
            f"-filer.port={filer}",
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        with open(self.root / "weed.log", "ab") as log:
            process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
        self.pidfile.write_text(str(process.pid))
        _wait_for(lambda: self.client().list_buckets() is not None, "SeaweedFS S3", 60)

    def create_bucket(self, name: str) -> None:
        client = self.client()
        # The filer may still be settling right after start; a bucket create can fail once.
        _wait_for(lambda: client.create_bucket(Bucket=name) is not None, "bucket creation", 30)

    def stop(self) -> None:
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
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.1)
        os.killpg(pid, signal.SIGKILL)


def _raise_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="coworking-test-") as tmp:
        tmp_path = Path(tmp)
        tmp_path.chmod(0o755)  # the postgres user must reach its data folder inside
        (tmp_path / "pg").mkdir()
        (tmp_path / "s3").mkdir()
        postgres = Postgres(tmp_path / "pg", free_port())
        s3 = SeaweedS3(
            tmp_path / "s3", free_port(with_grpc=True), tuple(free_port(with_grpc=True) for _ in range(3))
        )
        try:
            started = time.monotonic()
            postgres.init()
            postgres.start()
            postgres.create_app_database()
            s3.start()
            s3.create_bucket(S3_BUCKET)
            print(
                f"testenv: PostgreSQL on {postgres.port}, S3 on {s3.port} ({time.monotonic() - started:.1f}s)"
            )
            base_env = {
                **os.environ,
                "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
                "ARTIFACTS_DIR": str(ARTIFACTS),
                "DEBUG": "true",
                # Emails go out at once, as in `make run`; the task tests switch to the
                # database queue and run the worker themselves.
                "TASKS_BACKEND": "immediate",
            }
            for name in ("DATABASE_URL", "AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "EMAIL_HOST"):
                base_env.pop(name, None)
            env = {
                **base_env,
                "DATABASE_URL": postgres.url,
                "AWS_S3_ENDPOINT_URL": s3.endpoint,
                "AWS_ACCESS_KEY_ID": S3_ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY": S3_SECRET_KEY,
                "AWS_STORAGE_BUCKET_NAME": S3_BUCKET,
                "TEST_PG_ROOT": str(postgres.root),
                "TEST_PG_PORT": str(postgres.port),
                "TEST_S3_ROOT": str(s3.root),
                "TEST_S3_PORT": str(s3.port),
                "TEST_S3_PORTS": ",".join(str(p) for p in s3.ports),
                "DATA_DIR": str(tmp_path / "data"),
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
        finally:
            s3.stop()
            postgres.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

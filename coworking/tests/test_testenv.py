"""tools.testenv gives every server free ports even when another run takes one first."""

from __future__ import annotations

import socket
import tempfile
from pathlib import Path

import pytest

from tools import testenv


@pytest.fixture
def taken_port():
    """A loopback port another process holds (bound, as between its bind and its listen)."""
    with socket.socket() as sock:
        port = testenv.free_port(with_grpc=True)
        sock.bind(("127.0.0.1", port))
        yield port


def _tried(start):
    tried = []

    def record(attempt: int) -> None:
        tried.append(attempt)
        start(attempt)

    return tried, record


@pytest.mark.parametrize("which", ["s3", "admin"])
def test_seaweedfs_on_a_taken_port_starts_again_on_other_ports(tmp_path, taken_port, which):
    s3 = testenv.SeaweedS3.with_free_ports(tmp_path)
    if which == "s3":
        s3.port = taken_port
    else:
        ports = dict(zip(["master", "volume", "filer", "admin"], s3.ports, strict=True))
        s3.ports = tuple({**ports, which: taken_port}.values())
    servers = []

    def start(attempt: int) -> None:
        server = s3 if attempt == 1 else testenv.SeaweedS3.with_free_ports(tmp_path)
        servers.append(server)
        server.start()

    tried, start = _tried(start)
    try:
        testenv.start_retrying(start, "SeaweedFS")
        assert tried == [1, 2]
        assert servers[-1].client().list_buckets()["Buckets"] == []
        assert taken_port not in (servers[-1].port, *servers[-1].ports)
    finally:
        servers[-1].stop()


def test_postgres_on_a_taken_port_starts_again_on_another(taken_port):
    # Not pytest's tmp_path: the postgres user must reach the cluster's folder.
    with tempfile.TemporaryDirectory(prefix="coworking-testenv-") as root:
        Path(root).chmod(0o755)
        _start_postgres_retrying(testenv.Postgres(Path(root), taken_port), taken_port)


def _start_postgres_retrying(postgres: testenv.Postgres, taken_port: int) -> None:
    postgres.init()

    def start(attempt: int) -> None:
        if attempt > 1:
            postgres.port = testenv.free_port()
        postgres.start()

    tried, start = _tried(start)
    try:
        testenv.start_retrying(start, "PostgreSQL")
        assert tried == [1, 2]
        assert postgres.port != taken_port
    finally:
        postgres.stop()

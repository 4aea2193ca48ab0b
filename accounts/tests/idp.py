"""Real identity providers on loopback for the sign-in tests: the npm package oidc-provider
(tools/oidc) and Debian's slapd (accounts.tests.directory)."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
from pathlib import Path

OIDC_DIR = Path(__file__).resolve().parents[2] / "tools" / "oidc"


def check_oidc_provider_installed() -> None:
    if not (OIDC_DIR / "node_modules" / "oidc-provider").exists():
        raise RuntimeError("oidc-provider is not installed: make test does it (npm ci in tools/oidc)")


class OIDCProvider:
    """tools/oidc/provider.mjs with one client and a few accounts, on a free loopback port."""

    def __init__(self, root: Path, client: dict, accounts: dict):
        self.config = root / "oidc.json"
        self.config.write_text(json.dumps({"port": 0, "client": client, "accounts": accounts}))
        self.process: subprocess.Popen | None = None
        self.issuer = ""

    def set_accounts(self, accounts: dict) -> None:
        config = json.loads(self.config.read_text())
        self.config.write_text(json.dumps({**config, "accounts": accounts}))

    def start(self) -> None:
        check_oidc_provider_installed()
        log = self.config.with_suffix(".log")
        with log.open("w") as stderr:
            self.process = subprocess.Popen(
                [shutil.which("node") or "node", str(OIDC_DIR / "provider.mjs"), str(self.config)],
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                start_new_session=True,
            )
        line = self.process.stdout.readline()
        try:
            self.issuer = json.loads(line)["issuer"]
        except (ValueError, KeyError) as error:
            self.stop()
            raise RuntimeError(f"oidc-provider did not start: {line}{log.read_text()}") from error

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)
        if self.process:
            self.process.stdout.close()


class Slapd:
    """Debian's OpenLDAP server with an empty dc=example,dc=org, on a free loopback port."""

    suffix = "dc=example,dc=org"
    admin_dn = "cn=admin,dc=example,dc=org"
    admin_password = "directory-admin"

    def __init__(self, root: Path, port: int):
        self.root = root
        self.port = port
        self.uri = f"ldap://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        import ldap

        data = self.root / "data"
        data.mkdir(parents=True, exist_ok=True)
        conf = self.root / "slapd.conf"
        schemas = "".join(
            f"include /etc/ldap/schema/{name}.schema\n" for name in ("core", "cosine", "inetorgperson", "nis")
        )
        conf.write_text(
            f"{schemas}modulepath /usr/lib/ldap\nmoduleload back_mdb\npidfile {self.root}/slapd.pid\n"
            f'database mdb\nsuffix "{self.suffix}"\nrootdn "{self.admin_dn}"\n'
            f"rootpw {self.admin_password}\ndirectory {data}\nmaxsize 10485760\n"
        )
        with (self.root / "slapd.log").open("w") as log:
            # -d keeps slapd in the foreground, so it stops with this process group.
            self.process = subprocess.Popen(
                ["/usr/sbin/slapd", "-f", str(conf), "-h", self.uri, "-d", "0"],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        for _ in range(100):
            try:
                connection = self.connect()
                connection.unbind_s()
                return
            except ldap.SERVER_DOWN:
                if self.process.poll() is not None:
                    raise RuntimeError("slapd exited: " + (self.root / "slapd.log").read_text()) from None
                time.sleep(0.1)
        raise RuntimeError("slapd did not answer")

    def connect(self):
        import ldap

        connection = ldap.initialize(self.uri)
        connection.set_option(ldap.OPT_NETWORK_TIMEOUT, 2)
        connection.simple_bind_s(self.admin_dn, self.admin_password)
        return connection

    def add(self, dn: str, **attributes: str | list[str]) -> None:
        from ldap import modlist

        entry = {
            key: [v.encode() for v in (value if isinstance(value, list) else [value])]
            for key, value in attributes.items()
        }
        connection = self.connect()
        try:
            connection.add_s(dn, modlist.addModlist(entry))
        finally:
            connection.unbind_s()

    def delete(self, dn: str) -> None:
        connection = self.connect()
        try:
            connection.delete_s(dn)
        finally:
            connection.unbind_s()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)

"""Real identity providers on loopback for the sign-in tests: the npm package oidc-provider
(tools/oidc) and Debian's slapd (accounts.tests.directory)."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
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

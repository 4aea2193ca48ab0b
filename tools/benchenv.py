"""Run the availability benchmark against a throwaway PostgreSQL cluster.

python -m tools.benchenv [bench/availability.py arguments]   (or: make bench)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tools.testenv import ROOT, Postgres, free_port


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="coworking-bench-") as tmp:
        Path(tmp).chmod(0o755)  # the postgres user must reach its data folder inside
        postgres = Postgres(Path(tmp), free_port())
        try:
            postgres.init()
            postgres.start()
            postgres.create_app_database()
            env = {**os.environ, "DATABASE_URL": postgres.url, "DEBUG": "true"}
            return subprocess.call([sys.executable, "bench/availability.py", *argv], env=env, cwd=ROOT)
        finally:
            postgres.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

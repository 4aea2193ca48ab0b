from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = shutil.ignore_patterns(".venv", ".git", "artifacts", "data", "staticfiles", "__pycache__", "*.mo")


def _untranslated(po: Path) -> list[str]:
    text = po.read_text()
    entries = text.split("\n\n")[1:]  # the first block is the header
    problems = []
    for entry in entries:
        if entry.startswith("#~"):
            continue
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', entry, re.M)
        if "#, fuzzy" in entry:
            problems.append(f"fuzzy: {msgid.group(1)!r}")
        elif re.search(r'^msgstr(\[\d\])? ""\n?$', entry + "\n", re.M) and not re.search(
            r'^msgstr(\[\d\])? ""\n"', entry, re.M
        ):
            problems.append(f"untranslated: {msgid.group(1)!r}")
    return problems


def test_catalogs_cover_every_string_in_the_code(tmp_path):
    """Extract the strings afresh from a copy of the code (one copy, one extraction for both
    languages): none may be left untranslated."""
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=SKIP)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "ru",
            "-l",
            "en",
            "--no-obsolete",
            "--ignore=tools",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    catalogs = sorted(copy.glob("**/locale/*/LC_MESSAGES/django.po"))
    assert {po.parts[-3] for po in catalogs} == {"ru", "en"}
    assert {str(po.relative_to(copy)): _untranslated(po) for po in catalogs} == {
        str(po.relative_to(copy)): [] for po in catalogs
    }

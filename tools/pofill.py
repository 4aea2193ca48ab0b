"""Fill a .po catalog's empty translations from a JSON mapping (a translator's helper).

    python -m tools.pofill locale/ru/LC_MESSAGES/django.po translations.json

The mapping is {msgid: msgstr}; entries already translated are left alone, and every
msgid still untranslated afterwards is printed, so nothing slips through.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

# An untranslated entry, or a fuzzy one (msgmerge's guess, never to be trusted).
ENTRY = re.compile(
    r'(?P<head>(?:^#.*\n)*)msgid (?P<id>(?:".*"\n)+)msgstr (?P<str>(?:".*"\n)+)(?=\n|\Z)', re.M
)


def _unquote(lines: str) -> str:
    return "".join(json.loads(line) for line in lines.strip().splitlines())


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def fill(po_path: Path, mapping: dict[str, str]) -> list[str]:
    text = po_path.read_text()
    missing: list[str] = []

    def replace(match: re.Match) -> str:
        msgid = _unquote(match.group("id"))
        fuzzy = "#, fuzzy" in match.group("head")
        if not msgid or (_unquote(match.group("str")) and not fuzzy):  # the header, or done
            return match.group(0)
        if msgid not in mapping:
            missing.append(msgid)
            return match.group(0)
        head = "".join(
            line
            for line in match.group("head").splitlines(True)
            if line != "#, fuzzy\n" and not line.startswith("#| ")
        )
        return f"{head}msgid {match.group('id')}msgstr {_quote(mapping[msgid])}\n"

    po_path.write_text(ENTRY.sub(replace, text))
    return missing


if __name__ == "__main__":
    missing = fill(Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text()))
    for msgid in missing:
        print("untranslated:", msgid)
    sys.exit(1 if missing else 0)

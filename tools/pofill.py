"""Fill a .po catalog's empty translations from a JSON mapping (a translator's helper).

    python -m tools.pofill locale/ru/LC_MESSAGES/django.po translations.json [more.json ...]

The mapping is {msgid: msgstr}, or {msgid: [form0, form1, form2]} for plural entries
(Russian: 1 день, 2 дня, 5 дней; Django's fourth form, for fractions, is added).
Entries already translated are left alone, msgmerge's fuzzy guesses are replaced, and
every msgid still untranslated afterwards is printed, so nothing slips through.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ENTRY = re.compile(
    r"(?P<head>(?:^#.*\n)*)(?P<ctx>msgctxt (?:\".*\"\n)+)?msgid (?P<id>(?:\".*\"\n)+)"
    r"(?:msgid_plural (?P<plural>(?:\".*\"\n)+))?"
    r"(?P<strs>(?:msgstr(?:\[\d\])? (?:\".*\"\n)+)+)(?=\n|\Z)",
    re.M,
)


def _unquote(lines: str) -> str:
    return "".join(json.loads(line) for line in lines.strip().splitlines())


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _unfuzzy(line: str) -> str:
    """Drop the fuzzy flag from a "#, fuzzy, python-format" line (and a bare "#, fuzzy" line)."""
    if not line.startswith("#,"):
        return line
    flags = [flag.strip() for flag in line[2:].split(",") if flag.strip() != "fuzzy"]
    return f"#, {', '.join(flags)}\n" if flags else ""


def fill(po_path: Path, mapping: dict[str, str | list[str]]) -> list[str]:
    text = po_path.read_text()
    missing: list[str] = []
    nplurals = int(re.search(r"nplurals=(\d+)", text).group(1))

    def replace(match: re.Match) -> str:
        msgid = _unquote(match.group("id"))
        fuzzy = "#, fuzzy" in match.group("head")
        translated = all(
            _unquote(s.split(" ", 1)[1]) for s in re.findall(r"msgstr\S* (?:\".*\"\n)+", match.group("strs"))
        )
        if not msgid or (translated and not fuzzy):  # the header, or done
            return match.group(0)
        if msgid not in mapping:
            missing.append(msgid)
            return match.group(0)
        head = "".join(
            _unfuzzy(line) for line in match.group("head").splitlines(True) if not line.startswith("#| ")
        )
        value = mapping[msgid]
        entry = f"{head}{match.group('ctx') or ''}msgid {match.group('id')}"
        if match.group("plural"):
            forms = value if isinstance(value, list) else [value] * 3
            # Django's Russian catalogs have a fourth form, for fractions (1,5 дня),
            # which reads like the second.
            count = nplurals
            forms = (forms + [forms[1]] * count)[:count]
            entry += f"msgid_plural {match.group('plural')}"
            entry += "".join(f"msgstr[{i}] {_quote(form)}\n" for i, form in enumerate(forms))
        else:
            entry += f"msgstr {_quote(value)}\n"
        return entry

    po_path.write_text(ENTRY.sub(replace, text))
    return missing


if __name__ == "__main__":
    mapping: dict = {}
    for path in sys.argv[2:]:
        mapping.update(json.loads(Path(path).read_text()))
    missing = fill(Path(sys.argv[1]), mapping)
    for msgid in missing:
        print("untranslated:", msgid)
    sys.exit(1 if missing else 0)

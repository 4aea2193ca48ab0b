"""Searching members (the front desk, the admin) ignores case in every alphabet, on the
embedded SQLite default too.

Django turns icontains, istartswith and iexact into LIKE on SQLite, and SQLite's own LIKE
folds ASCII letters only: "анна" would not find "Анна". Each SQLite connection gets a
LIKE that folds case as Python does, as PostgreSQL's UPPER() does for the same
lookups. It keeps SQL's meaning of % and _ and honours the ESCAPE character Django uses
for a literal % or _ in what was typed.
"""

from __future__ import annotations

import functools
import re

from django.db.backends.base.base import BaseDatabaseWrapper


@functools.lru_cache(maxsize=512)
def like_regex(pattern: str, escape: str | None = None) -> re.Pattern:
    """A LIKE pattern as a case-insensitive regular expression matching the whole value."""
    if escape is not None and len(escape) != 1:
        raise ValueError("ESCAPE expression must be a single character")
    parts = []
    characters = iter(pattern)
    for character in characters:
        if character == escape:
            parts.append(re.escape(next(characters, "")))
        elif character == "%":
            parts.append(".*")
        elif character == "_":
            parts.append(".")
        else:
            parts.append(re.escape(character))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def unicode_like(pattern: str | None, value: object, escape: str | None = None) -> bool | None:
    """SQLite's like(pattern, value[, escape]), which implements `value LIKE pattern`."""
    if pattern is None or value is None:
        return None  # SQL's NULL in, NULL out
    return like_regex(str(pattern), escape).fullmatch(str(value)) is not None


def install_unicode_like(sender, connection: BaseDatabaseWrapper, **kwargs) -> None:
    """connection_created receiver: replace LIKE on every new SQLite connection."""
    if connection.vendor == "sqlite":
        for arguments in (2, 3):
            connection.connection.create_function("like", arguments, unicode_like, deterministic=True)

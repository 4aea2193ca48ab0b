"""Names in the order people expect: "Desk 2" before "Desk 10", case aside.

Every list of buildings, rooms and desks a member sees is sorted with `natural_key`
(the database's ORDER BY name puts "Desk 10" before "Desk 2").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """Sort "D-2" before "D-10" and "berlin" next to "Berlin"."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in _DIGITS.split(text)
        if part
    )


def naturally[T](items: Iterable[T], name: Callable[[T], str] = str) -> list[T]:
    """`items` sorted by the natural key of their name (str() by default)."""
    return sorted(items, key=lambda item: natural_key(name(item)))

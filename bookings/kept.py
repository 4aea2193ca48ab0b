"""Rendered tables kept in each process's memory: the day grid's table of a building, a
place's week and the places free for a search (find).

A key names all a table shows: the building's version (which changes, in the same
transaction, with every booking, place, opening hour or rule of the building), what the
table is of (a day, a place's week), the language and how many of its slots have passed.
So a kept table is never out of date, and a booked slot is never shown free.

What differs between viewers: a member who holds none of the table's bookings sees what
every such member sees, so they share one table; a holder sees their own bookings ("You")
and gets a table of their own; staff see who holds each booking, so theirs is never kept.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import NamedTuple

from django.core.cache import caches
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from accounts.models import User

# The caches (coworking/settings.py CACHES) the tables are kept in, one per page so that
# a page's many small tables never push out another's.
DAY_TABLES = "day_tables"
WEEK_TABLES = "week_tables"
FIND_PLACES = "find_places"


class Kept(NamedTuple):
    html: SafeString  # rendered by the template engine, and pickled as such
    holders: frozenset[int]  # who holds a booking in it: they see their own table
    mine: int  # how many of its bookings the viewer it was rendered for holds
    facts: tuple = ()  # whatever else the page needs to know of the table


def kept_table(cache: str, parts: tuple[Hashable, ...], viewer: User, render: Callable[[], Kept]) -> Kept:
    """The table named by `parts` (with the language) as `viewer` sees it: kept, or
    rendered by `render` and kept."""
    if viewer.is_staff:
        return render()
    tables = caches[cache]
    key = ":".join(str(part) for part in (*parts, get_language()))
    shared = tables.get(key)
    if shared is not None and viewer.pk not in shared.holders:
        return shared
    own = tables.get(f"{key}:{viewer.pk}")
    if own is not None:
        return own
    table = render()
    # The table of a member who holds none of its bookings is everyone else's too.
    tables.set(f"{key}:{viewer.pk}" if table.mine else key, table)
    return table

"""Newer and older pages for the lists that grow with history, without counting them.

Django's Paginator counts the whole list (a COUNT(*)) to number its pages, so every page
of a member's bookings or of the donors wall costs more as the years go by. A page here is
one query: the rows from the page's offset and one more, which says whether there is a
next page. Pages are still numbered in the address (`?page=3`), so links keep working; a
number that is not one reads as the first page, and one past the end is an empty page that
says so and links back to the first (templates/includes/pager.html).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

PER_PAGE = 20
# Far past any real list, and small enough that the offset stays a 64-bit number.
LAST_PAGE_NUMBER = 1_000_000


@dataclass
class Page:
    object_list: list[Any]
    number: int
    has_next: bool
    param: str

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def past_the_end(self) -> bool:
        return not self.object_list and self.has_previous

    # The query parameters of the neighbouring pages, for {% querystring request.GET ... %}:
    # the rest of the address (filters, another list's page) travels on unchanged.
    @property
    def previous_query(self) -> dict[str, int]:
        return {self.param: self.number - 1}

    @property
    def next_query(self) -> dict[str, int]:
        return {self.param: self.number + 1}

    @property
    def first_query(self) -> dict[str, int]:
        return {self.param: 1}


def page_number(value: str | None) -> int:
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return min(max(number, 1), LAST_PAGE_NUMBER)


def page_of(
    queryset: QuerySet, request: HttpRequest, *, param: str = "page", per_page: int = PER_PAGE
) -> Page:
    """The page of an ordered queryset the request asks for in `param`."""
    number = page_number(request.GET.get(param))
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    return Page(rows[:per_page], number, has_next=len(rows) > per_page, param=param)

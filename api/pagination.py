"""Cursor pagination for every list, and ETags for the endpoints apps poll."""

from __future__ import annotations

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from ninja import Schema
from ninja.pagination import CursorPagination

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class Cursor(CursorPagination):
    """ninja's cursor pagination: an opaque `cursor` and `page_size` (at most 200); the
    answer's `next` and `previous` are ready-made addresses. A forged cursor whose
    position is not a value of the ordering field answers 422 (Django's ValidationError)."""

    def __init__(self, *, ordering: tuple[str, ...], **kwargs) -> None:
        super().__init__(ordering=ordering, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE, **kwargs)


def in_range(queryset, field: str, start=None, before=None):
    """Rows whose `field` lies in [start, before); either end may be left open."""
    if start:
        queryset = queryset.filter(**{f"{field}__gte": start})
    if before:
        queryset = queryset.filter(**{f"{field}__lt": before})
    return queryset


def etagged(request: HttpRequest, body: Schema) -> HttpResponse:
    """The JSON answer with a strong ETag; 304 when the client has it already."""
    content = json.dumps(body.model_dump(mode="json"), cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    etag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    wanted = [tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")]
    if etag in wanted or "*" in wanted:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(content, content_type="application/json")
    response["ETag"] = etag
    return response

"""Liveness and readiness probes for the container orchestrator and nginx."""

from __future__ import annotations

import logging

from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

# The liveness answer. The WSGI entry point (coworking/wsgi.py) gives it before Django
# sees the request; the view below gives the same under ASGI and the test client.
LIVE_BODY = b'{"status": "ok"}'
LIVE_HEADERS = [
    ("Content-Type", "application/json"),
    ("Content-Length", str(len(LIVE_BODY))),
    ("Cache-Control", "max-age=0, no-cache, no-store, must-revalidate, private"),
    ("X-Content-Type-Options", "nosniff"),
]


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process lives and answers; touches nothing else."""
    return HttpResponse(LIVE_BODY, content_type="application/json")


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_storage() -> None:
    # A lookup of a key that needn't exist: it proves the store answers and that
    # our credentials are accepted, without writing anything.
    default_storage.exists("readyz-probe")


CHECKS = {"database": _check_database, "storage": _check_storage}


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to serve: the database and the file storage both answer."""
    failed = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:
            logger.warning("readiness check %s failed: %s", name, exc)
            failed[name] = type(exc).__name__
            if name == "database":
                # Drop the broken connection so the next request reconnects.
                connection.close_if_unusable_or_obsolete()
    if failed:
        return JsonResponse({"status": "unavailable", "failed": failed}, status=503)
    return JsonResponse({"status": "ok", "checks": list(CHECKS)})

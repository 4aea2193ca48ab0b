"""Prometheus metrics at /metrics: requests, database queries, the task queue, and events.

django-prometheus would be the obvious choice, but its releases pin Django below 6.1, so
this module uses prometheus_client directly with Django's own hooks: a middleware for
requests, a database execute wrapper for query time (any backend, psycopg 3 included), a
collector that reads the task queue at scrape time, and counters for bookings, visits and
donations bumped when their rows commit.

With several web server workers (granian's processes, docker/web.sh), set
PROMETHEUS_MULTIPROC_DIR to an empty directory (web.sh empties it before the processes
start): the workers then write their samples there and /metrics adds them up, whichever
worker answers. Every metric kept in those files is a counter or a histogram, whose files
must outlive a worker (a respawned one's requests still happened), so no server hook marks
a process dead; the gauges are computed at scrape time (QueueCollector) instead.
"""

from __future__ import annotations

import hmac
import ipaddress
import time

from django.conf import settings
from django.db import transaction
from django.db.backends.signals import connection_created
from django.db.models import Count, Min
from django.db.models.signals import post_save
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

REQUESTS = Counter(
    "django_http_requests_total", "HTTP requests answered, by view and status.", ["method", "view", "status"]
)
REQUEST_LATENCY = Histogram(
    "django_http_request_duration_seconds",
    "Time from the request entering Django to the response leaving it, by view.",
    ["method", "view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
QUERY_DURATION = Histogram(
    "django_db_query_duration_seconds",
    "Time spent in database queries.",
    ["alias", "vendor"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5),
)
QUERY_ERRORS = Counter("django_db_errors_total", "Database queries that raised, by error.", ["alias", "type"])
BOOKINGS = Counter("coworking_bookings_total", "Bookings made, cancelled and released.", ["event"])
VISITS = Counter("coworking_visits_total", "Visits started and ended.", ["event"])
DONATIONS = Counter("coworking_donations_total", "Donations pledged, confirmed and rejected.", ["event"])


class MetricsMiddleware:
    """Count and time every request by the name of the view that answered it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        # Unresolved paths (404s) share one label, so scanners cannot grow the series.
        view = match.view_name if match is not None else "<unresolved>"
        REQUEST_LATENCY.labels(request.method, view).observe(time.perf_counter() - started)
        REQUESTS.labels(request.method, view, response.status_code).inc()
        return response


def _time_query(execute, sql, params, many, context):
    connection = context["connection"]
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    except Exception as error:
        QUERY_ERRORS.labels(connection.alias, type(error).__name__).inc()
        raise
    finally:
        QUERY_DURATION.labels(connection.alias, connection.vendor).observe(time.perf_counter() - started)


def _instrument_connection(sender, connection, **kwargs) -> None:
    # The same wrapper object reconnects after CONN_MAX_AGE; wrap its queries once.
    if _time_query not in connection.execute_wrappers:
        connection.execute_wrappers.append(_time_query)


def _count_on_commit(counter: Counter, event: str) -> None:
    transaction.on_commit(lambda: counter.labels(event).inc())


def _booking_saved(sender, instance, created: bool, update_fields=None, **kwargs) -> None:
    if created:
        _count_on_commit(BOOKINGS, "created")
    elif update_fields and "status" in update_fields:
        _count_on_commit(BOOKINGS, instance.status)


def _visit_saved(sender, instance, created: bool, update_fields=None, **kwargs) -> None:
    if created:
        _count_on_commit(VISITS, "checked_in")
    elif update_fields and "checked_out_at" in update_fields:
        _count_on_commit(VISITS, "closed_automatically" if instance.closed_automatically else "checked_out")


def _donation_saved(sender, instance, created: bool, update_fields=None, **kwargs) -> None:
    if created:
        _count_on_commit(DONATIONS, "pledged")
    elif update_fields and "status" in update_fields:
        _count_on_commit(DONATIONS, instance.status)


def connect_signals() -> None:
    from bookings.models import Booking
    from donations.models import Donation
    from visits.models import Visit

    connection_created.connect(_instrument_connection, dispatch_uid="coworking.metrics.queries")
    post_save.connect(_booking_saved, sender=Booking, dispatch_uid="coworking.metrics.bookings")
    post_save.connect(_visit_saved, sender=Visit, dispatch_uid="coworking.metrics.visits")
    post_save.connect(_donation_saved, sender=Donation, dispatch_uid="coworking.metrics.donations")


class QueueCollector:
    """The task queue and undeliverable emails, read from the database at each scrape."""

    def collect(self):
        from django_tasks_db.models import DBTaskResult

        from bookings.notifications import given_up
        from coworking.tasks import uses_database_queue

        tasks = GaugeMetricFamily(
            "coworking_tasks",
            "Tasks in the database queue by status (ready: due now; scheduled: a retry waiting "
            "for its time; failed: kept until pruned).",
            labels=["status"],
        )
        oldest = GaugeMetricFamily(
            "coworking_tasks_oldest_ready_age_seconds",
            "How long the oldest due task has waited for a worker (0 when none waits).",
        )
        if uses_database_queue():
            now = timezone.now()
            by_status = dict(DBTaskResult.objects.values_list("status").annotate(Count("id")).order_by())
            ready = DBTaskResult.objects.ready()
            due = ready.count()
            tasks.add_metric(["ready"], due)
            tasks.add_metric(["scheduled"], by_status.get("READY", 0) - due)
            for status in ("RUNNING", "FAILED", "SUCCESSFUL"):
                tasks.add_metric([status.lower()], by_status.get(status, 0))
            waiting_since = ready.aggregate(oldest=Min("enqueued_at"))["oldest"]
            oldest.add_metric([], (now - waiting_since).total_seconds() if waiting_since else 0)
        yield tasks
        yield oldest
        yield GaugeMetricFamily(
            "coworking_notifications_failed",
            "Booking emails that gave up after TASK_MAX_ATTEMPTS tries (see the admin).",
            value=given_up().count(),
        )


class _ProcessMetrics:
    """This process's own metrics (the single-process case), without re-registering them."""

    def collect(self):
        yield from REGISTRY.collect()


def _registry() -> CollectorRegistry:
    if settings.PROMETHEUS_MULTIPROC_DIR:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_ProcessMetrics())
    registry.register(QueueCollector())
    return registry


def allowed(request: HttpRequest) -> bool:
    """Only from an internal address, never through the proxy, with the token if one is set."""
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped
    if not any(address in ipaddress.ip_network(network) for network in settings.METRICS_ALLOWED_NETWORKS):
        return False
    if settings.METRICS_TOKEN:
        expected = f"Bearer {settings.METRICS_TOKEN}"
        return hmac.compare_digest(request.headers.get("Authorization", ""), expected)
    return True


def metrics(request: HttpRequest) -> HttpResponse:
    # 404 rather than 403: from outside, there is nothing here.
    if not allowed(request):
        raise Http404
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)

#!/bin/sh
# The web process: granian serving Django's WSGI application. Used by the image's CMD,
# docker-compose.yml, the Kubernetes Deployment and tools/stacktest.py alike. Migrations
# are not run here: the one-shot `migrate` service (docker/migrate.sh) does that once,
# before any replica.
#
# WEB_WORKERS (default 2) processes x WEB_THREADS (default 2) threads each run the app:
# one worker per core; each thread holds its own PostgreSQL connection, so the threads of
# all replicas must stay under max_connections. WEB_BIND is host:port (default
# 0.0.0.0:8000), [v6]:port or unix:/path. The gunicorn names of earlier releases,
# GUNICORN_WORKERS, GUNICORN_THREADS and GUNICORN_BIND, still work when the new ones
# are unset. DB_STATEMENT_TIMEOUT (default 30) seconds bounds each SQL statement of a
# request (coworking/settings.py): granian itself has no request timeout.
set -eu

export DB_STATEMENT_TIMEOUT="${DB_STATEMENT_TIMEOUT:-30}"

workers="${WEB_WORKERS:-${GUNICORN_WORKERS:-2}}"
threads="${WEB_THREADS:-${GUNICORN_THREADS:-2}}"
bind="${WEB_BIND:-${GUNICORN_BIND:-0.0.0.0:8000}}"

case "$bind" in
    unix:*) set -- --uds "${bind#unix:}" ;;
    *:*)
        host="${bind%:*}"
        host="${host#[}"
        set -- --host "${host%]}" --port "${bind##*:}"
        ;;
    *)
        echo "web.sh: WEB_BIND must be host:port or unix:/path, not '$bind'" >&2
        exit 2
        ;;
esac

if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
    # The metrics of several worker processes are summed from files here; stale files
    # from an earlier run would count twice.
    rm -rf "$PROMETHEUS_MULTIPROC_DIR"
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
fi

# No access log: the app logs every request as JSON. A worker that dies is started again
# (as gunicorn's arbiter did); on SIGTERM each worker finishes the requests it holds, and
# one still busy after 30 s (gunicorn's graceful timeout) is killed. The blocking threads
# are the ones that run the app under WSGI.
exec granian coworking.wsgi:application \
    --interface wsgi \
    --no-ws \
    "$@" \
    --workers "$workers" \
    --blocking-threads "$threads" \
    --no-access-log \
    --respawn-failed-workers \
    --workers-kill-timeout 30

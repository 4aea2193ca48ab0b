#!/bin/sh
# The web process: gunicorn serving Django. Used by the image's CMD, docker-compose.yml,
# the Kubernetes Deployment and tools/stacktest.py alike. Migrations are not run here:
# the one-shot `migrate` service (docker/migrate.sh) does that once, before any replica.
#
# GUNICORN_WORKERS (default 3) x GUNICORN_THREADS (default 2): about 2 x cores + 1 worker
# processes with 2 threads each suits this app (requests wait on PostgreSQL and S3).
set -eu

if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
    # The metrics of several worker processes are summed from files here; stale files
    # from an earlier run would count twice.
    rm -rf "$PROMETHEUS_MULTIPROC_DIR"
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
fi

# No --access-logfile: the app logs every request as JSON. The heartbeat files go to
# /dev/shm because a container's overlay filesystem can stall them; the control socket
# would need a writable home directory and nothing uses it.
exec gunicorn coworking.wsgi:application \
    --bind "${GUNICORN_BIND:-0.0.0.0:8000}" \
    --workers "${GUNICORN_WORKERS:-3}" \
    --threads "${GUNICORN_THREADS:-2}" \
    --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1,::1}" \
    --worker-tmp-dir /dev/shm \
    --no-control-socket

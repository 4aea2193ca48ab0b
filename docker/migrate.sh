#!/bin/sh
# Bring the database up to date, once, before web, worker and scheduler start: compose's
# one-shot `migrate` service, the Kubernetes migration Job and tools/stacktest.py run it.
# Idempotent, so every deploy runs it again.
set -eu

python manage.py migrate --noinput
# The login rate limits live in the database cache; its table is not a migration.
python manage.py createcachetable

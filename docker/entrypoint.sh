#!/bin/sh
# Bring the database schema up to date before the server (or any one-off command) starts.
# Both commands are idempotent, so every container start can run them.
set -eu

python manage.py migrate --noinput
# The login rate limits live in the database cache; its table is not a migration.
python manage.py createcachetable

exec "$@"

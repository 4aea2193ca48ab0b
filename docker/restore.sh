#!/bin/sh
# Restore a backup made by backup.sh into an EMPTY stack: a database without tables and
# an empty bucket (start only db, minio and createbuckets, run this, then the rest):
#
#   docker compose up -d db minio createbuckets
#   docker compose run --rm backup restore.sh /backups/2026-12-02
#   docker compose up -d
#
# The migrate service then finds every migration applied. Same variables as backup.sh.
set -eu

dir="${1:?usage: restore.sh DIR}"
here="$(cd "$(dirname "$0")" && pwd)"
[ -f "$dir/database.dump" ] || { echo "no $dir/database.dump" >&2; exit 1; }

pg_restore --no-owner --no-privileges --exit-on-error --dbname="$DATABASE_URL" "$dir/database.dump"
python3 "$here/s3mirror.py" upload "$dir/media"
echo "Restored the database and the bucket $AWS_STORAGE_BUCKET_NAME from $dir"

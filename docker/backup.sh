#!/bin/sh
# Back up the platform: the database (pg_dump, custom format) and every object in the
# bucket (the uploaded photos), into DIR:
#
#   docker/backup.sh DIR         # DIR/database.dump and DIR/media/<key>
#
# Reads the app's own settings: DATABASE_URL and AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
# AWS_SECRET_ACCESS_KEY, AWS_STORAGE_BUCKET_NAME. Needs pg_dump of the server's major
# version and python3 with boto3; compose's `backup` service has both:
#   docker compose run --rm backup backup.sh /backups/$(date +%F)
# The dump is consistent on its own; photos uploaded while it runs may be missing from
# DIR/media, which only leaves a photo without its file after a restore (never the reverse).
set -eu

dir="${1:?usage: backup.sh DIR}"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$dir/media"

pg_dump --format=custom --no-owner --no-privileges --file="$dir/database.dump.partial" "$DATABASE_URL"
mv "$dir/database.dump.partial" "$dir/database.dump"
python3 "$here/s3mirror.py" download "$dir/media"
echo "Backed up the database and the bucket $AWS_STORAGE_BUCKET_NAME into $dir"

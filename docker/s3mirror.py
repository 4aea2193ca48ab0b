"""Copy every object of the app's bucket to a folder, or a folder back into the bucket.

    python3 s3mirror.py download DIR    # bucket -> DIR/<key>
    python3 s3mirror.py upload DIR      # DIR/<key> -> bucket

Used by docker/backup.sh and docker/restore.sh. Standalone on purpose (boto3 only, no
Django), so it runs in the small backup image as well as next to the app. Reads the app's
variables: AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (or *_FILE),
AWS_STORAGE_BUCKET_NAME, AWS_S3_REGION_NAME.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import boto3
from botocore.config import Config


def _secret(name: str) -> str:
    path = os.environ.get(f"{name}_FILE")
    return Path(path).read_text().strip() if path else os.environ[name]


def _client():
    return boto3.client(
        "s3",
        endpoint_url=os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        aws_access_key_id=_secret("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=_secret("AWS_SECRET_ACCESS_KEY"),
        region_name=os.environ.get("AWS_S3_REGION_NAME", "us-east-1"),
        config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"),
    )


def download(client, bucket: str, folder: Path) -> int:
    count = 0
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            target = (folder / item["Key"]).resolve()
            if not target.is_relative_to(folder.resolve()):
                raise SystemExit(f"refusing key outside the folder: {item['Key']!r}")
            target.parent.mkdir(parents=True, exist_ok=True)
            client.download_file(bucket, item["Key"], str(target))
            count += 1
    return count


def upload(client, bucket: str, folder: Path) -> int:
    count = 0
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            client.upload_file(str(path), bucket, path.relative_to(folder).as_posix())
            count += 1
    return count


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("download", "upload"):
        print(__doc__, file=sys.stderr)
        return 2
    action, folder = argv[0], Path(argv[1])
    bucket = os.environ["AWS_STORAGE_BUCKET_NAME"]
    count = (download if action == "download" else upload)(_client(), bucket, folder)
    print(f"s3mirror: {action}ed {count} objects ({bucket} <-> {folder})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

from __future__ import annotations

import pytest
from django.conf import settings

needs_s3 = pytest.mark.skipif(
    not settings.AWS_STORAGE_BUCKET_NAME, reason="needs the S3 server started by `python -m tools.testenv`"
)


@pytest.fixture
def bucket_keys():
    """A function listing every key in the test bucket (to prove nothing was left behind)."""
    from tools.testenv import SeaweedS3

    client = SeaweedS3.from_env().client()
    bucket = settings.STORAGES["default"]["OPTIONS"]["bucket_name"]

    def keys() -> set[str]:
        found = set()
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            found.update(item["Key"] for item in page.get("Contents", []))
        return found

    return keys

from __future__ import annotations

import datetime as dt
import time
import urllib.error
import urllib.request

import botocore.auth
import botocore.signers
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

pytestmark = pytest.mark.skipif(
    not settings.AWS_STORAGE_BUCKET_NAME, reason="needs the S3 server started by `python -m tools.testenv`"
)


def _fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_upload_round_trip_through_s3_with_presigned_urls(monkeypatch):
    content = b"\x89PNG fake but distinct bytes " + str(time.time()).encode()
    name = default_storage.save("tests/round-trip.bin", ContentFile(content))
    try:
        assert default_storage.exists(name)
        with default_storage.open(name) as stored:
            assert stored.read() == content

        url = default_storage.url(name)
        assert "X-Amz-Signature=" in url
        assert _fetch(url) == (200, content)

        # Objects are private: the same URL without its signature is refused.
        status, _body = _fetch(url.split("?", 1)[0])
        assert status == 403

        # A one-second link signed a minute ago: expired by the server's own clock, no waiting.
        with monkeypatch.context() as signed_earlier:
            a_minute_ago = botocore.auth.get_current_datetime() - dt.timedelta(minutes=1)
            for module in (botocore.auth, botocore.signers):
                signed_earlier.setattr(module, "get_current_datetime", lambda *args, **kwargs: a_minute_ago)
            expiring = default_storage.url(name, expire=1)
        status, body = _fetch(expiring)
        assert status == 403
        assert b"expired" in body.lower()
    finally:
        default_storage.delete(name)
    assert not default_storage.exists(name)


def test_s3_rejects_a_wrong_secret_key():
    import boto3
    from botocore.exceptions import ClientError

    options = settings.STORAGES["default"]["OPTIONS"]
    client = boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        aws_access_key_id=options["access_key"],
        aws_secret_access_key="not-the-secret",
        region_name="us-east-1",
    )
    with pytest.raises(ClientError) as error:
        client.list_objects_v2(Bucket=options["bucket_name"])
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_presigned_urls_can_point_at_a_public_address():
    """Signed for the address browsers use (here "localhost" instead of 127.0.0.1)."""
    from coworking.storage import MediaStorage

    options = settings.STORAGES["default"]["OPTIONS"]
    public = options["endpoint_url"].replace("127.0.0.1", "localhost")
    storage = MediaStorage(**{**options, "public_endpoint_url": public})
    name = storage.save("tests/public.bin", ContentFile(b"public bytes"))
    try:
        url = storage.url(name)
        assert url.startswith(f"{public}/{options['bucket_name']}/tests/public")
        assert _fetch(url) == (200, b"public bytes")
    finally:
        storage.delete(name)


def test_csp_allows_images_from_the_object_store(client):
    endpoint = settings.STORAGES["default"]["OPTIONS"]["endpoint_url"]
    assert endpoint in settings.SECURE_CSP["img-src"]

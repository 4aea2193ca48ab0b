"""Uploads in a private S3/MinIO bucket, linked with presigned URLs browsers can open."""

from __future__ import annotations

from functools import cached_property

import boto3
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class MediaStorage(S3Storage):
    """S3Storage whose presigned URLs may point at a public address of the store.

    Inside docker compose the app reaches MinIO at http://minio:9000, a name browsers
    cannot resolve. A presigned URL's signature covers its host, so links are signed
    by a second client bound to `public_endpoint_url` (AWS_S3_PUBLIC_ENDPOINT_URL), the
    address the proxy in front of MinIO serves, rather than rewritten afterwards.
    """

    def get_default_settings(self) -> dict:
        return {**super().get_default_settings(), "public_endpoint_url": None}

    @cached_property
    def _public_client(self):
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.public_endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region_name,
            config=self.client_config,
        )

    def url(self, name, parameters=None, expire=None, http_method=None) -> str:
        if not (self.public_endpoint_url and self.querystring_auth):
            return super().url(name, parameters=parameters, expire=expire, http_method=http_method)
        params = {
            **(parameters or {}),
            "Bucket": self.bucket_name,
            "Key": self._normalize_name(clean_name(name)),
        }
        return self._public_client.generate_presigned_url(
            "get_object",
            Params=params,
            ExpiresIn=self.querystring_expire if expire is None else expire,
            HttpMethod=http_method,
        )

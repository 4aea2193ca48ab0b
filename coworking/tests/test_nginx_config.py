"""Offline checks of the nginx template (docker/nginx/templates) against what compose gives
it and what the app expects. `make stack-test` runs the rendered config in a real nginx."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from botocore.config import Config

from coworking.storage import MediaStorage
from spaces.images import MAX_UPLOAD_BYTES
from tools.stacktest import NGINX_TEMPLATES, compose, interpolate, render_nginx_templates

TEMPLATE_VARIABLE = re.compile(r"\$\{(NGINX_[A-Z0-9_]+)\}")


def nginx_environment() -> dict[str, str]:
    return compose()["services"]["nginx"]["environment"]


def template_variables() -> set[str]:
    return {
        name
        for template in NGINX_TEMPLATES.rglob("*.template")
        for name in TEMPLATE_VARIABLE.findall(template.read_text())
    }


@pytest.fixture
def rendered(tmp_path) -> str:
    """The site config as the nginx container renders it from compose's values."""
    values = {name: interpolate(value, {}) for name, value in nginx_environment().items()}
    render_nginx_templates(values, tmp_path)
    return "\n".join(path.read_text() for path in sorted(tmp_path.rglob("*.conf")))


def test_compose_gives_the_template_exactly_the_variables_it_uses():
    given = set(nginx_environment()) - {"NGINX_ENVSUBST_FILTER"}
    assert template_variables() == given
    assert nginx_environment()["NGINX_ENVSUBST_FILTER"] == "^NGINX_"


def test_rendering_leaves_only_nginx_variables(rendered):
    assert "${" not in rendered
    assert "include conf.d/coworking/tls-off.conf;" in rendered
    assert 'set $coworking_web "web:8000";' in rendered
    assert "resolver 127.0.0.11 valid=5s ipv6=off;" in rendered


def test_uploads_up_to_the_photo_limit_pass(rendered):
    size = re.search(r"client_max_body_size (\d+)m;", rendered)[1]
    assert int(size) * 1024 * 1024 > MAX_UPLOAD_BYTES


def test_metrics_are_closed_and_forwarded_headers_set(rendered):
    assert "location = /metrics {\n        return 404;\n    }" in rendered
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in rendered
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in rendered
    assert 'proxy_set_header X-Forwarded-Host "";' in rendered


def test_presigned_photo_links_land_in_nginx_object_store_location(rendered):
    bucket = interpolate(nginx_environment()["NGINX_S3_BUCKET"], {})
    assert bucket == interpolate(compose()["x-app-environment"]["AWS_STORAGE_BUCKET_NAME"], {})
    assert f"location /{bucket}/ {{" in rendered
    storage = MediaStorage(
        bucket_name=bucket,
        endpoint_url="http://minio:9000",
        public_endpoint_url="https://coworking.example.com",
        access_key="key",
        secret_key="secret",
        region_name="us-east-1",
        querystring_auth=True,
        client_config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"),
    )
    link = urlsplit(storage.url("buildings/1/door.webp"))
    assert (link.scheme, link.netloc) == ("https", "coworking.example.com")
    assert link.path == f"/{bucket}/buildings/1/door.webp"
    assert "X-Amz-Signature=" in link.query

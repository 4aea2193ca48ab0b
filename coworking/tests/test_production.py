"""What production adds to development: uploads only in S3."""

from __future__ import annotations

import shlex

from coworking.tests.test_deploy_files import dockerfile_instructions
from coworking.tests.test_settings import PRODUCTION_ENV, manage


def test_production_refuses_to_start_without_s3(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "AWS_STORAGE_BUCKET_NAME"}
    result = manage("check", env={**env, "DATA_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert (
        "With DEBUG off, uploads must go to S3: set AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL, "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (see .env.example). Only the development "
        "server serves uploaded files from DATA_DIR."
    ) in result.stderr


def test_dockerfile_build_settings_satisfy_production(tmp_path):
    """The image's build step runs manage.py with DEBUG off, so it must pass every check
    the settings make for production."""
    build = next(
        arguments for keyword, arguments in dockerfile_instructions() if "collectstatic" in arguments
    )
    words = shlex.split(build.split("&&")[0].removeprefix("export"))
    env = dict(word.split("=", 1) for word in words)
    assert env["DEBUG"] == "false"
    result = manage("check", env={**env, "DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr

"""Object storage chosen by environment variables, read by the shipped settings in a clean child."""

import json
from pathlib import Path

from tests.test_settings import guangying

SHOW = ("import json; from django.conf import settings; from django.core.files.storage import storages; "
        "print('STORAGE=' + json.dumps([settings.STORAGES['default'], type(storages['default']).__name__]))")


def _storage(tmp_path: Path, **values: str) -> list:
    result = guangying(tmp_path, "shell", "-c", SHOW, **values)
    assert result.returncode == 0, result.stderr
    [line] = [x for x in result.stdout.splitlines() if x.startswith("STORAGE=")]
    return json.loads(line.removeprefix("STORAGE="))


def test_local_disk_by_default(tmp_path):
    config, kind = _storage(tmp_path)
    assert config["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert kind == "FileSystemStorage"


def test_s3_from_the_environment(tmp_path):
    config, kind = _storage(
        tmp_path, GUANGYING_STORAGE="s3", GUANGYING_S3_BUCKET="works", GUANGYING_S3_REGION="cn-central-1",
        GUANGYING_S3_ENDPOINT_URL="http://127.0.0.1:9", GUANGYING_S3_ACCESS_KEY_ID="id",
        GUANGYING_S3_SECRET_ACCESS_KEY="secret",
    )
    assert kind == "S3Storage"
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    options = config["OPTIONS"]
    assert (options["bucket_name"], options["region_name"], options["endpoint_url"]) == (
        "works", "cn-central-1", "http://127.0.0.1:9")
    assert (options["access_key"], options["secret_key"]) == ("id", "secret")
    assert options["default_acl"] is None  # private objects

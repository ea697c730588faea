"""Videos in S3-compatible object storage: moto's real HTTP server, started here on a free port.

The upload goes into the bucket, the rendition is made from a temporary local
copy (removed afterwards) and stored back in the bucket, and the player's
Range requests are answered with ranged GETs from it.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import boto3
import pytest
from django.test import override_settings
from django.urls import reverse

from guangying.playback import storage as playback_storage
from guangying.playback.making import make
from guangying.playback.models import Rendition
from tests.playback.conftest import upload

BUCKET = "guangying-test"
KEYS = {"access_key": "testing-key", "secret_key": "testing-secret"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("moto's S3 server did not start")
                time.sleep(0.1)
        _client(endpoint).create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _client(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=KEYS["access_key"], aws_secret_access_key=KEYS["secret_key"])


@pytest.fixture
def in_s3(s3_endpoint, settings, tmp_path):
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": BUCKET, "endpoint_url": s3_endpoint, "region_name": "us-east-1",
                        "default_acl": None, "file_overwrite": False, **KEYS},
        },
    }
    work_temp = tmp_path / "work-temp"
    with override_settings(STORAGES=storages, GUANGYING_WORK_TEMP_DIR=str(work_temp)):
        yield work_temp


def test_a_video_in_s3_is_rendered_and_streamed_with_ranges(in_s3, s3_endpoint, scene, as_, mpeg_clip):
    attachment = upload(scene.work, mpeg_clip, scene.people["member"], name="对象存储.mpg")
    client = _client(s3_endpoint)
    stored = client.head_object(Bucket=BUCKET, Key=attachment.file.name)
    assert stored["ContentLength"] == attachment.size == mpeg_clip.stat().st_size
    assert playback_storage.local_path(attachment.file.storage, attachment.file.name) is None

    rendition = make(attachment)
    assert rendition.status == Rendition.Status.READY, rendition.error
    assert not rendition.playable_original
    for field in (rendition.preview, rendition.poster, rendition.contact_sheet):
        assert client.head_object(Bucket=BUCKET, Key=field.name)["ContentLength"] > 0
    assert list(in_s3.iterdir()) == []  # the temporary copy and the child's folder are gone

    expected = client.get_object(Bucket=BUCKET, Key=rendition.preview.name, Range="bytes=100-1099")
    expected = expected["Body"].read()
    reviewer = as_(scene.people["reviewer"])
    response = reviewer.get(reverse("playback:video", args=[attachment.pk]), HTTP_RANGE="bytes=100-1099")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-1099/{rendition.preview_size}"
    assert b"".join(response.streaming_content) == expected
    tail = reviewer.get(reverse("playback:video", args=[attachment.pk]), HTTP_RANGE="bytes=-64")
    assert len(b"".join(tail.streaming_content)) == 64
    poster = reviewer.get(reverse("playback:poster", args=[attachment.pk]))
    assert b"".join(poster.streaming_content)[:3] == b"\xff\xd8\xff"


def test_a_playable_original_in_s3_is_streamed_from_the_bucket(in_s3, s3_endpoint, scene, as_, clip):
    attachment = upload(scene.work, clip, scene.people["member"], name="原片.mp4")
    rendition = make(attachment)
    assert rendition.status == Rendition.Status.READY and rendition.playable_original
    response = as_(scene.people["organiser"]).get(reverse("playback:video", args=[attachment.pk]),
                                                  HTTP_RANGE="bytes=0-0")
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == clip.read_bytes()[:1]


def test_no_copy_is_made_when_the_temporary_disk_is_too_full(in_s3, scene, clip, monkeypatch):
    attachment = upload(scene.work, clip, scene.people["member"], name="太大.mp4")
    monkeypatch.setattr(playback_storage, "DISK_MARGIN", 1 << 62)
    rendition = make(attachment)
    assert rendition.status == Rendition.Status.FAILED and "磁盘空间不足" in rendition.error


def test_a_video_in_s3_is_inspected_from_a_temporary_copy(in_s3, scene, clip, member, tmp_path,
                                                         monkeypatch, django_capture_on_commit_callbacks):
    """The checker needs a path; object storage has none: a local copy is checked, then removed."""
    import tempfile

    from guangying.submissions import checking
    from guangying.submissions.models import Inspection

    copies = tmp_path / "copies"
    copies.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(copies))
    with django_capture_on_commit_callbacks(execute=True):
        video = upload(scene.work, clip, member, name="一封家书.mp4")
    assert video.file.storage.__class__.__name__ == "S3Storage"
    with pytest.raises(NotImplementedError):
        video.file.path  # noqa: B018 — the bucket has no paths
    for mode in ("metadata", "full"):
        inspection = Inspection.objects.get(attachment=video, mode=mode)
        assert inspection.status == "done", inspection.error
        facts = inspection.report["facts"]
        assert facts["media"]["size"] == clip.stat().st_size
        assert facts["media"]["video"][0]["codec"] == "h264"
    duration = next(line for line in Inspection.objects.get(attachment=video, mode="full").report["lines"]
                    if line["check"] == "duration")
    assert "2.0" in duration["actual_en"] or "2 s" in duration["actual_en"]
    assert not list(copies.iterdir()), "the temporary copy is removed after the check"
    with checking.local_copy(video) as path:
        assert path.read_bytes() == clip.read_bytes()
    assert not list(copies.iterdir())

"""The SHA-256 computed while the bytes arrive equals the file's, whatever happened in between."""

import pytest

from guangying.submissions.models import Attachment
from guangying.uploads import sessions
from guangying.uploads.models import Upload

from .conftest import sha256
from .test_protocol import checksum

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_digests():
    sessions._running.entries.clear()
    yield
    sessions._running.entries.clear()


def held(upload: Upload) -> int | None:
    entry = sessions._running.entries.get(upload.pk)
    return entry[0] if entry else None


def test_each_patch_leaves_the_digest_of_the_bytes_so_far(tus, work, video_bytes):
    url = tus.start(work, len(video_bytes))
    upload = Upload.objects.get()
    for offset in range(0, len(video_bytes) - 5000, 5000):
        assert tus.patch(url, video_bytes[offset:offset + 5000], offset).status_code == 204
        assert held(upload) == offset + 5000
    last = (len(video_bytes) - 1) // 5000 * 5000
    assert tus.patch(url, video_bytes[last:], last).status_code == 204
    assert held(upload) is None  # handed to the attachment and forgotten
    assert Attachment.objects.get().sha256 == sha256(video_bytes)


def test_a_restart_between_patches_falls_back_to_hashing_the_file(tus, work, video_bytes):
    url = tus.start(work, len(video_bytes))
    assert tus.patch(url, video_bytes[:9000], 0).status_code == 204
    sessions._running.entries.clear()  # what a new process knows
    assert tus.patch(url, video_bytes[9000:20000], 9000).status_code == 204
    assert held(Upload.objects.get()) is None
    assert tus.patch(url, video_bytes[20000:], 20000).status_code == 204
    assert Attachment.objects.get().sha256 == sha256(video_bytes)


def test_a_digest_from_an_older_offset_is_not_used(tus, work, video_bytes):
    """Another worker took the upload on: this process's entry is behind the file."""
    url = tus.start(work, len(video_bytes))
    assert tus.patch(url, video_bytes[:4000], 0).status_code == 204
    upload = Upload.objects.get()
    stale = sessions._running.entries[upload.pk]
    assert tus.patch(url, video_bytes[4000:12000], 4000).status_code == 204
    sessions._running.entries[upload.pk] = stale
    assert tus.patch(url, video_bytes[12000:], 12000).status_code == 204
    assert Attachment.objects.get().sha256 == sha256(video_bytes)


def test_a_refused_checksum_leaves_no_wrong_digest(tus, work, video_bytes):
    url = tus.start(work, len(video_bytes))
    assert tus.patch(url, video_bytes[:100], 0).status_code == 204
    bad = tus.patch(url, video_bytes[100:8000], 100, HTTP_UPLOAD_CHECKSUM=checksum(b"other"))
    assert bad.status_code == 460
    assert tus.patch(url, video_bytes[100:], 100).status_code == 204
    assert Attachment.objects.get().sha256 == sha256(video_bytes)


def test_a_lying_offset_leaves_the_digest_as_it_was_usable(tus, work, video_bytes):
    url = tus.start(work, len(video_bytes))
    assert tus.patch(url, video_bytes[:3000], 0).status_code == 204
    assert tus.patch(url, video_bytes[5000:9000], 5000).status_code == 409
    assert tus.patch(url, video_bytes[3000:], 3000).status_code == 204
    assert Attachment.objects.get().sha256 == sha256(video_bytes)


def test_a_terminated_upload_forgets_its_digest(tus, work, video_bytes):
    url = tus.start(work, len(video_bytes))
    assert tus.patch(url, video_bytes[:3000], 0).status_code == 204
    upload = Upload.objects.get()
    assert held(upload) == 3000
    assert tus.delete(url).status_code == 204
    assert held(upload) is None


def test_the_digests_held_are_bounded(tus, work, video_bytes):
    for index in range(sessions._RunningDigests.LIMIT + 10):
        sessions._running.keep(f"upload-{index}", 1, object())
    assert len(sessions._running.entries) == sessions._RunningDigests.LIMIT
    assert "upload-0" not in sessions._running.entries

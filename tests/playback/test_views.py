"""The video, poster and contact sheet through the views: Range, HEAD, If-Range."""

import pytest
from django.urls import reverse

from guangying.playback.models import Rendition
from guangying.playback.views import _etag
from tests.playback.conftest import upload


def _url(scene, name="video"):
    return reverse(f"playback:{name}", args=[scene.video.pk])


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def watcher(scene, as_):
    return as_(scene.people["reviewer"])


def test_the_rendition_of_a_playable_original_is_the_original(scene):
    assert scene.rendition.status == Rendition.Status.READY
    assert scene.rendition.playable_original and not scene.rendition.preview
    assert scene.rendition.poster and scene.rendition.contact_sheet
    assert len(scene.rendition.sheet_times) == 12


def test_the_whole_file_without_range(scene, watcher):
    response = watcher.get(_url(scene))
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert int(response["Content-Length"]) == scene.video.size
    assert response.streaming
    assert _body(response) == scene.video.file.open("rb").read()


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-0", 0, 0),
        ("bytes=0-99", 0, 99),
        ("bytes=-500", "size-500", "size-1"),
        ("bytes=500-", 500, "size-1"),
        ("bytes=100-999999999", 100, "size-1"),
        ("bytes = 10 - 19", 10, 19),
    ],
)
def test_one_range_is_206_with_content_range(scene, watcher, header, first, last):
    size = scene.video.size
    data = scene.video.file.open("rb").read()

    def value(v):
        return v if isinstance(v, int) else size - int(v.split("-")[1]) if v != "size-1" else size - 1

    first, last = value(first), value(last)
    response = watcher.get(_url(scene), HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{size}"
    assert int(response["Content-Length"]) == last - first + 1
    assert _body(response) == data[first:last + 1]


@pytest.mark.parametrize("header", ["bytes=999999999-", "bytes=-0", "bytes=999999999-1000000000"])
def test_a_range_past_the_end_is_416(scene, watcher, header):
    response = watcher.get(_url(scene), HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{scene.video.size}"


@pytest.mark.parametrize("header", ["bytes=abc", "bytes=5-1", "lines=0-10", "bytes=", "bytes=--5", "0-10"])
def test_a_malformed_range_is_ignored_and_the_whole_file_sent(scene, watcher, header):
    response = watcher.get(_url(scene), HTTP_RANGE=header)
    assert response.status_code == 200
    assert int(response["Content-Length"]) == scene.video.size
    assert len(_body(response)) == scene.video.size


def test_two_ranges_are_answered_with_the_whole_file(scene, watcher):
    response = watcher.get(_url(scene), HTTP_RANGE="bytes=0-9,20-29")
    assert response.status_code == 200
    assert len(_body(response)) == scene.video.size


def test_head_gives_the_headers_and_no_body(scene, watcher):
    response = watcher.head(_url(scene), HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206
    assert response["Content-Length"] == "10"
    assert response.content == b""
    whole = watcher.head(_url(scene))
    assert whole.status_code == 200 and int(whole["Content-Length"]) == scene.video.size


def test_if_range_with_our_etag_keeps_the_range_and_another_sends_everything(scene, watcher):
    etag = watcher.head(_url(scene))["ETag"]
    assert etag == _etag(scene.video.sha256)
    kept = watcher.get(_url(scene), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=etag)
    assert kept.status_code == 206
    stale = watcher.get(_url(scene), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"something-else"')
    assert stale.status_code == 200 and len(_body(stale)) == scene.video.size
    modified = kept["Last-Modified"]
    by_date = watcher.get(_url(scene), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=modified)
    assert by_date.status_code == 206
    old = watcher.get(_url(scene), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE="Mon, 01 Jan 2001 00:00:00 GMT")
    assert old.status_code == 200


def test_only_get_and_head(scene, watcher):
    assert watcher.post(_url(scene)).status_code == 405


def test_poster_and_contact_sheet_are_jpeg(scene, watcher):
    for name in ("poster", "sheet"):
        response = watcher.get(_url(scene, name))
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert _body(response)[:3] == b"\xff\xd8\xff"


def test_a_file_browsers_cannot_play_is_served_as_its_preview(scene, watcher, mpeg_clip):
    replacement = upload(scene.work, mpeg_clip, scene.people["member"], name="新版.mpg")
    from guangying.playback.making import make

    rendition = make(replacement)
    assert rendition.status == Rendition.Status.READY and not rendition.playable_original
    assert "MPEG" in rendition.reason and rendition.preview
    assert (rendition.width, rendition.height) == (320, 180)
    url = reverse("playback:video", args=[replacement.pk])
    response = watcher.get(url, HTTP_RANGE="bytes=0-11")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 0-11/{rendition.preview_size}"
    assert _body(response)[4:8] == b"ftyp"
    whole = _body(watcher.get(url))
    assert whole.index(b"moov") < whole.index(b"mdat")


def test_a_broken_video_gives_a_failed_rendition_with_its_reason(scene, watcher, tmp_path):
    broken = tmp_path / "broken.mp4"
    good = scene.video.file.open("rb").read()
    broken.write_bytes(good[:2000])
    attachment = upload(scene.work, broken, scene.people["member"])
    from guangying.playback.making import make
    from guangying.submissions.checking import promote

    promote(attachment)  # its check has ended (the checker cannot read it either): it is current now
    rendition = make(attachment)
    assert rendition.status == Rendition.Status.FAILED and rendition.error
    assert watcher.get(reverse("playback:video", args=[attachment.pk])).status_code == 404
    page = watcher.get(reverse("playback:work", args=[scene.work.pk])).content.decode()
    assert rendition.error in page


def test_a_pending_rendition_is_not_served_yet(scene, watcher):
    Rendition.objects.filter(pk=scene.rendition.pk).update(status=Rendition.Status.PENDING)
    assert watcher.get(_url(scene)).status_code == 404
    page = watcher.get(reverse("playback:work", args=[scene.work.pk])).content.decode()
    assert "正在生成播放版本" in page

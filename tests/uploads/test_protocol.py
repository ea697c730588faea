"""The tus 1.0 rules as the server applies them: every header, status and refusal."""

import base64
import hashlib
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from guangying.submissions.models import Attachment, WorkState
from guangying.submissions.readiness import video_rule
from guangying.submissions.uploads import store_attachment
from guangying.uploads.models import Upload
from tests.factories import EntrantFactory, UserFactory, WorkFactory, member_of

from .conftest import TUS, Tus, metadata, sha256

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def checksum(data: bytes, algorithm: str = "sha256") -> str:
    return f"{algorithm} {base64.b64encode(hashlib.new(algorithm, data).digest()).decode()}"


# ---- discovery and version


def test_options_advertises_version_extensions_size_and_checksums(client, settings):
    settings.GUANGYING_MAX_VIDEO_MB = 100
    response = client.options("/uploads/tus/")
    assert response.status_code == 204
    assert response["Tus-Resumable"] == "1.0.0"
    assert response["Tus-Version"] == "1.0.0"
    assert set(response["Tus-Extension"].split(",")) == {"creation", "termination", "expiration",
                                                         "checksum"}
    assert response["Tus-Max-Size"] == str(100 * 1024 * 1024)
    assert "sha256" in response["Tus-Checksum-Algorithm"].split(",")


def test_options_on_an_upload_needs_no_version_header(tus, work):
    url = tus.start(work, 100)
    assert tus.client.options(url).status_code == 204


@pytest.mark.parametrize("version", [None, "0.2.2", "2.0.0", ""])
def test_a_wrong_or_missing_version_is_412(tus, work, version):
    headers = {"HTTP_UPLOAD_LENGTH": "10"}
    if version is not None:
        headers["HTTP_TUS_RESUMABLE"] = version
    response = tus.client.post("/uploads/tus/", **headers)
    assert response.status_code == 412
    assert response["Tus-Version"] == "1.0.0"
    assert response["Tus-Resumable"] == "1.0.0"
    assert not Upload.objects.exists()


def test_every_answer_carries_tus_resumable(tus, work, video_bytes):
    url = tus.start(work, len(video_bytes))
    answers = [tus.head(url), tus.patch(url, video_bytes[:10], 0), tus.patch(url, b"x", 99),
               tus.client.get(url, **TUS), tus.delete(url), tus.head(url)]
    assert all(a["Tus-Resumable"] == "1.0.0" for a in answers)


# ---- creation


def test_creation_answers_201_with_location_and_expiry(tus, work, settings):
    settings.GUANGYING_UPLOAD_EXPIRY_HOURS = 24
    response = tus.create(work, 5000)
    assert response.status_code == 201
    assert response["Location"].startswith("http://testserver/uploads/tus/")
    expires = parsedate_to_datetime(response["Upload-Expires"])
    assert abs(expires - (timezone.now() + timedelta(hours=24))) < timedelta(minutes=1)
    upload = Upload.objects.get()
    assert (upload.length, upload.offset, upload.kind) == (5000, 0, Attachment.VIDEO)
    assert upload.episode == work.episodes.first()
    assert upload.filename == "作品.mp4"
    assert upload.path.exists() and upload.path.stat().st_size == 0


@pytest.mark.parametrize("length", [None, "", "-1", "abc", "1e9", " 12", "12 ", "+12", "0x10", "1.5",
                                    "99999999999999999999999"])
def test_a_missing_or_malformed_length_is_400(tus, work, length):
    headers = {} if length is None else {"HTTP_UPLOAD_LENGTH": length}
    meta = metadata(filename="a.mp4", work=str(work.pk), slot=f"video-{work.episodes.first().pk}")
    response = tus.client.post("/uploads/tus/", HTTP_UPLOAD_METADATA=meta, **headers, **TUS)
    assert response.status_code == 400
    assert "Upload-Length" in body(response)
    assert not Upload.objects.exists()


def test_deferred_length_is_not_supported(tus, work):
    meta = metadata(filename="a.mp4", work=str(work.pk), slot=f"video-{work.episodes.first().pk}")
    response = tus.client.post("/uploads/tus/", HTTP_UPLOAD_DEFER_LENGTH="1",
                               HTTP_UPLOAD_METADATA=meta, **TUS)
    assert response.status_code == 400
    assert "Upload-Length" in body(response)


def test_an_empty_file_is_refused_at_creation(tus, work):
    response = tus.create(work, 0)
    assert response.status_code == 400
    assert "空文件" in body(response)


@pytest.mark.parametrize("raw", ["filename !!!notbase64", "filename YQ==,filename YQ==", "filename YQ==,",
                                 "filename YQ== extra", "filename \xff", "filename //79"])
def test_metadata_that_is_not_base64_pairs_is_400(tus, work, raw):
    response = tus.client.post("/uploads/tus/", HTTP_UPLOAD_LENGTH="10", HTTP_UPLOAD_METADATA=raw, **TUS)
    assert response.status_code == 400
    assert "Upload-Metadata" in body(response)


def test_metadata_without_a_work_or_with_an_unknown_slot(tus, work):
    response = tus.client.post("/uploads/tus/", HTTP_UPLOAD_LENGTH="10",
                               HTTP_UPLOAD_METADATA=metadata(filename="a.mp4"), **TUS)
    assert response.status_code == 400
    assert "作品编号" in body(response)
    assert tus.create(work, 10, slot="video-999999").status_code == 404
    assert tus.create(work, 10, slot="video-abc").status_code == 404
    assert "没有名为" in body(tus.create(work, 10, slot="no_such_document"))


def test_a_document_slot_takes_a_resumable_upload_too(tus, work):
    pdf = b"%PDF-1.4\n" + b"x" * 5000 + b"\n%%EOF\n"
    tus.send(work, pdf, slot="copyright_pledge", filename="版权承诺书.pdf")
    attachment = Attachment.objects.get()
    assert (attachment.kind, attachment.detected_format, attachment.episode) == ("copyright_pledge",
                                                                                  "pdf", None)


def test_a_file_name_with_folders_is_cut_to_its_name(tus, work, video_bytes):
    tus.send(work, video_bytes, filename="../../etc/作品\u202e.mp4")
    assert Attachment.objects.get().original_name == "作品.mp4"


def test_creation_over_the_campaign_limit_is_413_with_both_sizes(tus, work, settings):
    settings.GUANGYING_MAX_VIDEO_MB = 1
    response = tus.create(work, 1024 * 1024 + 1)
    assert response.status_code == 413
    assert "文件过大" in body(response) and "1.0 MB" in body(response)
    assert not Upload.objects.exists()


# ---- offsets and bytes


def test_head_reports_offset_length_and_no_store(tus, work, video_bytes):
    url = tus.start(work, len(video_bytes))
    tus.patch(url, video_bytes[:1000], 0)
    response = tus.head(url)
    assert response.status_code == 200
    assert response["Upload-Offset"] == "1000"
    assert response["Upload-Length"] == str(len(video_bytes))
    assert response["Cache-Control"] == "no-store"
    assert response.content == b""


def test_patch_appends_and_answers_the_new_offset(tus, work, video_bytes):
    url = tus.start(work, len(video_bytes))
    response = tus.patch(url, video_bytes[:5000], 0)
    assert response.status_code == 204
    assert response["Upload-Offset"] == "5000"
    assert "Upload-Expires" in response
    response = tus.patch(url, video_bytes[5000:], 5000)
    assert response.status_code == 204
    assert response["Upload-Offset"] == str(len(video_bytes))
    attachment = Attachment.objects.get()
    assert attachment.sha256 == sha256(video_bytes)
    assert attachment.file.read() == video_bytes
    assert attachment.episode == work.episodes.first()
    assert attachment.uploaded_by == Upload.objects.get().user
    upload = Upload.objects.get()
    assert (upload.state, upload.attachment) == (Upload.State.COMPLETE, attachment)
    assert not upload.path.exists(), "the partial file was moved, not left behind"


@pytest.mark.parametrize("content_type", ["application/octet-stream", "text/plain",
                                          "multipart/form-data; boundary=x"])
def test_patch_needs_the_offset_content_type(tus, work, content_type):
    url = tus.start(work, 100)
    response = tus.patch(url, b"x" * 10, 0, content_type=content_type)
    assert response.status_code == 415
    assert Upload.objects.get().offset == 0


@pytest.mark.parametrize("offset", [1, 999, 10**12])
def test_a_client_that_lies_about_the_offset_gets_409(tus, work, video_bytes, offset):
    url = tus.start(work, len(video_bytes))
    tus.patch(url, video_bytes[:500], 0)
    response = tus.patch(url, video_bytes[offset:offset + 100], offset)
    assert response.status_code == 409
    assert "500" in body(response)
    assert Upload.objects.get().offset == 500


def test_a_patch_without_content_length_is_411(tus, work):
    url = tus.start(work, 100)
    response = tus.client.generic("PATCH", url, CONTENT_TYPE="application/offset+octet-stream",
                                  HTTP_UPLOAD_OFFSET="0", **TUS)
    assert response.status_code == 411


@pytest.mark.parametrize("offset", ["-1", "abc", ""])
def test_a_malformed_offset_is_400(tus, work, offset):
    url = tus.start(work, 100)
    response = tus.client.generic("PATCH", url, data=b"x", content_type="application/offset+octet-stream",
                                  HTTP_UPLOAD_OFFSET=offset, **TUS)
    assert response.status_code == 400


def test_bytes_past_the_declared_length_are_refused_and_nothing_is_appended(tus, work, video_bytes):
    url = tus.start(work, 1000)
    tus.patch(url, video_bytes[:900], 0)
    response = tus.patch(url, video_bytes[900:1200], 900)
    assert response.status_code == 413
    upload = Upload.objects.get()
    assert upload.offset == 900 and upload.path.stat().st_size == 900
    assert not Attachment.objects.exists()


def test_a_completed_upload_takes_no_more_bytes(tus, work, video_bytes):
    url = tus.send(work, video_bytes)
    assert tus.patch(url, b"more", len(video_bytes)).status_code == 413
    assert tus.patch(url, b"", len(video_bytes)).status_code == 204
    assert Attachment.objects.count() == 1


# ---- checksums


def test_a_matching_checksum_is_accepted(tus, work, video_bytes):
    url = tus.start(work, len(video_bytes))
    part = video_bytes[:8000]
    response = tus.patch(url, part, 0, HTTP_UPLOAD_CHECKSUM=checksum(part))
    assert response.status_code == 204
    assert response["Upload-Offset"] == "8000"
    rest = video_bytes[8000:]
    assert tus.patch(url, rest, 8000, HTTP_UPLOAD_CHECKSUM=checksum(rest, "sha1")).status_code == 204
    assert Attachment.objects.get().sha256 == sha256(video_bytes)


def test_a_wrong_checksum_is_460_and_nothing_is_appended(tus, work, video_bytes):
    url = tus.start(work, len(video_bytes))
    tus.patch(url, video_bytes[:100], 0)
    response = tus.patch(url, video_bytes[100:8000], 100, HTTP_UPLOAD_CHECKSUM=checksum(b"other"))
    assert response.status_code == 460
    assert "校验失败" in body(response)
    upload = Upload.objects.get()
    assert upload.offset == 100 and upload.path.stat().st_size == 100
    assert tus.patch(url, video_bytes[100:], 100).status_code == 204
    assert Attachment.objects.get().sha256 == sha256(video_bytes)


@pytest.mark.parametrize("header", ["crc32 AAAA", "sha256", "sha256 !!!", "sha256 YQ==",
                                    "sha256 a b"])
def test_an_unknown_or_malformed_checksum_is_400(tus, work, header):
    url = tus.start(work, 100)
    response = tus.patch(url, b"x" * 10, 0, HTTP_UPLOAD_CHECKSUM=header)
    assert response.status_code == 400
    assert Upload.objects.get().offset == 0


# ---- content type from the bytes


def test_content_that_is_not_a_video_is_refused_as_soon_as_it_arrives(tus, work):
    fake = b"MZ\x90\x00" + b"\x00" * 20000  # a Windows program renamed .mp4
    url = tus.start(work, len(fake), filename="作品.mp4")
    response = tus.patch(url, fake[:5000], 0)
    assert response.status_code == 415
    assert "不是要求的 MP4" in body(response)
    upload = Upload.objects.get()
    assert upload.state == Upload.State.REFUSED and not upload.path.exists()
    assert tus.head(url).status_code == 410
    again = tus.patch(url, fake[5000:], 5000)
    assert again.status_code == 410 and "不是要求的 MP4" in body(again)
    assert not Attachment.objects.exists()


def test_a_mov_where_mp4_is_required_is_refused_early(tus, work):
    mov = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  " + b"\x00" * 9000
    url = tus.start(work, len(mov))
    response = tus.patch(url, mov, 0)
    assert response.status_code == 415 and "MOV" in body(response)


def test_the_format_is_judged_on_the_head_even_when_it_comes_byte_by_byte(tus, work, video_bytes):
    url = tus.start(work, len(video_bytes))
    for offset in range(0, 20):
        assert tus.patch(url, video_bytes[offset:offset + 1], offset).status_code == 204
    assert tus.patch(url, video_bytes[20:], 20).status_code == 204
    assert Attachment.objects.get().detected_format == "mp4"


# ---- who may upload where


def test_only_the_uploader_reaches_an_upload(tus, work, video_bytes, unit):
    url = tus.start(work, len(video_bytes))
    colleague = member_of(unit, UserFactory())
    other = Client()
    other.force_login(colleague)
    intruder = Tus(other)
    assert intruder.head(url).status_code == 404
    assert intruder.patch(url, video_bytes, 0).status_code == 404
    assert intruder.delete(url).status_code == 404
    assert Upload.objects.get().offset == 0


def test_an_upload_for_another_units_work_is_refused(tus, hubei):
    foreign = WorkFactory(entrant=EntrantFactory(campaign=hubei, name="别的单位"))
    response = tus.create(foreign, 100)
    assert response.status_code == 404
    assert not Upload.objects.exists()


def test_signed_out_requests_are_refused(client, work):
    response = Tus(client).create(work, 100)
    assert response.status_code == 403
    assert "登录" in body(response)


def test_a_finished_work_takes_no_new_upload(tus, work):
    work.state = WorkState.SUBMITTED
    work.save()
    response = tus.create(work, 100)
    assert response.status_code == 403
    assert "不能修改" in body(response)


def test_a_work_handed_in_mid_upload_takes_no_more_bytes(tus, work, video_bytes):
    url = tus.start(work, len(video_bytes))
    tus.patch(url, video_bytes[:5000], 0)
    work.state = WorkState.SUBMITTED
    work.save()
    assert tus.patch(url, video_bytes[5000:], 5000).status_code == 403
    assert tus.head(url).status_code == 403
    assert not Attachment.objects.exists()


def test_a_limit_lowered_mid_upload_stops_it(tus, work, settings):
    settings.GUANGYING_MAX_VIDEO_MB = 2
    url = tus.start(work, 1536 * 1024)
    settings.GUANGYING_MAX_VIDEO_MB = 1
    response = tus.patch(url, b"\x00" * 100, 0)
    assert response.status_code == 413
    assert Upload.objects.get().state == Upload.State.REFUSED


def test_the_fourth_parallel_upload_is_refused_in_chinese(tus, hubei, unit, settings):
    settings.GUANGYING_UPLOAD_MAX_PARALLEL = 3
    works = [WorkFactory(entrant=unit) for _ in range(4)]
    urls = [tus.start(w, 1000) for w in works[:3]]
    response = tus.create(works[3], 1000)
    assert response.status_code == 429
    assert "同时最多上传 3 个" in body(response)
    tus.delete(urls[0])
    assert tus.create(works[3], 1000).status_code == 201


def test_finished_and_expired_uploads_do_not_count_against_the_limit(tus, unit, video_bytes, settings):
    settings.GUANGYING_UPLOAD_MAX_PARALLEL = 1
    first, second, third = (WorkFactory(entrant=unit) for _ in range(3))
    tus.send(first, video_bytes)
    url = tus.start(second, 1000)
    assert tus.create(third, 1000).status_code == 429
    Upload.objects.filter(pk=url.rsplit("/", 1)[1]).update(expires_at=timezone.now())
    assert tus.create(third, 1000).status_code == 201


def test_csrf_is_checked_with_the_header_token(member, work):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    client.get(work.get_absolute_url())
    refused = Tus(client).create(work, 100)
    assert refused.status_code == 403 and "安全校验" in body(refused)
    assert refused["Tus-Resumable"] == "1.0.0"
    token = client.cookies["csrftoken"].value
    url = Tus(client).start(work, 100, HTTP_X_CSRFTOKEN=token)
    assert Tus(client).patch(url, b"\x00" * 10, 0).status_code == 403
    assert Tus(client).patch(url, b"\x00" * 10, 0, HTTP_X_CSRFTOKEN=token).status_code == 204
    assert Tus(client).head(url).status_code == 200


def test_the_upload_id_is_not_guessable_and_garbage_ids_are_404(tus, work):
    url = tus.start(work, 100)
    assert len(url.rsplit("/", 1)[1]) == 36
    assert tus.head("/uploads/tus/00000000-0000-0000-0000-000000000000").status_code == 404
    assert tus.client.head("/uploads/tus/../../etc/passwd", **TUS).status_code == 404


# ---- termination and what a finished upload leaves


def test_delete_terminates_and_removes_the_bytes(tus, work, video_bytes):
    url = tus.start(work, len(video_bytes))
    tus.patch(url, video_bytes[:5000], 0)
    path = Upload.objects.get().path
    response = tus.delete(url)
    assert response.status_code == 204
    assert not path.exists() and not Upload.objects.exists()
    assert tus.head(url).status_code == 404
    assert tus.patch(url, video_bytes[5000:], 5000).status_code == 404


def test_a_second_video_is_kept_as_a_plain_upload_keeps_it(tus, work, unit, member, video_bytes):
    """Superseding and history follow store_attachment: the same two files, both ways, end alike."""
    second = video_bytes[:-1] + b"\x00"
    tus.send(work, video_bytes, filename="初版.mp4")
    tus.send(work, second, filename="终版.mp4")
    plain = WorkFactory(entrant=unit)
    rule = video_rule(plain.campaign.rules)
    for name, data in (("初版.mp4", video_bytes), ("终版.mp4", second)):
        store_attachment(work=plain, kind=Attachment.VIDEO, uploaded=SimpleUploadedFile(name, data),
                         rule=rule, user=member, episode=plain.episodes.first())

    def record(w):
        return [(a.original_name, a.sha256, a.size, a.detected_format, a.superseded_at is None)
                for a in Attachment.objects.filter(work=w).order_by("uploaded_at", "pk")]

    assert record(work) == record(plain)
    assert [r[1] for r in record(work)] == [sha256(video_bytes), sha256(second)]
    assert (work.episodes.first().current_video().original_name
            == plain.episodes.first().current_video().original_name)


def test_an_expired_upload_is_gone(tus, work, video_bytes):
    url = tus.start(work, len(video_bytes))
    tus.patch(url, video_bytes[:100], 0)
    upload = Upload.objects.get()
    Upload.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = tus.patch(url, video_bytes[100:], 100)
    assert response.status_code == 410 and "过期" in body(response)
    assert not upload.path.exists()
    assert tus.head(url).status_code == 404


def test_each_patch_moves_the_expiry_on(tus, work, video_bytes):
    url = tus.start(work, len(video_bytes))
    Upload.objects.update(expires_at=timezone.now() + timedelta(minutes=5))
    response = tus.patch(url, video_bytes[:100], 0)
    assert parsedate_to_datetime(response["Upload-Expires"]) > timezone.now() + timedelta(hours=23)


def test_delete_of_an_upload_whose_file_is_already_gone_still_ends_it(tus, work):
    url = tus.start(work, 100)
    Upload.objects.get().path.unlink()
    assert tus.delete(url).status_code == 204
    assert not Upload.objects.exists()


def test_a_patch_to_an_upload_whose_file_is_gone_is_410(tus, work):
    url = tus.start(work, 100)
    Upload.objects.get().path.unlink()
    response = tus.patch(url, b"\x00" * 10, 0)
    assert response.status_code == 410 and "重新上传" in body(response)

"""Keeping uploaded files: refused with a reason, or stored under a random name with a hash."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guangying.demo.media import pdf_bytes, png_bytes
from guangying.submissions.models import Attachment
from guangying.submissions.readiness import document_rule, video_rule
from guangying.submissions.uploads import (
    FileRule,
    UploadRefused,
    human_size,
    safe_original_name,
    store_attachment,
)
from tests.factories import EntrantFactory, WorkFactory, member_of

from .helpers import docx_bytes, stored_files, upload


@pytest.fixture
def work(unit):
    return WorkFactory(entrant=unit, title="光谷里的微光")


@pytest.fixture
def cq_work(chongqing):
    return WorkFactory(entrant=EntrantFactory(campaign=chongqing, name="示例区党史研究室"))


def pledge_rule(work):
    return document_rule(work.campaign.rules, "copyright_pledge")


def store(work, name, content, rule, user, kind="copyright_pledge", episode=None):
    return store_attachment(
        work=work, kind=kind, uploaded=SimpleUploadedFile(name, content), rule=rule, user=user,
        episode=episode,
    )


def refusal(work, name, content, rule, user, **kwargs) -> str:
    with pytest.raises(UploadRefused) as caught:
        store(work, name, content, rule, user, **kwargs)
    return caught.value.message


# ---- refused, and nothing kept


def test_empty_file_is_refused(work, member, media_root):
    message = refusal(work, "版权承诺书.pdf", b"", pledge_rule(work), member)
    assert "「版权承诺书」是空文件（0 字节）" in message
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_file_over_the_limit_is_refused_with_both_sizes(work, member, media_root):
    content = pdf_bytes("x" * 3000)
    rule = FileRule(label="版权承诺书", formats=("pdf",), max_bytes=2048)
    message = refusal(work, "版权承诺书.pdf", content, rule, member)
    assert "「版权承诺书」文件过大" in message
    assert human_size(len(content)) in message
    assert "上限为 2 KB" in message
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_video_over_the_configured_limit_is_refused(work, member, settings, mp4_bytes):
    settings.GUANGYING_MAX_VIDEO_MB = 1
    padded = mp4_bytes + (1024 * 1024).to_bytes(4, "big") + b"free" + b"\0" * (1024 * 1024 - 8)
    message = refusal(work, "长川市委统战部-光谷里的微光.mp4", padded, video_rule(work.campaign.rules),
                      member, kind="video", episode=work.episodes.get())
    assert "「视频文件」文件过大" in message
    assert "上限为 1.0 MB" in message


def test_file_at_exactly_the_limit_is_kept(work, member):
    content = pdf_bytes()
    rule = FileRule(label="版权承诺书", formats=("pdf",), max_bytes=len(content))
    assert store(work, "版权承诺书.pdf", content, rule, member).size == len(content)


def test_text_named_pdf_is_refused_naming_both_formats(work, member, media_root):
    message = refusal(work, "版权承诺书.pdf", "盖章页".encode(), pledge_rule(work), member)
    assert "文件内容是 纯文本（.txt），不是要求的 PDF、JPG、PNG" in message
    assert "只改扩展名不能改变文件格式" in message
    assert stored_files(media_root) == []


def test_png_named_pdf_is_refused_where_only_documents_are_taken(cq_work, member):
    rule = document_rule(cq_work.campaign.rules, "final_script")
    message = refusal(cq_work, "文稿.pdf", png_bytes(), rule, member, kind="final_script")
    assert "「最终视频文稿」的文件内容是 PNG" in message
    assert "Word（.docx）" in message


def test_png_named_pdf_is_kept_as_png_where_images_are_taken(work, member):
    attachment = store(work, "盖章页.pdf", png_bytes(), pledge_rule(work), member)
    assert attachment.detected_format == "png"
    assert attachment.content_type == "image/png"
    assert attachment.original_name == "盖章页.pdf"


def test_mkv_named_mp4_is_refused(work, member, videos):
    message = refusal(work, "作品.mp4", videos["mkv"].read_bytes(), video_rule(work.campaign.rules),
                      member, kind="video", episode=work.episodes.get())
    assert "「视频文件」的文件内容是 MKV，不是要求的 MP4" in message


def test_mov_is_refused_in_hubei_and_kept_in_chongqing(work, cq_work, member, videos):
    content = videos["mov"].read_bytes()
    message = refusal(work, "作品.mov", content, video_rule(work.campaign.rules), member,
                      kind="video", episode=work.episodes.get())
    assert "MOV，不是要求的 MP4" in message
    kept = store(cq_work, "作品.mov", content, video_rule(cq_work.campaign.rules), member,
                 kind="video", episode=cq_work.episodes.get())
    assert kept.detected_format == "mov"


def test_mpeg_program_stream_is_kept_in_chongqing(cq_work, member, videos):
    kept = store(cq_work, "作品.mpg", videos["mpeg"].read_bytes(), video_rule(cq_work.campaign.rules),
                 member, kind="video", episode=cq_work.episodes.get())
    assert (kept.detected_format, kept.content_type) == ("mpeg", "video/mpeg")


def test_truncated_pdf_is_refused_as_incomplete(work, member, media_root):
    content = pdf_bytes()
    message = refusal(work, "版权承诺书.pdf", content[:-30], pledge_rule(work), member)
    assert message.startswith("「版权承诺书」：PDF 文件不完整")
    assert stored_files(media_root) == []


def test_truncated_docx_is_refused_as_incomplete_word_file(cq_work, member):
    content = docx_bytes()
    rule = document_rule(cq_work.campaign.rules, "final_script")
    message = refusal(cq_work, "文稿.docx", content[: len(content) // 2], rule, member,
                      kind="final_script")
    assert message.startswith("「最终视频文稿」：Word 文件不完整")


def test_a_refusal_keeps_the_file_already_there(work, member):
    first = store(work, "版权承诺书.pdf", pdf_bytes(), pledge_rule(work), member)
    refusal(work, "版权承诺书.pdf", b"", pledge_rule(work), member)
    refusal(work, "版权承诺书.pdf", b"not a pdf", pledge_rule(work), member)
    first.refresh_from_db()
    assert first.superseded_at is None
    assert list(work.current_attachments()) == [first]
    assert first.file.storage.exists(first.file.name)


# ---- names


HOSTILE_NAMES = [
    ("../../etc/passwd", "passwd"),
    ("C:\\Windows\\evil.pdf", "evil.pdf"),
    ("evil\x00.pdf", "evil.pdf"),
    ("report\u202efdp.pdf", "reportfdp.pdf"),
    ("版权\u200b承诺\ufeff书.pdf", "版权承诺书.pdf"),
    ("$(rm -rf).pdf", "$(rm -rf).pdf"),
    ("承诺 书 ; ls -la `id` | cat.pdf", "承诺 书 ; ls -la `id` | cat.pdf"),
    ("...", "file"),
]


@pytest.mark.parametrize(("given", "kept"), HOSTILE_NAMES)
def test_hostile_names_are_kept_only_as_sanitised_text(work, member, media_root, given, kept):
    attachment = store(work, given, pdf_bytes(), pledge_rule(work), member)
    assert attachment.original_name == kept
    stored = attachment.file.name
    stem = kept.rsplit(".", 1)[0]
    assert stem not in stored
    assert ".." not in stored and "\\" not in stored and "\x00" not in stored
    assert stored.startswith(f"works/{work.campaign_id}/{work.pk}/")
    on_disk = stored_files(media_root)
    assert on_disk == [media_root / stored]
    assert on_disk[0].read_bytes() == pdf_bytes()


def test_long_chinese_name_is_shortened_within_240_bytes_keeping_the_extension(work, member):
    given = "微光映同心" * 20 + ".pdf"  # 304 bytes in UTF-8
    assert len(given.encode()) > 300
    attachment = store(work, given, pdf_bytes(), pledge_rule(work), member)
    kept = attachment.original_name
    assert len(kept.encode()) <= 240
    assert kept.endswith(".pdf")
    assert kept.startswith("微光映同心微光映同心")
    assert "微光映同心" * 3 not in attachment.file.name


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("a/b/c.pdf", "c.pdf"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("  作品.mp4  ", "作品.mp4"),
        ("作品\n名称.mp4", "作品 名称.mp4"),
        ("", "file"),
        (None, "file"),
    ],
)
def test_safe_original_name(given, expected):
    assert safe_original_name(given) == expected


def test_long_name_without_extension_is_cut_to_240_bytes():
    kept = safe_original_name("剪" * 300)
    assert 230 <= len(kept.encode()) <= 240
    assert set(kept) == {"剪"}


def test_stored_names_of_two_files_with_the_same_name_differ(work, member):
    first = store(work, "同名.pdf", pdf_bytes("one"), pledge_rule(work), member)
    second = store(work, "同名.pdf", pdf_bytes("two"), pledge_rule(work), member)
    assert first.file.name != second.file.name
    assert first.file.read() == pdf_bytes("one")


# ---- what is kept


def test_sha256_size_and_format_are_those_of_the_bytes(work, member, mp4_bytes):
    attachment = upload(work, "video", "作品.mp4", mp4_bytes, member, episode=work.episodes.get())
    assert attachment.sha256 == hashlib.sha256(mp4_bytes).hexdigest()
    assert attachment.size == len(mp4_bytes)
    assert attachment.detected_format == "mp4"
    assert attachment.content_type == "video/mp4"
    assert attachment.uploaded_by == member
    assert attachment.episode == work.episodes.get()
    with attachment.file.open("rb") as handle:
        assert handle.read() == mp4_bytes


def test_sha256_of_a_file_larger_than_the_memory_threshold(work, member, settings):
    # Over FILE_UPLOAD_MAX_MEMORY_SIZE: hashed in chunks, not in one read.
    content = pdf_bytes() + b"%" + b"x" * (3 * 1024 * 1024) + b"\n%%EOF\n"
    rule = FileRule(label="版权承诺书", formats=("pdf",), max_bytes=10 * 1024 * 1024)
    attachment = store(work, "大文件.pdf", content, rule, member)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.file.size == len(content)


def test_replacing_keeps_the_previous_file_marked_superseded(work, member, media_root):
    first = store(work, "第一版.pdf", pdf_bytes("first"), pledge_rule(work), member)
    second = store(work, "第二版.pdf", pdf_bytes("second"), pledge_rule(work), member)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.superseded_at is not None
    assert second.superseded_at is None
    assert list(work.current_attachments()) == [second]
    assert (media_root / first.file.name).read_bytes() == pdf_bytes("first")
    assert (media_root / second.file.name).read_bytes() == pdf_bytes("second")
    assert len(stored_files(media_root)) == 2


def test_replacing_one_slot_leaves_other_slots_and_episodes_alone(cq_work, member, mp4_bytes):
    from guangying.submissions.workflow import add_episode

    second_episode = add_episode(cq_work, member)
    first_episode = cq_work.episodes.get(number=1)
    video_one = upload(cq_work, "video", "第1集.mp4", mp4_bytes, member, episode=first_episode)
    video_two = upload(cq_work, "video", "第2集.mp4", mp4_bytes, member, episode=second_episode)
    pledge = upload(cq_work, "copyright_pledge", "承诺书.pdf", pdf_bytes(), member)
    script = upload(cq_work, "final_script", "文稿.docx", docx_bytes(), member)
    replaced = upload(cq_work, "video", "第1集-新.mp4", mp4_bytes, member, episode=first_episode)
    # The old video stays current until the new one has been checked.
    assert first_episode.current_video() == video_one
    from guangying.submissions.checking import start_checks

    start_checks(replaced.pk)
    current = set(cq_work.current_attachments())
    assert current == {replaced, video_two, pledge, script}
    assert first_episode.current_video() == replaced
    video_one.refresh_from_db()
    assert video_one.superseded_at is not None


def test_an_upload_by_another_unit_member_is_recorded_as_theirs(work, unit):
    colleague = member_of(unit)
    attachment = store(work, "承诺书.pdf", pdf_bytes(), pledge_rule(work), colleague)
    assert attachment.uploaded_by == colleague


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 B"), (1023, "1023 B"), (2048, "2 KB"), (5 * 1024**2, "5.0 MB"), (8 * 1024**3, "8.0 GB")],
)
def test_human_size(size, text):
    assert human_size(size) == text


@pytest.mark.parametrize("name", ["承诺书.exe", "承诺书.PDF.bat", "承诺书", "承诺书.png"])
def test_the_stored_file_is_named_after_its_content_not_the_senders_extension(
    work, member, media_root, name
):
    attachment = store(work, name, pdf_bytes(), pledge_rule(work), member)
    assert attachment.file.name.endswith(".pdf")
    assert attachment.original_name == name

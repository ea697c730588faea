"""What a file is, read from its bytes: real files, renamed and cut short."""

import io
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from guangying.demo.media import pdf_bytes, png_bytes
from guangying.submissions.sniffing import (
    CONTENT_TYPES,
    FORMAT_LABELS,
    sniff_file,
    sniff_head,
    sniff_stream,
)
from guangying.submissions.uploads import FileRule, UploadRefused, store_attachment
from tests.factories import WorkFactory

from .helpers import docx_bytes, zip_bytes


def sniff(data: bytes):
    return sniff_stream(io.BytesIO(data))


# A baseline JPEG: SOI, a comment, EOI. The sniffer reads markers, not pixels.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200 + b"\xff\xd9"


# ---- documents


def test_pdf():
    result = sniff(pdf_bytes())
    assert result.format == "pdf"
    assert result.content_type == "application/pdf"
    assert result.problem == ""


def test_pdf_with_junk_before_the_header_is_still_pdf():
    assert sniff(b"\r\n" * 10 + pdf_bytes()).format == "pdf"


def test_truncated_pdf_is_pdf_with_a_problem():
    data = pdf_bytes()
    result = sniff(data[: len(data) - 40])
    assert result.format == "pdf"
    assert "不完整" in result.problem


def test_png():
    result = sniff(png_bytes())
    assert (result.format, result.content_type, result.problem) == ("png", "image/png", "")


def test_truncated_png_has_a_problem():
    data = png_bytes()
    result = sniff(data[:-12])
    assert result.format == "png"
    assert "不完整" in result.problem


def test_png_with_damaged_header_has_a_problem():
    data = bytearray(png_bytes())
    data[12:16] = b"XXXX"
    result = sniff(bytes(data))
    assert result.format == "png"
    assert "损坏" in result.problem


def test_jpg():
    result = sniff(JPEG)
    assert (result.format, result.content_type, result.problem) == ("jpg", "image/jpeg", "")


def test_truncated_jpg_has_a_problem():
    result = sniff(JPEG[:-2])
    assert result.format == "jpg"
    assert "不完整" in result.problem


def test_docx_written_by_python_docx():
    result = sniff(docx_bytes())
    assert result.format == "docx"
    assert result.content_type.endswith("wordprocessingml.document")
    assert result.problem == ""


def test_minimal_docx_zip_with_word_document_xml():
    data = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    assert sniff(data).format == "docx"


def test_truncated_docx_is_a_damaged_word_file_not_a_zip():
    data = docx_bytes()
    result = sniff(data[: len(data) // 2])
    assert result.format == "docx"
    assert "Word 文件不完整" in result.problem


def test_plain_zip_is_zip():
    result = sniff(zip_bytes({"作品/说明.txt": "说明".encode()}))
    assert (result.format, result.problem) == ("zip", "")


def test_corrupt_zip_is_zip_with_a_problem():
    result = sniff(b"PK\x03\x04" + b"\x14\x00" * 20 + b"not really a zip")
    assert result.format == "zip"
    assert "ZIP 结构损坏" in result.problem


def test_doc_ole_header():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    result = sniff(data)
    assert (result.format, result.content_type) == ("doc", "application/msword")


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-8-sig", "utf-16"])
def test_text_in_the_encodings_chinese_offices_use(encoding):
    text = "最终视频文稿\n第一场：清晨，光谷的实验室里灯还亮着。\n" * 200
    result = sniff(text.encode(encoding))
    assert result.format == "txt"
    assert result.problem == ""


def test_gb18030_text_cut_inside_a_character_at_the_sample_edge():
    # 4096 bytes of sample: the sniffer must not call a cut character binary.
    data = ("a" + "微光映同心" * 2000).encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data[:4096].decode("gb18030")  # the sample ends inside a two-byte character
    assert sniff(data).format == "txt"


# ---- videos


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("mp4", "video/mp4"),
        ("mov", "video/quicktime"),
        ("mpeg", "video/mpeg"),
        ("ts", "video/mp2t"),
        ("mkv", "video/x-matroska"),
        ("avi", "video/x-msvideo"),
    ],
)
def test_real_videos_by_container(videos, fmt, content_type):
    result = sniff_file(videos[fmt])
    assert result.format == fmt
    assert result.content_type == content_type


def test_mkv_header_alone():
    assert sniff_head(b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01") == "mkv"


def test_flv_header():
    assert sniff_head(b"FLV\x01\x05\x00\x00\x00\x09") == "flv"


def test_old_quicktime_starting_with_mdat_is_mov():
    assert sniff_head(b"\x00\x00\x00\x08wide\x00\x00\x10\x00mdat") == "mov"


def test_mkv_renamed_mp4_is_still_mkv(videos, tmp_path):
    renamed = tmp_path / "作品.mp4"
    renamed.write_bytes(videos["mkv"].read_bytes())
    assert sniff_file(renamed).format == "mkv"


def test_text_renamed_mp4_is_text(tmp_path):
    renamed = tmp_path / "作品.mp4"
    renamed.write_text("这不是视频", encoding="utf-8")
    assert sniff_file(renamed).format == "txt"


# ---- nothing, or noise


def test_empty():
    result = sniff(b"")
    assert result.format == "empty"
    assert result.content_type == CONTENT_TYPES["empty"]


def test_random_bytes_are_unknown():
    noise = random.Random(20260731).randbytes(8192)
    result = sniff(noise)
    assert result.format == "unknown"
    assert result.content_type == "application/octet-stream"


def test_utf16_bom_followed_by_binary_is_not_text():
    assert sniff(b"\xff\xfe" + b"\x01\x00\x02\x00\x1b\x00" * 50).format == "unknown"


def test_stream_position_is_left_at_the_start():
    stream = io.BytesIO(pdf_bytes())
    stream.seek(100)
    sniff_stream(stream)
    assert stream.tell() == 0


def test_camcorder_mts_with_time_codes_is_a_transport_stream():
    packet = b"\x00\x00\x00\x00" + b"\x47" + bytes(187)
    assert sniff_head(packet * 4) == "ts"


# ---- the words follow the reader's language


def test_problems_are_in_chinese_by_default_and_in_english_when_asked():
    data = pdf_bytes()[:-40]
    assert sniff(data).problem == "PDF 文件不完整（缺少文件结尾），请重新导出或重新扫描"
    with translation.override("en"):
        assert sniff(data).problem == (
            "The PDF file is incomplete (its end is missing); please export or scan it again"
        )


def test_format_labels_are_translated_when_shown_not_when_imported():
    assert str(FORMAT_LABELS["txt"]) == "纯文本（.txt）"
    assert str(FORMAT_LABELS["unknown"]) == "无法识别的格式"
    with translation.override("en"):
        assert str(FORMAT_LABELS["txt"]) == "plain text (.txt)"
        assert str(FORMAT_LABELS["docx"]) == "Word (.docx)"
        assert str(FORMAT_LABELS["empty"]) == "an empty file"
    assert FORMAT_LABELS["pdf"] == "PDF"


def refused(work, user, name: str, content: bytes, label: str, formats: tuple[str, ...]) -> str:
    rule = FileRule(label=label, formats=formats, max_bytes=1024 * 1024)
    with pytest.raises(UploadRefused) as caught:
        store_attachment(work=work, kind="final_script", uploaded=SimpleUploadedFile(name, content),
                         rule=rule, user=user)
    return caught.value.message


def test_a_refused_upload_speaks_the_reader_s_language(unit, member):
    work = WorkFactory(entrant=unit)
    truncated = pdf_bytes()[:-40]
    assert refused(work, member, "a.docx", JPEG, "文稿", ("docx", "txt")) == (
        "「文稿」的文件内容是 JPG，不是要求的 Word（.docx）、纯文本（.txt）（只改扩展名不能改变文件格式）。"
    )
    assert refused(work, member, "a.pdf", truncated, "文稿", ("pdf",)) == (
        "「文稿」：PDF 文件不完整（缺少文件结尾），请重新导出或重新扫描"
    )
    with translation.override("en"):
        assert refused(work, member, "a.docx", JPEG, "Script", ("docx", "txt")) == (
            "The content of “Script” is JPG, not the required Word (.docx), plain text (.txt) "
            "(renaming the file extension does not change the file format)."
        )
        assert refused(work, member, "a.pdf", truncated, "Script", ("pdf",)) == (
            "“Script”: The PDF file is incomplete (its end is missing); please export or scan it again"
        )

"""What a file really is, read from its bytes rather than its name.

Units rename files: a Word table saved as .pdf, a .mkv renamed .mp4, a
photo of the commitment saved as .png that is really a JPEG. The name
only tells us what the sender believes; the first bytes (and for ZIP-based
Office files, the directory at the end) tell us what it is.
"""

import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HEAD_BYTES = 4096


@dataclass(frozen=True)
class Sniffed:
    format: str  # pdf jpg png docx doc txt mp4 mov mpeg ts mkv avi flv zip unknown empty
    content_type: str
    problem: str = ""  # a reason the file looks damaged, in the language active when sniffed


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "txt": "text/plain; charset=utf-8",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "mpeg": "video/mpeg",
    "ts": "video/mp2t",
    "mkv": "video/x-matroska",
    "avi": "video/x-msvideo",
    "flv": "video/x-flv",
    "zip": "application/zip",
    "unknown": "application/octet-stream",
    "empty": "application/octet-stream",
}

# What a format is called to a person, for messages: translated when shown, so pass them
# through str() before joining.
FORMAT_LABELS = {
    "pdf": "PDF",
    "jpg": "JPG",
    "png": "PNG",
    "docx": gettext_lazy("Word（.docx）"),
    "doc": gettext_lazy("Word 97-2003（.doc）"),
    "txt": gettext_lazy("纯文本（.txt）"),
    "mp4": "MP4",
    "mov": "MOV",
    "mpeg": "MPEG/MPG",
    "ts": "MPEG-TS",
    "mkv": "MKV",
    "avi": "AVI",
    "flv": "FLV",
    "zip": "ZIP",
    "unknown": gettext_lazy("无法识别的格式"),
    "empty": gettext_lazy("空文件"),
}

# Extensions that people use for each format.
EXTENSIONS = {
    "pdf": {"pdf"},
    "jpg": {"jpg", "jpeg"},
    "png": {"png"},
    "docx": {"docx"},
    "doc": {"doc"},
    "txt": {"txt"},
    "mp4": {"mp4", "m4v"},
    "mov": {"mov", "qt"},
    "mpeg": {"mpg", "mpeg", "mpe"},
}

_QUICKTIME_BRANDS = {b"qt  "}
_MP4_TOP_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot", b"uuid"}


def _sniff_isobmff(head: bytes) -> str | None:
    if len(head) < 12:
        return None
    box_type = head[4:8]
    if box_type == b"ftyp":
        major = head[8:12]
        compatible = {head[i : i + 4] for i in range(16, min(len(head), 64), 4)}
        if major in _QUICKTIME_BRANDS or (major not in {b"isom", b"mp41", b"mp42"} and
                                           b"qt  " in compatible and b"isom" not in compatible):
            return "mov"
        return "mp4"
    if box_type in _MP4_TOP_BOXES - {b"ftyp"}:
        size = struct.unpack(">I", head[:4])[0]
        if size in (0, 1) or size >= 8:
            # Old QuickTime files start straight with moov, mdat or wide.
            return "mov"
    return None


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Notepad's 「Unicode」 is UTF-16 with a byte-order mark.
        try:
            text = head[: len(head) // 2 * 2].decode("utf-16")
        except UnicodeDecodeError:
            return False
        return not any(ch < " " and ch not in "\t\n\r\f" for ch in text)
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            # A multi-byte character may be cut at the end of the sample.
            head.decode(encoding)
            return True
        except UnicodeDecodeError as error:
            if error.start >= len(head) - 4:
                return True
    return False


def sniff_head(head: bytes) -> str:
    """The format from the first bytes alone (ZIP-based formats need the path)."""
    if not head:
        return "empty"
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "mkv"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "avi"
    if head.startswith(b"FLV"):
        return "flv"
    if head.startswith(b"\x00\x00\x01\xba"):
        return "mpeg"
    if head.startswith(b"\x00\x00\x01\xb3"):
        return "mpeg"
    if len(head) >= 377 and head[0] == 0x47 and head[188] == 0x47 and head[376] == 0x47:
        return "ts"
    if len(head) >= 389 and head[4] == 0x47 and head[196] == 0x47 and head[388] == 0x47:
        return "ts"  # camcorder .MTS/.M2TS: 192-byte packets with a time code in front
    isobmff = _sniff_isobmff(head)
    if isobmff:
        return isobmff
    if _looks_like_text(head):
        return "txt"
    return "unknown"


def _local_names(data: bytes) -> list[bytes]:
    """Entry names from the local headers, readable even when the end of the file is lost."""
    names = []
    for match in re.finditer(b"PK\x03\x04", data):
        start = match.start()
        if start + 30 > len(data):
            break
        length = struct.unpack("<H", data[start + 26 : start + 28])[0]
        names.append(data[start + 30 : start + 30 + length])
    return names


def _docx_or_zip(stream: BinaryIO) -> tuple[str, str]:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        # A Word file cut short loses the directory at its end: say it is a
        # damaged Word file, not "a ZIP where Word was asked for".
        stream.seek(0)
        if any(name.startswith(b"word/") for name in _local_names(stream.read(1024 * 1024))):
            return "docx", _("Word 文件不完整（文件结构损坏），可能未传完整，请重新保存后上传")
        return "zip", _("ZIP 结构损坏，文件可能未传完整")
    if "word/document.xml" in names:
        return "docx", ""
    return "zip", ""


def _damage(fmt: str, stream: BinaryIO, size: int) -> str:
    """Cheap signs of a truncated or broken file, checked at the tail."""
    if fmt == "pdf":
        stream.seek(max(0, size - 2048))
        if b"%%EOF" not in stream.read():
            return _("PDF 文件不完整（缺少文件结尾），请重新导出或重新扫描")
    elif fmt == "png":
        stream.seek(0)
        head = stream.read(33)
        if len(head) < 33 or head[12:16] != b"IHDR":
            return _("PNG 图片已损坏")
        stream.seek(max(0, size - 12))
        if b"IEND" not in stream.read():
            return _("PNG 图片不完整，请重新保存")
    elif fmt == "jpg":
        stream.seek(max(0, size - 1024))
        if b"\xff\xd9" not in stream.read():
            return _("JPG 图片不完整，请重新保存")
    return ""


def sniff_stream(stream: BinaryIO) -> Sniffed:
    """What an open binary file is; the position is left at 0."""
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    fmt = sniff_head(head)
    problem = ""
    if fmt == "zip":
        stream.seek(0)
        fmt, problem = _docx_or_zip(stream)
    elif fmt in ("pdf", "png", "jpg"):
        problem = _damage(fmt, stream, size)
    stream.seek(0)
    return Sniffed(
        format=fmt, content_type=CONTENT_TYPES.get(fmt, CONTENT_TYPES["unknown"]), problem=problem
    )


def sniff_file(path: Path | str) -> Sniffed:
    with Path(path).open("rb") as stream:
        return sniff_stream(stream)

"""The probe: what a file declares about itself, read without decoding pictures.

Everything here runs on untrusted bytes, so it runs inside the child process
(sandbox.py) and treats every number the file declares as a claim: sizes,
rates and durations outside any sensible range are kept out of the fields the
checks judge (0 or None) and written, raw, into `MediaInfo.anomalies`, so a
report can say 「声明的分辨率 100000×100000 不可信」 instead of crashing or
passing a nonsense value on.

FFmpeg sees the file only through the `file` protocol and a short list of
video demuxers: a playlist or a concat script renamed .mp4 must not make it
open other files or URLs on the server.

A few facts FFmpeg does not hand over through PyAV are read from the ISO base
media boxes directly: the ftyp brands, each track's display matrix (rotation)
and every `mdta` key of the metadata boxes (so that two AIGC labels are seen as
two, not folded into one dictionary entry).
"""

from __future__ import annotations

import itertools
import math
import os
import re
import stat
import struct
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, BinaryIO

from guangying.inspection.h264 import SequenceFacts, sequence_facts
from guangying.inspection.media import AudioStream, MediaInfo, SubtitleStream, VideoStream

HEAD_BYTES = 4096

# Beyond these a declared value is a damaged or hostile header, not a video.
MAX_DIMENSION = 16384
MAX_DURATION_S = 48 * 3600.0
MIN_FPS = 0.1  # a slide every ten seconds
MAX_FPS = 1000.0
MAX_SAMPLE_RATE = 768_000
MAX_CHANNELS = 64
MAX_BIT_RATE = 10**10  # 10 Gbit/s

MAX_CUES = 5000  # per subtitle stream
MAX_CUE_CHARS = 2000
MAX_TAG_CHARS = 10_000  # a tag longer than this is truncated in `tags`; AIGC values are kept whole
MAX_AIGC_CHARS = 100_000
VFR_SAMPLE_PACKETS = 3000  # packets demuxed to judge the frame rate when the container has no index
MAX_MOOV_BYTES = 64 * 1024 * 1024
MAX_TOP_BOXES = 100_000
# Smaller than this, a file no sniffer recognises cannot hold a picture: say so, not 「损坏」.
TINY_BYTES = 256
# Top-level boxes that carry no media and no index: a file of only these is a header.
HEADER_BOXES = {"ftyp", "free", "skip", "wide"}
# Top-level boxes whose loss loses pictures, sound or the index to them.
CONTENT_BOXES = {"mdat", "moov", "moof", "mfra", "sidx"}

OPEN_TIMEOUT_S = 20.0
READ_TIMEOUT_S = 20.0

# Only demuxers for audiovisual containers: no playlists (hls), no concat scripts, no image
# sequences, nothing that opens a second file by name.
DEMUXERS = (
    "mov,mp4,m4a,3gp,3g2,mj2",
    "mpeg",
    "mpegts",
    "mpegvideo",
    "matroska,webm",
    "avi",
    "flv",
    "asf",
    "mxf",
    "h264",
    "hevc",
    "m4v",
    "dv",
    "wav",
    "mp3",
    "aac",
    "rm",
)
OPEN_OPTIONS = {
    "protocol_whitelist": "file",
    "format_whitelist": ",".join(DEMUXERS),
    # FFmpeg's own defaults, stated: enough for MPEG-PS/TS to find every stream and for
    # one picture of each video stream to be looked at, small enough to stay well under
    # a second.
    "probesize": str(5_000_000),
    "analyzeduration": str(5_000_000),
}

QUICK_VIDEO_OPTIONS = {"skip_frame": "nonkey"}
QUICK_ENTRIES = ("avc1", "avc3")  # H.264: the parser alone gives size, profile and field order

FIELD_ORDERS = {1: "progressive", 2: "tt", 3: "bb", 4: "tb", 5: "bt"}


class ProbeError(Exception):
    """The file cannot be read as a video at all; the messages are for the person who sent it."""

    def __init__(self, message: str, message_en: str, detail: str = "") -> None:
        super().__init__(message_en if not detail else f"{message_en} ({detail})")
        self.message = message
        self.message_en = message_en
        self.detail = detail


# --- Sniffing ------------------------------------------------------------------------------
# The same magic numbers as the upload side (submissions/sniffing.py), kept here because the
# engine must not import Django code.

_QUICKTIME_BRAND = b"qt  "
_MP4_TOP_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot", b"uuid"}

NOT_VIDEO = {
    "empty": (
        "文件是空的（0 字节），可能未上传完整",
        "The file is empty (0 bytes); the upload may not have finished",
    ),
    "txt": (
        "文件无法解析：不是视频文件（是文本文件）",
        "The file cannot be read: it is a text file, not a video",
    ),
    "png": ("文件是一张 PNG 图片，不是视频", "The file is a PNG picture, not a video"),
    "jpg": ("文件是一张 JPG 图片，不是视频", "The file is a JPEG picture, not a video"),
    "pdf": ("文件是 PDF 文档，不是视频", "The file is a PDF document, not a video"),
    "doc": ("文件是 Word 文档，不是视频", "The file is a Word document, not a video"),
    "zip": (
        "文件是压缩包或 Office 文档，不是视频",
        "The file is a ZIP archive or an Office document, not a video",
    ),
}


def _sniff_isobmff(head: bytes) -> str | None:
    if len(head) < 12:
        return None
    box_type = head[4:8]
    if box_type == b"ftyp":
        major = head[8:12]
        compatible = {head[i : i + 4] for i in range(16, min(len(head), 64), 4)}
        if major == _QUICKTIME_BRAND or (
            major not in {b"isom", b"mp41", b"mp42"} and _QUICKTIME_BRAND in compatible
            and b"isom" not in compatible
        ):
            return "mov"
        return "mp4"
    if box_type in _MP4_TOP_BOXES - {b"ftyp"}:
        size = struct.unpack(">I", head[:4])[0]
        if size in (0, 1) or size >= 8:
            return "mov"  # old QuickTime files start straight with moov, mdat or wide
    return None


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = head[: len(head) // 2 * 2].decode("utf-16")
        except UnicodeDecodeError:
            return False
        return not any(ch < " " and ch not in "\t\n\r\f" for ch in text)
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as error:
            if error.start >= len(head) - 4:  # a character cut at the end of the sample
                return True
    return False


def sniff_format(head: bytes) -> str:
    """The format from the first bytes: the name only says what the sender believes it is.

    Returns one of mp4 mov mpeg ts mkv avi flv asf pdf jpg png doc zip txt unknown empty.
    """
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
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "mkv"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "avi"
    if head.startswith(b"FLV"):
        return "flv"
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
        return "asf"
    if head.startswith((b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3")):
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


# --- ISO base media boxes ------------------------------------------------------------------


@dataclass
class _Track:
    track_id: int
    handler: str = ""
    rotation: int = 0  # clockwise degrees, multiple of 90
    mirrored: bool = False
    aigc: list[str] = field(default_factory=list)
    entry_type: str = ""  # the sample entry's fourcc
    # Declared, raw: FFmpeg derives the sample aspect ratio from the tkhd size and drops a
    # sample-entry size it cannot use, so the probe needs the numbers as the file states them.
    display_size: tuple[int, int] | None = None  # tkhd width × height, whole pixels
    entry_size: tuple[int, int] | None = None  # the visual sample entry's width × height
    media_time: tuple[int, int] | None = None  # mdhd timescale, duration


@dataclass
class IsoFacts:
    """What the boxes themselves say, independent of FFmpeg's reading of them."""

    major_brand: str | None = None
    compatible_brands: list[str] = field(default_factory=list)
    has_moov: bool = False
    has_mdat: bool = False
    fragmented: bool = False
    truncated_box: str | None = None  # "mdat declares 123 bytes at 40, the file ends at 90"
    truncated_kind: str | None = None  # the type of that box: "moov", "mdat" …
    top_kinds: list[str] = field(default_factory=list)  # the top-level boxes, in order (capped)
    movie_time: tuple[int, int] | None = None  # mvhd timescale, duration
    tracks: list[_Track] = field(default_factory=list)
    aigc: list[str] = field(default_factory=list)  # movie-level mdta AIGC values


def _boxes(buf: bytes, start: int, end: int):
    """(type, payload start, payload end) of each box in buf[start:end], clipped to the buffer."""
    offset = start
    count = 0
    while offset + 8 <= end and count < MAX_TOP_BOXES:
        size, kind = struct.unpack(">I4s", buf[offset : offset + 8])
        header = 8
        if size == 1:
            if offset + 16 > end:
                return
            size = struct.unpack(">Q", buf[offset + 8 : offset + 16])[0]
            header = 16
        elif size == 0:
            size = end - offset
        if size < header:
            return
        yield kind, offset + header, min(offset + size, end)
        offset += size
        count += 1


def _brand(raw: bytes) -> str:
    return raw.decode("latin-1").rstrip("\x00")


def _rotation_from_matrix(payload: bytes, version: int) -> tuple[int, bool]:
    # tkhd: version/flags, then creation and modification times, track id, a reserved word and
    # the duration (20 bytes in version 0, 32 in version 1), 8 reserved bytes, layer, group,
    # volume, 2 reserved bytes, and the 3×3 matrix a b u c d v x y w.
    offset = 4 + (32 if version == 1 else 20) + 8 + 2 + 2 + 2 + 2
    if len(payload) < offset + 36:
        return 0, False
    a, b, _u, c, d = struct.unpack(">iiiii", payload[offset : offset + 20])
    if a == 0 and b == 0:
        return 0, False
    # The angle FFmpeg's av_display_rotation_get() reports is counter-clockwise; a player
    # turns the picture the other way round, and the old `rotate` tag said the same.
    degrees = math.degrees(math.atan2(b, a))
    rotation = round(degrees / 90.0) * 90 % 360
    mirrored = (a * d - b * c) < 0
    return rotation, mirrored


def _meta_values(buf: bytes, start: int, end: int) -> list[tuple[str, str]]:
    """(key, value) of an mdta `meta` box: the `keys` list and the `ilst` items it numbers."""
    # ISO `meta` is a full box (4 bytes of version/flags); QuickTime's is not.
    if end - start >= 8 and buf[start + 4 : start + 8] != b"hdlr":
        start += 4
    keys: list[str] = []
    items: list[tuple[int, bytes]] = []
    for kind, p_start, p_end in _boxes(buf, start, end):
        if kind == b"keys" and p_end - p_start >= 8:
            count = struct.unpack(">I", buf[p_start + 4 : p_start + 8])[0]
            offset = p_start + 8
            for _ in range(min(count, 10_000)):
                if offset + 8 > p_end:
                    break
                size = struct.unpack(">I", buf[offset : offset + 4])[0]
                if size < 8:
                    break
                keys.append(buf[offset + 8 : min(offset + size, p_end)].decode("utf-8", "replace"))
                offset += size
        elif kind == b"ilst":
            for item, i_start, i_end in _boxes(buf, p_start, p_end):
                index = struct.unpack(">I", item)[0]
                for sub, d_start, d_end in _boxes(buf, i_start, i_end):
                    if sub == b"data" and d_end - d_start >= 8:
                        items.append((index, buf[d_start + 8 : d_end]))
    values = []
    for index, value in items:
        if 1 <= index <= len(keys):
            values.append((keys[index - 1], value[:MAX_AIGC_CHARS].decode("utf-8", "replace")))
    return values


def _aigc_in_meta(buf: bytes, start: int, end: int) -> list[str]:
    return [value for key, value in _meta_values(buf, start, end) if key.strip().lower() == "aigc"]


def _aigc_in_udta(buf: bytes, start: int, end: int) -> list[str]:
    found = []
    for kind, p_start, p_end in _boxes(buf, start, end):
        if kind == b"meta":
            found += _aigc_in_meta(buf, p_start, p_end)
    return found


def _timing(buf: bytes, start: int, end: int) -> tuple[int, int] | None:
    """Timescale and duration of an mvhd or mdhd payload (version 0: 32-bit times, 1: 64-bit)."""
    if end - start < 4:
        return None
    if buf[start] == 1:
        if end - start < 32:
            return None
        timescale, duration = struct.unpack(">IQ", buf[start + 20 : start + 32])
    else:
        if end - start < 20:
            return None
        timescale, duration = struct.unpack(">II", buf[start + 12 : start + 20])
    return timescale, duration


def _entry_size(buf: bytes, start: int, end: int) -> tuple[int, int] | None:
    """Width × height of the first sample entry of an stsd payload, if it is a visual one.

    stsd: version/flags, entry count, then the entries; a visual entry has its 8-byte box
    header, 6 reserved bytes, a data reference index and 16 bytes of pre-defined fields
    before width and height (16 bits each).
    """
    entry = start + 8
    if entry + 36 > end:
        return None
    return struct.unpack(">HH", buf[entry + 32 : entry + 36])


def _entry_type(buf: bytes, start: int, end: int) -> str:
    """The fourcc of the first sample entry: avc1, hvc1, mp4v, mp4a …"""
    entry = start + 8
    return _brand(buf[entry + 4 : entry + 8]) if entry + 8 <= end else ""


def _read_trak(buf: bytes, start: int, end: int) -> _Track:
    track = _Track(track_id=0)
    for kind, p_start, p_end in _boxes(buf, start, end):
        if kind == b"tkhd" and p_end - p_start >= 4:
            version = buf[p_start]
            id_offset = p_start + 4 + (16 if version == 1 else 8)
            if id_offset + 4 <= p_end:
                track.track_id = struct.unpack(">I", buf[id_offset : id_offset + 4])[0]
            track.rotation, track.mirrored = _rotation_from_matrix(buf[p_start:p_end], version)
            # After the matrix: width and height, 16.16 fixed point.
            size_at = p_start + 4 + (32 if version == 1 else 20) + 16 + 36
            if size_at + 8 <= p_end:
                width, height = struct.unpack(">II", buf[size_at : size_at + 8])
                track.display_size = (width >> 16, height >> 16)
        elif kind == b"mdia":
            for sub, s_start, s_end in _boxes(buf, p_start, p_end):
                if sub == b"hdlr" and s_end - s_start >= 12:
                    track.handler = _brand(buf[s_start + 8 : s_start + 12])
                elif sub == b"mdhd":
                    track.media_time = _timing(buf, s_start, s_end)
                elif sub == b"minf":
                    for box, b_start, b_end in _boxes(buf, s_start, s_end):
                        if box != b"stbl":
                            continue
                        for table, t_start, t_end in _boxes(buf, b_start, b_end):
                            if table == b"stsd":
                                track.entry_size = _entry_size(buf, t_start, t_end)
                                track.entry_type = _entry_type(buf, t_start, t_end)
        elif kind == b"meta":
            track.aigc += _aigc_in_meta(buf, p_start, p_end)
        elif kind == b"udta":
            track.aigc += _aigc_in_udta(buf, p_start, p_end)
    return track


def read_isobmff(stream: BinaryIO, size: int) -> IsoFacts:
    """Walk the top-level boxes (seeking over mdat) and read ftyp and moov."""
    facts = IsoFacts()
    offset = 0
    count = 0
    while offset + 8 <= size and count < MAX_TOP_BOXES:
        stream.seek(offset)
        header = stream.read(16)
        if len(header) < 8:
            break
        box_size, kind = struct.unpack(">I4s", header[:8])
        header_size = 8
        if box_size == 1:
            if len(header) < 16:
                break
            box_size = struct.unpack(">Q", header[8:16])[0]
            header_size = 16
        elif box_size == 0:
            box_size = size - offset
        if len(facts.top_kinds) < 64:
            facts.top_kinds.append(_brand(kind))
        if box_size < header_size:
            facts.truncated_box = f"box {kind!r} at {offset} declares an impossible size {box_size}"
            facts.truncated_kind = _brand(kind)
            break
        if offset + box_size > size and facts.truncated_box is None:
            facts.truncated_box = (
                f"{_brand(kind)} box at byte {offset} declares {box_size} bytes, "
                f"the file ends after {size - offset}"
            )
            facts.truncated_kind = _brand(kind)
        if kind == b"ftyp" and offset == 0:
            stream.seek(offset + header_size)
            payload = stream.read(min(box_size - header_size, 1024))
            if len(payload) >= 4:
                facts.major_brand = _brand(payload[:4])
            facts.compatible_brands = [
                _brand(payload[i : i + 4]) for i in range(8, len(payload) - 3, 4)
            ]
        elif kind == b"mdat":
            facts.has_mdat = True
        elif kind == b"moof":
            facts.fragmented = True
        elif kind == b"moov" and not facts.has_moov:
            facts.has_moov = True
            stream.seek(offset + header_size)
            moov = stream.read(min(box_size - header_size, MAX_MOOV_BYTES))
            for sub, s_start, s_end in _boxes(moov, 0, len(moov)):
                if sub == b"mvhd":
                    facts.movie_time = _timing(moov, s_start, s_end)
                elif sub == b"trak":
                    facts.tracks.append(_read_trak(moov, s_start, s_end))
                elif sub == b"udta":
                    facts.aigc += _aigc_in_udta(moov, s_start, s_end)
                elif sub == b"meta":
                    facts.aigc += _aigc_in_meta(moov, s_start, s_end)
                elif sub == b"mvex":
                    facts.fragmented = True
        offset += box_size
        count += 1
    return facts


# --- Helpers for the values FFmpeg reports -------------------------------------------------


def _seconds(value: int | None, time_base: Fraction | None) -> float | None:
    if value is None or time_base is None or value <= -(2**62):  # AV_NOPTS_VALUE
        return None
    try:
        return float(value * time_base)
    except (OverflowError, ZeroDivisionError):
        return None


def _rate(value: Fraction | None) -> float | None:
    if not value:
        return None
    try:
        rate = float(value)
    except (OverflowError, ZeroDivisionError):
        return None
    return rate if MIN_FPS <= rate <= MAX_FPS else None


def _bit_rate(value: Any) -> int | None:
    try:
        rate = int(value or 0)
    except (TypeError, ValueError):
        return None
    return rate if 0 < rate <= MAX_BIT_RATE else None


def _text(value: Any, limit: int = MAX_TAG_CHARS) -> str:
    text = value if isinstance(value, str) else str(value)
    return text[:limit]


def _tags(metadata: Any) -> dict[str, str]:
    try:
        items = dict(metadata or {}).items()
    except Exception:  # a dictionary PyAV cannot convert is as good as none
        return {}
    return {_text(k, 200): _text(v) for k, v in list(items)[:500]}


def _aigc_from_tags(metadata: Any) -> list[str]:
    try:
        items = dict(metadata or {}).items()
    except Exception:
        return []
    return [_text(v, MAX_AIGC_CHARS) for k, v in items if str(k).strip().lower() == "aigc"]


def _bit_depth(pix_fmt: str | None) -> int | None:
    if not pix_fmt:
        return None
    import av

    try:
        components = av.VideoFormat(pix_fmt).components
    except Exception:
        return None
    return components[0].bits if components else None


def _parse_clock(value: str | None) -> float | None:
    """Matroska's DURATION tag, 「00:04:59.960000000」."""
    if not value:
        return None
    match = re.fullmatch(r"\s*(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)\s*", value)
    if not match:
        return None
    return int(match[1]) * 3600 + int(match[2]) * 60 + float(match[3])


def _duration(raw: float | None, what: str, anomalies: list[str]) -> float | None:
    if raw is None or math.isnan(raw):
        return None
    if raw < 0 or raw > MAX_DURATION_S:
        anomalies.append(f"{what}.duration: declared {raw:.6g} s, out of range")
        return None
    return raw


def _is_variable(deltas: list[int]) -> bool | None:
    """Frame intervals that differ by more than rounding of the time base mean a variable rate.

    A rate like 30000/1001 in a millisecond time base gives 33, 33, 34 …: that is one tick
    of rounding, not variation. A handful of odd intervals (a dropped frame, the last
    frame) do not make a variable rate either.
    """
    deltas = [d for d in deltas if d > 0]
    if len(deltas) < 4:
        return None
    ordered = sorted(deltas)
    median = ordered[len(ordered) // 2]
    tolerance = max(1.5, 0.05 * median)
    odd = sum(1 for d in deltas if abs(d - median) > tolerance)
    return odd >= 2 and odd > 0.02 * len(deltas)


# --- Subtitles -----------------------------------------------------------------------------

_ASS_OVERRIDE = re.compile(r"\{[^}]*\}")


def _clean_cue(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    text = _ASS_OVERRIDE.sub("", text)
    text = text.replace("\\N", "\n").replace("\\n", "\n").replace("\\h", " ")
    text = re.sub(r"</?[a-zA-Z][^>]*>", "", text)  # SubRip's <i>, <font …>
    return text.strip()[:MAX_CUE_CHARS]


def _subtitle_cues(packet: Any, stream: Any) -> list[tuple[float, float, str]]:
    if packet.pts is None or not packet.size:
        return []
    start = _seconds(packet.pts, stream.time_base)
    if start is None:
        return []
    subtitle_set = stream.decode2(packet)
    if subtitle_set is None:
        return []
    begin = start + subtitle_set.start_display_time / 1000.0
    end_ms = subtitle_set.end_display_time
    if 0 < end_ms < 0xFFFFFFFF:
        end = start + end_ms / 1000.0
    else:
        end = start + (_seconds(packet.duration, stream.time_base) or 0.0)
    cues = []
    for rect in subtitle_set:
        dialogue = getattr(rect, "dialogue", None)
        if dialogue is None:
            continue  # a bitmap subtitle: no text to read here
        text = _clean_cue(dialogue)
        if text:
            cues.append((round(begin, 3), round(max(end, begin), 3), text))
    return cues


# --- The probe -----------------------------------------------------------------------------


def _check_path(path: str) -> os.stat_result:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ProbeError("文件不存在", "The file does not exist") from None
    except PermissionError:
        raise ProbeError("文件无法读取（没有权限）", "The file cannot be read (permission denied)") from None
    except (OSError, ValueError) as error:
        raise ProbeError("文件无法读取", "The file cannot be read", str(error)) from None
    if stat.S_ISDIR(info.st_mode):
        raise ProbeError("这是一个文件夹，不是视频文件", "This is a folder, not a video file")
    if not stat.S_ISREG(info.st_mode):
        # A FIFO or a device would block or never end.
        raise ProbeError("这不是普通文件，无法检查", "This is not a regular file and cannot be checked")
    return info


def open_media(path: str, *, quick_streams: list[bool] | None = None) -> Any:
    """Open a file through the file protocol and the video demuxers only.

    `quick_streams` (one flag per stream, in the file's order, known from the
    ISO boxes) lets FFmpeg skip decoding pictures of those streams while it
    looks for their parameters: for H.264 it otherwise decodes several
    pictures to guess the decoder's delay, most of the cost of opening a
    1080p file. The pixel format is then read from one key picture
    (`_first_picture`). Other codecs keep their sizes and profiles in what
    the decoder parses, so they are opened the usual way.
    """
    import av

    stream_options = None
    if quick_streams and any(quick_streams):
        stream_options = [dict(QUICK_VIDEO_OPTIONS) if quick else {} for quick in quick_streams]
    return av.open(
        "file:" + os.path.abspath(path),
        mode="r",
        options=dict(OPEN_OPTIONS),
        stream_options=stream_options,
        metadata_errors="replace",
        timeout=(OPEN_TIMEOUT_S, READ_TIMEOUT_S),
    )


def _open(path: str, iso: IsoFacts | None = None) -> tuple[Any, dict[int, SequenceFacts]]:
    """The container, and for each H.264 stream opened without decoding, its parameter set's facts.

    Where a quick stream's parameter set cannot be read, the file is opened
    again the usual way, so that nothing the checks judge comes from a
    header alone.
    """
    quick = [t.handler == "vide" and t.entry_type in QUICK_ENTRIES for t in iso.tracks] if iso else []
    try:
        if any(quick):
            container = open_media(path, quick_streams=quick)
            facts: dict[int, SequenceFacts] = {}
            for stream in container.streams:
                if stream.index < len(quick) and quick[stream.index] and stream.type == "video":
                    found = sequence_facts(_extradata(stream))
                    if found is None:
                        break
                    facts[stream.index] = found
            else:
                return container, facts
            container.close()
        return open_media(path), {}
    except (MemoryError, ImportError):
        raise  # the checker's own trouble (a library that cannot be mapped), never the file's
    except Exception as error:  # FFmpeg's errors, and whatever PyAV raises on odd headers
        raise ProbeError(
            "文件无法解析：不是视频文件，或文件已损坏",
            "The file cannot be read: it is not a video, or it is damaged",
            f"{type(error).__name__}: {error}",
        ) from None


def _extradata(stream: Any) -> bytes:
    try:
        return bytes(stream.codec_context.extradata or b"")
    except Exception:
        return b""


def _plausible_size(width: int, height: int) -> bool:
    return 0 < width <= MAX_DIMENSION and 0 < height <= MAX_DIMENSION


def _video_stream(
    stream: Any,
    iso: IsoFacts | None,
    order: int,
    anomalies: list[str],
    sequence: SequenceFacts | None = None,
) -> VideoStream:
    """One video stream as a viewer sees it.

    `sequence`, for an H.264 stream opened without decoding, stands in for
    what the decoder would have said: the pictures' size, their own aspect
    ratio and pixel format come from the stream's parameter set, never from
    the container's claims about them.
    """
    context = stream.codec_context
    name = f"video{stream.index}"
    track = None
    if iso is not None:
        matches = [t for t in iso.tracks if t.track_id == stream.id] or (
            [t for t in iso.tracks if t.handler == "vide"][order : order + 1]
        )
        track = matches[0] if matches else None
    width = int(getattr(context, "width", 0) or 0)
    height = int(getattr(context, "height", 0) or 0)
    if sequence is not None:
        width, height = sequence.width, sequence.height
    entry = track.entry_size if track else None
    if not _plausible_size(width, height):
        # FFmpeg zeroes a size it refuses: the sample entry still says what was declared.
        shown = entry if entry and (width, height) == (0, 0) else (width, height)
        anomalies.append(f"{name}.size: declared {shown[0]}x{shown[1]}, out of range")
        width = height = 0
    elif entry and not _plausible_size(*entry):
        anomalies.append(
            f"{name}.sample_entry_size: declared {entry[0]}x{entry[1]}, out of range; "
            f"the pictures are {width}x{height}"
        )

    # FFmpeg turns a tkhd size that differs from the pictures' into a sample aspect ratio: an
    # absurd tkhd would make a 320×180 picture 「180×180」. Only the bitstream's ratio counts then.
    container_sar = stream.sample_aspect_ratio
    shown_size = track.display_size if track else None
    if shown_size and not _plausible_size(*shown_size):
        anomalies.append(
            f"{name}.display_size: declared {shown_size[0]}x{shown_size[1]} in tkhd, out of range"
        )
        container_sar = None

    sar_text = None
    stream_sar = sequence.sample_aspect if sequence else getattr(context, "sample_aspect_ratio", None)
    sar = container_sar or stream_sar
    sar_value = 1.0
    if sar:
        if Fraction(1, 10) <= sar <= 10:
            sar_text = f"{sar.numerator}:{sar.denominator}"
            sar_value = float(sar)
        else:
            anomalies.append(f"{name}.sample_aspect: declared {sar}, out of range")

    rotation = 0
    if iso is not None:
        if track is not None:
            rotation = track.rotation
            if track.mirrored:
                anomalies.append(f"{name}.display_matrix: the picture is mirrored")
    else:
        try:
            rotation = round(float(stream.metadata.get("rotate", 0)) / 90.0) * 90 % 360
        except (TypeError, ValueError):
            rotation = 0

    display_width = round(width * sar_value) if width else 0
    display_height = height
    if rotation in (90, 270):
        display_width, display_height = display_height, display_width

    pix_fmt = sequence.pix_fmt if sequence else getattr(context, "pix_fmt", None)
    field_order = FIELD_ORDERS.get(int(getattr(context, "field_order", 0) or 0))

    raw_duration = _seconds(stream.duration, stream.time_base)
    if raw_duration is None:
        raw_duration = _parse_clock(stream.metadata.get("DURATION"))
    duration = _duration(raw_duration, name, anomalies)

    avg = stream.average_rate
    avg_fps = _rate(avg)
    if avg and avg_fps is None:
        anomalies.append(f"{name}.avg_fps: declared {avg}, out of range")

    frames = int(stream.frames or 0)
    if not frames:
        try:
            frames = int(stream.metadata.get("NUMBER_OF_FRAMES", 0))
        except (TypeError, ValueError):
            frames = 0

    return VideoStream(
        index=stream.index,
        codec=stream.codec.canonical_name if stream.codec else str(context.name),
        profile=stream.profile or None,
        pix_fmt=pix_fmt,
        bit_depth=_bit_depth(pix_fmt),
        coded_width=width,
        coded_height=height,
        sample_aspect=sar_text,
        rotation=rotation,
        display_width=display_width,
        display_height=display_height,
        avg_fps=avg_fps,
        nominal_fps=_rate(stream.base_rate),
        variable_frame_rate=None,
        field_order=field_order,
        duration_s=duration,
        frame_count=frames if 0 < frames < 10**9 else None,
        bit_rate=_bit_rate(getattr(context, "bit_rate", None)),
    )


def _audio_stream(stream: Any, anomalies: list[str]) -> AudioStream:
    context = stream.codec_context
    name = f"audio{stream.index}"
    layout = getattr(context, "layout", None)
    channels = int(getattr(context, "channels", 0) or 0)
    if not 0 < channels <= MAX_CHANNELS:
        anomalies.append(f"{name}.channels: declared {channels}, out of range")
        channels = 0
    sample_rate = int(getattr(context, "sample_rate", 0) or 0)
    if not 0 < sample_rate <= MAX_SAMPLE_RATE:
        anomalies.append(f"{name}.sample_rate: declared {sample_rate}, out of range")
        sample_rate = 0
    raw_duration = _seconds(stream.duration, stream.time_base)
    if raw_duration is None:
        raw_duration = _parse_clock(stream.metadata.get("DURATION"))
    layout_name = getattr(layout, "name", None) if layout is not None else None
    return AudioStream(
        index=stream.index,
        codec=stream.codec.canonical_name if stream.codec else str(context.name),
        profile=stream.profile or None,
        channels=channels,
        layout=layout_name if layout_name and channels else None,
        sample_rate=sample_rate,
        duration_s=_duration(raw_duration, name, anomalies),
        bit_rate=_bit_rate(getattr(context, "bit_rate", None)),
    )


@dataclass
class _IndexFacts:
    variable: bool | None = None
    count: int | None = None
    span_s: float | None = None  # first to last sample, plus one interval
    cut_at_s: float | None = None  # the time of the first sample whose bytes lie past the end


def _index_facts(stream: Any, file_size: int) -> _IndexFacts:
    """MP4 and MOV carry every sample's time and place in the index: no picture is read.

    The same table says where the data ends: a sample whose bytes lie beyond the end
    of the file marks the moment an upload or a recording was cut off.
    """
    facts = _IndexFacts()
    try:
        entries = list(stream.index_entries)
    except Exception:
        return facts
    facts.count = len(entries) or None
    if not entries:
        return facts
    timestamps = sorted(entry.timestamp for entry in entries)
    deltas = [b - a for a, b in itertools.pairwise(timestamps)]
    if len(deltas) >= 4:
        facts.variable = _is_variable(deltas[:-1])
    step = sorted(deltas)[len(deltas) // 2] if deltas else 0
    facts.span_s = _seconds(timestamps[-1] - timestamps[0] + step, stream.time_base)
    for entry in entries:
        if entry.pos >= 0 and entry.pos + entry.size > file_size:
            facts.cut_at_s = _seconds(entry.timestamp - timestamps[0], stream.time_base)
            break
    return facts


def _check_against_samples(video: VideoStream, span_s: float | None, anomalies: list[str]) -> None:
    """A declared duration far beyond the samples is a damaged or doctored header: trust the samples.

    A declared duration shorter than the samples is normal (an edit list trims them).
    """
    if span_s is None or span_s <= 0:
        return
    declared = video.duration_s
    if declared is None or declared > 1.5 * span_s + 5.0:
        if declared is not None:
            anomalies.append(
                f"video{video.index}.duration: declared {declared:.6g} s, "
                f"the samples span {span_s:.6g} s"
            )
        if span_s <= MAX_DURATION_S:
            video.duration_s = round(span_s, 6)
            if video.frame_count:
                rate = video.frame_count / span_s
                video.avg_fps = rate if MIN_FPS <= rate <= MAX_FPS else video.avg_fps


ALL_ONES = (0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF)  # ISO 14496-12: the duration is not known


def _declared_times(iso: IsoFacts, lasts_s: float | None, anomalies: list[str]) -> None:
    """Durations in mvhd and mdhd that FFmpeg set aside for the samples' own, kept as anomalies.

    FFmpeg takes a track's length from its sample table, so a doctored 「49 天」 in the movie
    header changes nothing it reports; the report still has to show that the header lies.
    """
    declared = [("movie", "mvhd", iso.movie_time)]
    declared += [(f"track{t.track_id}", "mdhd", t.media_time) for t in iso.tracks]
    for what, box, timing in declared:
        if timing is None:
            continue
        timescale, duration = timing
        if timescale == 0:
            anomalies.append(f"{what}.timescale: declared 0 in {box}, out of range")
            continue
        if duration in ALL_ONES:
            continue
        seconds = duration / timescale
        if seconds > MAX_DURATION_S or (lasts_s is not None and seconds > 1.5 * lasts_s + 5.0):
            lasts = f"{lasts_s:.6g} s" if lasts_s is not None else "unknown"
            anomalies.append(f"{what}.duration: declared {seconds:.6g} s in {box}, the streams last {lasts}")


def _demux_pass(
    container: Any,
    video: Any | None,
    subtitles: list[Any],
    index_based: bool,
) -> tuple[list[int], int | None, dict[int, list[tuple[float, float, str]]], list[str]]:
    """One pass over the packets: frame times of the first video stream, and the subtitle text.

    For MP4/MOV the video times come from the index, and every other stream is marked
    `discard` so the demuxer seeks past picture data instead of reading it.
    """
    wanted = list(subtitles)
    if video is not None and not index_based:
        wanted.append(video)
    cues: dict[int, list[tuple[float, float, str]]] = {s.index: [] for s in subtitles}
    notes: list[str] = []
    if not wanted:
        return [], None, cues, notes
    import av

    wanted_ids = {s.index for s in wanted}
    for stream in container.streams:
        if stream.index not in wanted_ids:
            stream.discard = av.stream.Discard.all
    video_pts: list[int] = []
    video_packets = 0
    reached_end = True
    try:
        for packet in container.demux(wanted):
            index = packet.stream_index
            if video is not None and index == video.index and not index_based:
                if packet.size:
                    video_packets += 1
                    if packet.pts is not None:
                        video_pts.append(packet.pts)
                if video_packets >= VFR_SAMPLE_PACKETS and not subtitles:
                    reached_end = False
                    break
            elif index in cues and len(cues[index]) < MAX_CUES:
                try:
                    cues[index] += _subtitle_cues(packet, container.streams[index])
                except MemoryError:
                    raise
                except Exception as error:
                    notes.append(f"subtitle{index}.decode: {type(error).__name__}: {error}"[:300])
            elif subtitles and all(len(c) >= MAX_CUES for c in cues.values()) and (
                index_based or video_packets >= VFR_SAMPLE_PACKETS
            ):
                reached_end = False
                break
    except MemoryError:
        raise
    except Exception as error:  # a damaged packet ends the sample, not the probe
        notes.append(f"demux: stopped early: {type(error).__name__}: {error}"[:300])
        reached_end = False
    finally:
        for stream in container.streams:
            stream.discard = av.stream.Discard.default
    video_pts.sort()
    counted = video_packets if reached_end and not index_based and video is not None else None
    return video_pts, counted, cues, notes


def _refuse_incomplete_isobmff(iso: IsoFacts) -> None:
    """An MP4/MOV without its index, its index cut off, or its pictures missing cannot be checked.

    FFmpeg opens some of these anyway: a moov cut short still yields the tracks read before
    the cut (a missing sound track then reads as 「没有音轨」), and a moov without its mdat
    yields streams whose every sample lies past the end of the file. Judging the headers of
    such a file would pass or fail it on what it claims, not on what it holds, so the person
    who sent it is told to send the whole file instead.
    """
    if not iso.has_moov:
        if iso.has_mdat:
            raise ProbeError(
                "MP4/MOV 文件不完整：缺少索引（moov），可能未传完整或录制中断",
                "The MP4/MOV file is incomplete: its index (moov) is missing; the upload or the "
                "recording may have been cut short",
            )
        if iso.top_kinds and set(iso.top_kinds) <= HEADER_BOXES:
            raise ProbeError(
                "MP4/MOV 文件不完整：只有文件头，没有画面数据和索引（moov），可能未上传完整",
                "The MP4/MOV file is incomplete: it holds only its header, no pictures and no index "
                "(moov); the upload may not have finished",
                iso.truncated_box or "",
            )
        raise ProbeError(
            "文件无法解析：MP4/MOV 文件结构损坏",
            "The file cannot be read: the MP4/MOV structure is damaged",
            iso.truncated_box or "",
        )
    if iso.truncated_kind == "moov":
        raise ProbeError(
            "MP4/MOV 文件不完整：索引（moov）在文件结尾处中断，可能未上传完整",
            "The MP4/MOV file is incomplete: it ends inside its index (moov); the upload may not "
            "have finished",
            iso.truncated_box or "",
        )
    if not iso.has_mdat and not iso.fragmented:
        raise ProbeError(
            "MP4/MOV 文件不完整：只有索引（moov），没有画面数据（mdat），可能未上传完整",
            "The MP4/MOV file is incomplete: it holds its index (moov) but no media data (mdat); "
            "the upload may not have finished",
        )


def probe(path: str) -> MediaInfo:
    """Read what a file declares about itself, without decoding its pictures.

    Raises ProbeError (with a message for the sender) when the file is not a
    video FFmpeg can open at all; any other oddity ends up in
    `MediaInfo.anomalies` instead, so that one absurd header field does not
    hide everything else that can be said about the file.
    """
    info = _check_path(path)
    size = info.st_size
    extension = os.path.splitext(path)[1].lower().lstrip(".")
    try:
        with open(path, "rb") as stream:
            head = stream.read(HEAD_BYTES)
            sniffed = sniff_format(head)
            iso = read_isobmff(stream, size) if sniffed in ("mp4", "mov") else None
    except OSError as error:
        raise ProbeError("文件无法读取", "The file cannot be read", str(error)) from None

    if sniffed in NOT_VIDEO:
        raise ProbeError(*NOT_VIDEO[sniffed])
    if sniffed == "unknown" and size < TINY_BYTES:
        raise ProbeError(
            f"文件只有 {size} 字节，太小，不是完整的视频，可能未上传完整",
            f"The file is only {size} bytes long: too small to be a video; the upload may not have "
            "finished",
        )
    if iso is not None:
        _refuse_incomplete_isobmff(iso)

    anomalies: list[str] = []
    if iso is not None and iso.truncated_box:
        # A cut box that holds pictures, sound or their index means missing content (and the
        # report cannot pass the file); bytes past the last real box are only a recorder's or a
        # copy tool's leftovers.
        cut = "truncated" if iso.truncated_kind in CONTENT_BOXES else "trailing"
        anomalies.append(f"{cut}: {iso.truncated_box}")

    try:
        container, sequences = _open(path, iso)
    except ProbeError as error:
        if iso is not None and iso.truncated_box:
            raise ProbeError(
                "MP4/MOV 文件不完整：文件在结尾之前中断，可能未上传完整",
                "The MP4/MOV file is incomplete: it ends before its last part; the upload may not "
                "have finished",
                f"{iso.truncated_box}; {error.detail}",
            ) from None
        raise
    try:
        return _describe(container, path, size, extension, sniffed, iso, anomalies, sequences)
    finally:
        try:
            container.close()
        except Exception:  # closing a half-read container must not hide the result
            pass


def _describe(
    container: Any,
    path: str,
    size: int,
    extension: str,
    sniffed: str,
    iso: IsoFacts | None,
    anomalies: list[str],
    sequences: dict[int, SequenceFacts] | None = None,
) -> MediaInfo:
    import av

    tags = _tags(container.metadata)
    major_brand = iso.major_brand if iso else None
    compatible = list(iso.compatible_brands) if iso else []
    if major_brand is None and tags.get("major_brand"):
        major_brand = tags["major_brand"]
        raw = tags.get("compatible_brands", "")
        compatible = [raw[i : i + 4] for i in range(0, len(raw), 4)]

    videos: list[VideoStream] = []
    audios: list[AudioStream] = []
    subtitle_streams: list[Any] = []
    stream_tags: dict[int, dict[str, str]] = {}
    aigc: list[str] = list(iso.aigc) if iso else []
    if iso:
        for track in iso.tracks:
            aigc += track.aigc
    ffmpeg_aigc = _aigc_from_tags(container.metadata)
    first_video = None

    for stream in container.streams:
        tags_of_stream = _tags(stream.metadata)
        if tags_of_stream:
            stream_tags[stream.index] = tags_of_stream
        ffmpeg_aigc += _aigc_from_tags(stream.metadata)
        try:
            if stream.type == "video":
                if stream.disposition & av.stream.Disposition.attached_pic:
                    continue  # a cover picture, not the programme
                sequence = (sequences or {}).get(stream.index)
                videos.append(_video_stream(stream, iso, len(videos), anomalies, sequence))
                if first_video is None:
                    first_video = stream
            elif stream.type == "audio":
                audios.append(_audio_stream(stream, anomalies))
            elif stream.type == "subtitle":
                subtitle_streams.append(stream)
        except MemoryError:
            raise
        except Exception as error:  # one odd stream must not hide the others
            anomalies.append(f"stream{stream.index}: unreadable: {type(error).__name__}: {error}"[:300])
    # FFmpeg keeps one value per key; the boxes keep all of them. Add what only FFmpeg saw.
    for value in ffmpeg_aigc:
        if value not in aigc:
            aigc.append(value)

    if not videos and not audios:
        raise ProbeError(
            "文件无法解析：其中没有视频或音频",
            "The file cannot be read: it holds no video or audio",
        )

    index_based = container.format.name.startswith("mov,") if container.format else False
    index = _IndexFacts()
    if first_video is not None and index_based:
        index = _index_facts(first_video, size)
    pts, counted, cues, notes = _demux_pass(container, first_video, subtitle_streams, index_based)
    anomalies += notes
    if videos:
        main = videos[0]
        if index_based:
            main.variable_frame_rate = index.variable
            if main.frame_count is None:
                main.frame_count = index.count
            _check_against_samples(main, index.span_s, anomalies)
            if index.cut_at_s is not None:
                anomalies.append(
                    f"truncated: video{main.index} data ends at {index.cut_at_s:.3f} s, "
                    "the rest of the pictures lie past the end of the file"
                )
        else:
            main.variable_frame_rate = _is_variable([b - a for a, b in itertools.pairwise(pts)][:-1])
            if main.frame_count is None:
                main.frame_count = counted
            if counted is not None and first_video is not None:
                # The whole stream was read: compare where its packets end with what is declared.
                span: float | None = 0.0
                if len(pts) >= 2:
                    step = (pts[-1] - pts[0]) / (len(pts) - 1)
                    span = _seconds(round(pts[-1] - pts[0] + step), first_video.time_base)
                declared, slack = main.duration_s, 0.5
                if declared is None:
                    # The container's duration may include a longer sound track.
                    declared = _duration(
                        container.duration / 1_000_000 if container.duration else None, "container", []
                    )
                    slack = 2.0
                if span is not None and declared and declared - span > max(slack, 0.05 * declared):
                    anomalies.append(
                        f"truncated: video{main.index} packets end at {span:.3f} s, "
                        f"{declared:.3f} s are declared"
                    )

        if main.frame_count == 1:
            # One picture in a video container is a still: nothing moves, and how long it is
            # shown is the container's say-so. Refused like a PNG, not judged as a short film.
            raise ProbeError(
                "文件中只有一幅静止画面（单帧），是图片而不是视频",
                "The file holds a single still picture (one frame): a picture, not a video",
            )

    subtitles = [
        SubtitleStream(
            index=stream.index,
            codec=stream.codec.canonical_name if stream.codec else str(stream.codec_context.name),
            language=stream.language or stream.metadata.get("language") or None,
            text=cues.get(stream.index, []),
        )
        for stream in subtitle_streams
    ]

    duration = _duration(
        container.duration / 1_000_000 if container.duration is not None else None,
        "container",
        anomalies,
    )
    longest = max(
        [s.duration_s for s in videos + audios if s.duration_s is not None], default=None
    )
    if duration is not None and longest is not None and duration - longest > max(5.0, 0.5 * longest):
        anomalies.append(
            f"container.duration: declared {duration:.6g} s, the longest stream lasts {longest:.6g} s"
        )
        duration = longest
    elif duration is None and longest is not None:
        duration = longest
    if iso is not None:
        _declared_times(iso, longest, anomalies)
    bit_rate = _bit_rate(container.bit_rate)
    if container.bit_rate and bit_rate is None:
        anomalies.append(f"container.bit_rate: declared {container.bit_rate}, out of range")

    return MediaInfo(
        path=path,
        size=size,
        extension=extension,
        sniffed_format=sniffed,
        container=container.format.name if container.format else None,
        major_brand=major_brand,
        compatible_brands=compatible,
        duration_s=duration,
        bit_rate=bit_rate,
        video=videos,
        audio=audios,
        subtitles=subtitles,
        tags=tags,
        stream_tags=stream_tags,
        aigc_labels=aigc,
        anomalies=anomalies,
    )

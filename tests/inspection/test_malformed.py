"""Malformed input: every kind the issue lists, and more, through the whole engine.

「0 bytes, random bytes, a text file renamed .mp4, files truncated at several offsets, a missing
moov, audio only, a still image, absurd declared dimensions or durations, a transport stream
renamed .mp4, names with spaces, Chinese and shell characters — gives a report whose lines say
'could not check' with a clear reason. Never a traceback, never a hang, never an unbounded
allocation.」

Each kind is made here, in a temporary folder, from small real files PyAV writes
(samples.make_video, 320×180, one second) by cutting, patching and renaming bytes: nothing
large is committed, and what a test damages is plain from its recipe. Each goes through
`inspect()` — the child process, its limits, the judgement — in both modes, and must come
back either refused with a specific Chinese reason, or (a file still partly readable) judged
on what it really holds with the damage on record; a file with a hostile *name* must simply
be checked.

A full-mode child spends about two seconds importing the sound analysis, so the runs start
together on a thread pool when the first test asks for them (the threads only wait on child
processes) and each test waits for its own; the whole file stays well under a minute on two cores.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from guangying.inspection import sandbox
from guangying.inspection.engine import inspect
from guangying.inspection.probe import ProbeError, probe
from guangying.inspection.report import Outcome, Report
from guangying.inspection.sandbox import Limits
from guangying.rulesets import load_preset
from tests.inspection.samples import (
    box_offset,
    make_video,
    patch_mdhd_duration,
    patch_mvhd_duration,
    patch_tkhd_size,
    top_boxes,
)

HUBEI = load_preset("hubei-2026-weiguang")
MODES = ("metadata", "full")
# Far above what any of these files needs (a fraction of a second, some 200 MB), far below
# the defaults (20 s / 600 s, 1.5 GB): a kind that hangs or balloons fails here, not later.
LIMITS = {"metadata": Limits(wall_s=20, memory_mb=1024), "full": Limits(wall_s=60, memory_mb=1536)}
# Reasons that say the checker broke, not what is wrong with the file.
NOT_A_REASON = ("检查程序出错", "异常退出", "输出无法识别", "检查超时", "被系统终止")
MARKER = "gy_pwned"  # what a file name would create if a shell ever ran it


# --- The real files everything is made from ------------------------------------------------


class Base:
    """The good files, written once; each kind copies and damages one of them."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.mp4 = make_video(folder / "moov-at-end.mp4").read_bytes()
        self.faststart = make_video(
            folder / "faststart.mp4", container_options={"movflags": "faststart"}
        ).read_bytes()
        self.ts = make_video(folder / "transport.ts", container_format="mpegts").read_bytes()
        self.m4a = make_video(folder / "sound.m4a", video=False, container_format="mp4").read_bytes()
        self.mjpeg_still = make_video(
            folder / "still.mp4", codec="mjpeg", pix_fmt="yuvj420p", frames=1, audio=None
        ).read_bytes()
        self.h264_still = make_video(folder / "one-frame.mp4", frames=1, audio=None).read_bytes()
        self.raw_mov = make_video(
            folder / "raw.mov", codec="rawvideo", pix_fmt="rgb24", width=32, height=32, frames=5,
            audio=None, container_format="mov",
        ).read_bytes()


def _picture(kind: str) -> bytes:
    out = io.BytesIO()
    gradient = np.linspace(0, 255, 160 * 90 * 3).astype(np.uint8).reshape(90, 160, 3)
    Image.fromarray(gradient).save(out, kind)
    return out.getvalue()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("作品.mp4", b"not really")
    return out.getvalue()


def _random(size: int) -> bytes:
    # Seeded, and checked not to begin like anything the sniffer knows (0x47 is MPEG-TS).
    data = np.random.default_rng(2026).integers(0, 256, size, dtype=np.uint8).tobytes()
    assert data[0] != 0x47 and data[4:8] != b"ftyp"
    return data


def _box(data: bytes, kind: bytes) -> tuple[int, int]:
    """Offset and size of the first top-level box of this type."""
    return next((offset, size) for k, offset, size in top_boxes(data) if k == kind)


def _without(data: bytes, kind: bytes) -> bytes:
    offset, size = _box(data, kind)
    return data[:offset] + data[offset + size :]


def _mdat_payload(data: bytes) -> int:
    return _box(data, b"mdat")[0] + 8


def _with_size(data: bytes, kind: bytes, size: int, large: int | None = None) -> bytes:
    """The box's 32-bit size replaced; with `large` (and size 1) a 64-bit size written over the
    first 8 bytes of its payload, so that nothing after it moves."""
    out = bytearray(data)
    offset, _ = _box(data, kind)
    struct.pack_into(">I", out, offset, size)
    if large is not None:
        struct.pack_into(">Q", out, offset + 8, large)
    return bytes(out)


def _grown_header(data: bytes) -> bytes:
    """mdat's header rewritten in its 16-byte form with the right size: the structure is valid,
    but every chunk offset in the index now points 8 bytes before its sample."""
    offset, size = _box(data, b"mdat")
    return data[:offset] + struct.pack(">I4sQ", 1, b"mdat", size + 8) + data[offset + 8 :]


def _patched(data: bytes, *patches: Callable[[bytearray], None]) -> bytes:
    out = bytearray(data)
    for patch in patches:
        patch(out)
    return bytes(out)


def _entry_size(entry: bytes, width: int, height: int) -> Callable[[bytearray], None]:
    """Width and height of the visual sample entry, found after stsd: in an MP4 whose ftyp lists
    the avc1 brand, the first 「avc1」 of the file is in ftyp, not in the sample table."""

    def patch(data: bytearray) -> None:
        offset = box_offset(data, entry, data.index(b"stsd"))
        struct.pack_into(">HH", data, offset + 32, width, height)

    return patch


def _track_timescale(data: bytes) -> int:
    offset = box_offset(data, b"mdhd")
    return struct.unpack_from(">I", data, offset + 20)[0]


def _table_count(box: bytes, count: int) -> Callable[[bytearray], None]:
    """The entry count of a full box of the sample table (stts, stsz's sample count)."""

    def patch(data: bytearray) -> None:
        offset = box_offset(data, box)
        struct.pack_into(">I", data, offset + (16 if box == b"stsz" else 12), count)

    return patch


# Followed, each of these would read segment.ts / segment.mp4 next to it (see the test that
# opens them with FFmpeg's defaults); the hostile ones also name a file of the server and a URL.
HLS = b"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:1.0,\nsegment.ts\n#EXT-X-ENDLIST\n"
HLS_HOSTILE = HLS.replace(
    b"#EXT-X-ENDLIST", b"#EXTINF:1.0,\nfile:///etc/passwd\n#EXTINF:1.0,\nhttp://127.0.0.1:9/x.ts\n#EXT-X-ENDLIST"
)
CONCAT = b"ffconcat version 1.0\nfile 'segment.mp4'\n"
CONCAT_HOSTILE = CONCAT + b"file '/etc/passwd'\nfile 'http://127.0.0.1:9/x.mp4'\n"
# A comment of NUL bytes: the text sniffer no longer calls it text, so FFmpeg gets to see it and
# only its demuxer whitelist stands between the playlist and the files it names. Long enough
# not to be refused as a tiny file first.
BINARY_TAIL = b"#" + b"\x00" * 400 + b"\n"


# --- What a report must say ----------------------------------------------------------------


@dataclass
class Run:
    kind: Kind
    mode: str
    path: Path
    report: Report
    clean: Report  # the undamaged file in the same mode


Expect = Callable[[Run], None]


def refused(*words: str) -> Expect:
    """Could not be checked: one reason, specific enough to act on, on every line."""

    def expect(run: Run) -> None:
        report = run.report
        assert report.problem, [(line.check, line.outcome, line.message) for line in report.lines]
        for word in words:
            assert word in report.problem, (word, report.problem)
        assert report.problem_en
        assert "media" not in report.facts
        assert report.lines and all(line.outcome == Outcome.ERROR for line in report.lines)
        assert all(line.message == report.problem for line in report.lines)
        assert all(line.message_en == report.problem_en for line in report.lines)
        assert report.outcome == Outcome.ERROR
        assert report.exit_status() == 2

    return expect


def incomplete(*words: str) -> Expect:
    """Partly readable: what can be read is reported, and the first line says the file is cut."""

    def expect(run: Run) -> None:
        report = run.report
        assert report.problem is None
        anomalies = report.facts["media"]["anomalies"]
        assert any(a.startswith("truncated:") for a in anomalies), anomalies
        first = report.lines[0]
        assert (first.check, first.outcome, first.severity) == ("integrity", Outcome.ERROR, "hard")
        for word in ("文件不完整", *words):
            assert word in first.message, (word, first.message)
        assert first.message_en.startswith("The file is incomplete")
        assert report.exit_status() == 2

    return expect


def _outcomes(report: Report) -> dict[str, Outcome]:
    return {line.check: line.outcome for line in report.lines}


def doubted(*anomalies: str) -> Expect:
    """An absurd declared value: on record as an anomaly, and judged as if it were not there."""

    def expect(run: Run) -> None:
        report = run.report
        assert report.problem is None
        found = report.facts["media"]["anomalies"]
        for anomaly in anomalies:
            assert any(anomaly in a for a in found), (anomaly, found)
        assert not any(a.startswith("truncated:") for a in found)
        assert _outcomes(report) == _outcomes(run.clean)
        video = report.facts["media"]["video"][0]
        assert (video["display_width"], video["display_height"]) == (320, 180)
        assert report.facts["media"]["duration_s"] == pytest.approx(1.0, abs=0.05)
        assert report.exit_status() == run.clean.exit_status() == 1

    return expect


def checked_normally(run: Run) -> None:
    """A good file under a hostile name: the same report as under a plain one."""
    report = run.report
    assert report.problem is None
    media = report.facts["media"]
    assert media["path"] == str(run.path)  # the very name, not a mangled or shell-expanded one
    assert media["size"] == run.path.stat().st_size
    assert media["anomalies"] == []
    assert _outcomes(report) == _outcomes(run.clean)
    assert not any(line.outcome == Outcome.ERROR for line in report.lines)
    assert report.exit_status() == 1  # a one-second 320×180 file fails Hubei's duration and size
    for folder in (run.path.parent, Path("/"), Path.cwd()):
        assert not (folder / MARKER).exists(), "a file name was run by a shell"


def audio_only(run: Run) -> None:
    report = run.report
    assert report.problem is None
    outcomes = _outcomes(report)
    video_rules = {"video_codec", "resolution", "aspect_ratio"} | (
        {"picture_quality"} if run.mode == "full" else set()
    )
    for check in video_rules:
        assert outcomes[check] == Outcome.ERROR
        line = next(line for line in report.lines if line.check == check)
        assert "没有视频" in line.message and line.actual == "没有视频流"
    assert outcomes["audio_codec"] == Outcome.PASS
    assert report.exit_status() == 2


def renamed_transport_stream(run: Run) -> None:
    """Readable, so judged: the container line names what the bytes really are."""
    report = run.report
    assert report.problem is None
    container = next(line for line in report.lines if line.check == "container")
    assert container.outcome == Outcome.FAIL
    assert "MPEG-TS" in container.actual and "MPEG-TS" in container.message
    assert "只改扩展名无效" in container.message
    headers = ("duration", "video_codec", "audio_codec", "resolution", "aspect_ratio")
    assert {k: _outcomes(report)[k] for k in headers} == {k: _outcomes(run.clean)[k] for k in headers}
    assert report.exit_status() == 1


def size_not_believed(declared: str) -> Expect:
    """A size FFmpeg refuses to use: neither a crash on 0×0 nor a verdict on 0 pixels."""

    def expect(run: Run) -> None:
        report = run.report
        assert report.problem is None
        assert f"video0.size: declared {declared}, out of range" in report.facts["media"]["anomalies"]
        for check in ("resolution", "aspect_ratio"):
            line = next(line for line in report.lines if line.check == check)
            assert line.outcome == Outcome.ERROR
            assert f"尺寸 {declared.replace('x', '×')} 不可信" in line.message
            assert declared in line.message_en
        if run.mode == "full":
            picture = next(line for line in report.lines if line.check == "picture_quality")
            assert picture.outcome == Outcome.ERROR and "无法解码" in picture.message
        assert report.exit_status() == 2

    return expect


def undecodable(run: Run) -> None:
    """Every header in order, every sample garbage: the headers pass, the decode pass must not.

    Judged from the headers alone the file is as good as the clean one; only decoding shows
    that not one picture and not one sound frame can be read, and no black, frozen or blurred
    picture found in none is a pass.
    """
    report = run.report
    assert report.problem is None
    if run.mode == "metadata":
        assert _outcomes(report) == _outcomes(run.clean)
        return
    lines = {line.check: line for line in report.lines}
    assert report.lines[0].check == "integrity" and report.lines[0].severity == "hard"
    assert "画面一帧也无法解码" in report.lines[0].message
    assert lines["picture_quality"].outcome == Outcome.ERROR
    assert lines["picture_quality"].actual == "未解出任何画面"
    assert "解码错误" in lines["picture_quality"].message
    assert not any(check.startswith("picture_quality.") for check in lines)
    assert lines["loudness.integrated"].outcome == Outcome.ERROR
    assert "无法解码" in lines["loudness.integrated"].message
    assert report.exit_status() == 2


def leftovers_tolerated(run: Run) -> None:
    """Bytes after the last real box lose nothing: on record, and the file is judged as it is."""
    report = run.report
    assert report.problem is None
    anomalies = report.facts["media"]["anomalies"]
    assert any(a.startswith("trailing: ") for a in anomalies), anomalies
    assert not any(a.startswith("truncated:") for a in anomalies)
    assert _outcomes(report) == _outcomes(run.clean)


def unknown_duration(run: Run) -> None:
    """All ones is ISO 14496-12's 「not known」: the samples' own length is used, no fuss."""
    report = run.report
    assert report.problem is None
    assert _outcomes(report) == _outcomes(run.clean)
    assert report.facts["media"]["duration_s"] == pytest.approx(1.0, abs=0.05)


# --- The kinds -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    id: str
    make: Callable[[Path, Base], Path]  # (its own empty folder, the good files) -> what to inspect
    expect: Expect
    modes: tuple[str, ...] = MODES


def data(name: str, recipe: Callable[[Base], bytes]) -> Callable[[Path, Base], Path]:
    def make(folder: Path, base: Base) -> Path:
        path = folder / name
        path.write_bytes(recipe(base))
        return path

    return make


def playlist(name: str, text: bytes, segment: str) -> Callable[[Path, Base], Path]:
    """A playlist next to a real segment it names: followed, it would be a readable video."""

    def make(folder: Path, base: Base) -> Path:
        source = base.ts if segment.endswith(".ts") else base.mp4
        (folder / segment).write_bytes(source)
        path = folder / name
        path.write_bytes(text)
        return path

    return make


def node(build: Callable[[Path], None], name: str = "作品.mp4") -> Callable[[Path, Base], Path]:
    def make(folder: Path, base: Base) -> Path:
        path = folder / name
        build(path)
        return path

    return make


def named(name: str | bytes) -> Callable[[Path, Base], Path]:
    """The good file under this name; bytes for a name that is not UTF-8 (a GBK zip, say)."""

    def make(folder: Path, base: Base) -> Path:
        raw = os.fsencode(folder) + b"/" + (name if isinstance(name, bytes) else os.fsencode(name))
        with open(raw, "wb") as out:
            out.write(base.mp4)
        return Path(os.fsdecode(raw))

    return make


def _unreadable(path: Path) -> None:
    path.write_bytes(b"\x00" * 1000)
    path.chmod(0)


def patched(source: str, *patches: Callable[[bytearray], None]) -> Callable[[Base], bytes]:
    """A recipe: one of the good files with these patches applied."""
    return lambda base: _patched(getattr(base, source), *patches)


def mvhd(timescale: int, duration: int) -> Callable[[bytearray], None]:
    return lambda d: patch_mvhd_duration(d, timescale, duration)


def mdhd(duration: int) -> Callable[[bytearray], None]:
    return lambda d: patch_mdhd_duration(d, _track_timescale(d), duration)


def tkhd(width: int, height: int) -> Callable[[bytearray], None]:
    return lambda d: patch_tkhd_size(d, width, height)


def resized(source: str, kind: bytes, size: int, large: int | None = None) -> Callable[[Base], bytes]:
    return lambda base: _with_size(getattr(base, source), kind, size, large)


JUNK_BOX = struct.pack(">I4s", 10**6, b"junk") + bytes(56)  # a recorder's leftovers, claiming 1 MB
NOT_UTF8 = b"gbk-\xca\xd3\xc6\xb5.mp4"  # 「视频」 in GBK, as an old zip tool writes it
HTML = b"<!DOCTYPE html>\n<html><head><title>404</title></head><body><h1>Not Found</h1></body></html>\n"

KINDS = [
    # Not media at all.
    Kind("zero-bytes", data("empty.mp4", lambda b: b""), refused("空", "0 字节")),
    Kind("one-byte", data("one.mp4", lambda b: b"\x00"), refused("1 字节", "太小")),
    Kind("random-bytes", data("random.mp4", lambda b: _random(64 * 1024)), refused("不是视频文件", "损坏")),
    Kind("random-after-ftyp", data("noise.mp4", lambda b: b.mp4[:32] + _random(64 * 1024)),
         refused("结构损坏")),
    Kind("text-renamed", data("说明.mp4", lambda b: "这不是视频，只是一段说明。\n".encode() * 40),
         refused("文本")),
    Kind("utf16-text", data("notes.mp4", lambda b: "这不是视频\r\n".encode("utf-16") * 40), refused("文本")),
    Kind("gb18030-text", data("gbk.mp4", lambda b: "报送单位：长川市\n".encode("gb18030") * 40),
         refused("文本")),
    Kind("html-page", data("download.mp4", lambda b: HTML * 5), refused("文本")),
    Kind("png-renamed", data("still.mp4", lambda b: _picture("PNG")), refused("PNG", "图片")),
    Kind("jpeg-still", data("photo.mp4", lambda b: _picture("JPEG")), refused("JPG", "图片")),
    Kind("pdf-renamed", data("notice.mp4", lambda b: b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
         refused("PDF")),
    Kind("zip-renamed", data("archive.mp4", lambda b: _zip()), refused("压缩包")),
    Kind("word-doc-renamed", data("form.mp4", lambda b: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024)),
         refused("Word")),
    # One picture in a video container.
    Kind("one-mjpeg-picture", data("still.mp4", lambda b: b.mjpeg_still), refused("单帧", "图片")),
    Kind("one-h264-picture", data("still.mp4", lambda b: b.h264_still), refused("单帧")),
    # Cut short, index at the end.
    Kind("cut-inside-ftyp", data("cut.mp4", lambda b: b.mp4[:20]), refused("不完整", "文件头")),
    Kind("cut-after-ftyp", data("cut.mp4", lambda b: b.mp4[:32]), refused("不完整", "文件头")),
    Kind("cut-in-mdat", data("cut.mp4", lambda b: b.mp4[: _mdat_payload(b.mp4) + 20_000]),
         refused("不完整", "moov")),
    Kind("cut-1-byte-short", data("cut.mp4", lambda b: b.mp4[:-1]), refused("不完整", "moov", "中断")),
    # Cut short, index at the front (faststart).
    Kind("faststart-cut-inside-ftyp", data("cut.mp4", lambda b: b.faststart[:20]), refused("文件头")),
    Kind("faststart-cut-in-moov", data("cut.mp4", lambda b: b.faststart[:1000]),
         refused("不完整", "moov", "中断")),
    Kind("faststart-cut-after-moov", data("cut.mp4", lambda b: b.faststart[: _box(b.faststart, b"mdat")[0]]),
         refused("不完整", "mdat")),
    Kind("faststart-cut-in-mdat",
         data("cut.mp4", lambda b: b.faststart[: _mdat_payload(b.faststart) + 20_000]),
         incomplete("0.4 秒", "中断")),
    Kind("faststart-cut-1-byte-short", data("cut.mp4", lambda b: b.faststart[:-1]), incomplete()),
    # A box missing.
    Kind("moov-missing", data("mdat-only.mp4", lambda b: _without(b.mp4, b"moov")),
         refused("缺少索引", "moov")),
    Kind("mdat-missing", data("moov-only.mp4", lambda b: _without(b.mp4, b"mdat")),
         refused("只有索引", "mdat")),
    # Sound only.
    Kind("audio-only", data("sound.mp4", lambda b: b.m4a), audio_only),
    # Absurd declared sizes.
    Kind("tkhd-and-stsd-65535x65535",
         data("huge.mp4", patched("mp4", tkhd(65535, 65535), _entry_size(b"avc1", 65535, 65535))),
         doubted("display_size: declared 65535x65535 in tkhd", "sample_entry_size: declared 65535x65535")),
    Kind("tkhd-and-stsd-0x0", data("zero.mp4", patched("mp4", tkhd(0, 0), _entry_size(b"avc1", 0, 0))),
         doubted("display_size: declared 0x0 in tkhd", "sample_entry_size: declared 0x0")),
    Kind("raw-video-65535x65535", data("raw.mp4", patched("raw_mov", _entry_size(b"raw ", 65535, 65535))),
         size_not_believed("65535x65535")),
    Kind("raw-video-0x0", data("raw.mp4", patched("raw_mov", _entry_size(b"raw ", 0, 0))),
         size_not_believed("0x0")),
    # Absurd declared durations.
    Kind("mvhd-49-days", data("long.mp4", patched("mp4", mvhd(1000, 2**32 - 2))),
         doubted("movie.duration: declared 4.29497e+06 s in mvhd")),
    Kind("mvhd-ten-years", data("long.mp4", patched("mp4", mvhd(1, 10 * 365 * 86400))),
         doubted("movie.duration: declared 3.1536e+08 s in mvhd")),
    Kind("mdhd-93-hours", data("long.mp4", patched("mp4", mdhd(2**32 - 2))),
         doubted("track1.duration: declared", " s in mdhd, the streams last 1.0")),
    Kind("durations-all-ones", data("long.mp4", patched("mp4", mvhd(1000, 2**32 - 1), mdhd(2**32 - 1))),
         unknown_duration),
    Kind("mvhd-timescale-0", data("zero.mp4", patched("mp4", mvhd(0, 1003))),
         doubted("movie.timescale: declared 0 in mvhd")),
    # Impossible box sizes and counts.
    Kind("box-size-0-mid-file", data("box.mp4", resized("mp4", b"free", 0)), refused("不完整")),
    Kind("box-size-4", data("box.mp4", resized("mp4", b"mdat", 4)), refused("结构损坏")),
    Kind("box-64-bit-size-below-header", data("box.mp4", resized("mp4", b"mdat", 1, 8)), refused("结构损坏")),
    Kind("mdat-64-bit-size-2^63-faststart", data("box.mp4", resized("faststart", b"mdat", 1, 2**63)),
         incomplete()),
    Kind("chunk-offsets-8-bytes-off", data("shifted.mp4", lambda b: _grown_header(b.mp4)), undecodable),
    Kind("mdat-64-bit-size-2^64-1", data("box.mp4", resized("mp4", b"mdat", 1, 2**64 - 1)), refused("moov")),
    Kind("moov-size-4-GB-faststart", data("box.mp4", resized("faststart", b"moov", 2**32 - 1)),
         refused("不完整", "moov")),
    Kind("junk-after-moov", data("junk.mp4", lambda b: b.mp4 + JUNK_BOX), leftovers_tolerated),
    Kind("stts-2^32-1-entries", data("table.mp4", patched("mp4", _table_count(b"stts", 2**32 - 1))),
         refused("内存")),
    Kind("stsz-2^32-1-samples", data("table.mp4", patched("mp4", _table_count(b"stsz", 2**32 - 1))),
         refused("损坏")),
    # Another container under an MP4 name.
    Kind("transport-stream-renamed", data("broadcast.mp4", lambda b: b.ts), renamed_transport_stream),
    # Scripts that name other files.
    Kind("hls-playlist-renamed", playlist("list.mp4", HLS_HOSTILE, "segment.ts"), refused("文本")),
    Kind("hls-playlist-binary", playlist("list.m3u8", HLS + BINARY_TAIL, "segment.ts"),
         refused("不是视频文件")),
    Kind("hls-hostile-binary", playlist("list.mp4", HLS_HOSTILE + BINARY_TAIL, "segment.ts"),
         refused("不是视频文件")),
    Kind("ffconcat-renamed", playlist("concat.mp4", CONCAT_HOSTILE, "segment.mp4"), refused("文本")),
    Kind("ffconcat-binary", playlist("concat.mp4", CONCAT + BINARY_TAIL, "segment.mp4"),
         refused("不是视频文件")),
    Kind("ffconcat-hostile-binary", playlist("concat.mp4", CONCAT_HOSTILE + BINARY_TAIL, "segment.mp4"),
         refused("不是视频文件")),
    # Not a regular file.
    Kind("directory", node(lambda p: p.mkdir()), refused("文件夹")),
    Kind("fifo", node(lambda p: os.mkfifo(p)), refused("不是普通文件")),
    Kind("device-via-symlink", node(lambda p: p.symlink_to("/dev/zero")), refused("不是普通文件")),
    Kind("dangling-symlink", node(lambda p: p.symlink_to(p.parent / "gone.mp4")), refused("不存在")),
    Kind("missing-path", node(lambda p: None), refused("不存在")),
    Kind("no-permission", node(_unreadable), refused("没有权限")),
    # Good files, hostile names: checked like any other.
    Kind("name-with-spaces", named("my video 最终版 (1).mp4"), checked_normally),
    Kind("name-chinese", named("湖北·微光｜长川市委统战部《春天》.mp4"), checked_normally),
    Kind("name-quotes", named("""it's "final".mp4"""), checked_normally),
    Kind("name-command-substitution", named(f"$(touch {MARKER}) `touch {MARKER}`.mp4"), checked_normally,
         modes=("metadata",)),
    Kind("name-semicolons-and-pipes", named(f"a; touch {MARKER} | cat & echo >x.mp4"), checked_normally,
         modes=("metadata",)),
    Kind("name-leading-dash", named("-i.mp4"), checked_normally),
    Kind("name-newline", named("第一行\n第二行.mp4"), checked_normally, modes=("metadata",)),
    Kind("name-not-utf8", named(NOT_UTF8), checked_normally),
    Kind("name-255-bytes", named("名" * 83 + ".mp4"), checked_normally, modes=("metadata",)),
]
CLEAN = Kind("clean", data("clean.mp4", lambda b: b.mp4), checked_normally)


# --- Running them --------------------------------------------------------------------------


class Runs:
    """Every (kind, mode) started at once; `get` waits for one."""

    def __init__(self, folder: Path, base: Base) -> None:
        self.base = base
        self.pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2))
        self.paths: dict[str, Path | BaseException] = {}
        self.futures: dict[tuple[str, str], Future[Report]] = {}
        # The slow ones (full mode, files that get past the probe) first, so the pool ends evenly.
        for mode in ("full", "metadata"):
            for kind in [CLEAN, *KINDS]:
                if mode not in kind.modes:
                    continue
                path = self.paths.get(kind.id)
                if path is None:
                    own = folder / kind.id
                    own.mkdir()
                    try:
                        path = self.paths[kind.id] = kind.make(own, self.base)
                    except BaseException as error:  # reported by the kind's own test
                        path = self.paths[kind.id] = error
                if isinstance(path, Path):
                    self.futures[kind.id, mode] = self.pool.submit(
                        inspect, path, HUBEI, mode=mode, limits=LIMITS[mode]
                    )

    def get(self, kind: Kind, mode: str) -> Run:
        path = self.paths[kind.id]
        if isinstance(path, BaseException):
            raise path
        report = self.futures[kind.id, mode].result()
        clean = self.futures[CLEAN.id, mode].result()
        return Run(kind=kind, mode=mode, path=path, report=report, clean=clean)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Base:
    return Base(tmp_path_factory.mktemp("good-files"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory, base) -> Iterator[Runs]:
    runs = Runs(tmp_path_factory.mktemp("malformed"), base)
    yield runs
    runs.pool.shutdown(wait=True, cancel_futures=True)


def never_broken(run: Run) -> None:
    """What holds for every kind: a report, not a traceback, a hang or a runaway child."""
    report = run.report
    assert isinstance(report, Report)
    text = report.to_json()
    assert "Traceback" not in text and 'File "' not in text
    assert not any(word in (report.problem or "") for word in NOT_A_REASON), report.problem
    for line in report.lines:
        if line.outcome == Outcome.ERROR:
            assert line.message and line.message_en, line
    assert report.facts["mode"] == run.mode
    limits = LIMITS[run.mode]
    assert report.elapsed_s < limits.wall_for(run.mode)
    if "peak_rss_mb" in report.facts:
        assert report.facts["peak_rss_mb"] < limits.memory_mb


CASES = [(kind, mode) for kind in [CLEAN, *KINDS] for mode in kind.modes]


@pytest.mark.parametrize(("kind", "mode"), CASES, ids=[f"{kind.id}-{mode}" for kind, mode in CASES])
def test_malformed_input(runs, kind, mode):
    if kind.id == "no-permission" and os.geteuid() == 0:
        pytest.skip("root reads a file whatever its mode")
    run = runs.get(kind, mode)
    never_broken(run)
    kind.expect(run)


def test_there_are_enough_kinds():
    hostile = [kind for kind in KINDS if kind.expect is not checked_normally]
    assert len(hostile) >= 24 and len({kind.id for kind in KINDS}) == len(KINDS)


# --- The defences, one by one --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "segment", "demuxer"),
    [
        ("list.m3u8", HLS + BINARY_TAIL, "segment.ts", "hls"),
        ("concat.mp4", CONCAT + BINARY_TAIL, "segment.mp4", "concat"),
    ],
    ids=["hls", "ffconcat"],
)
def test_a_playlist_ffmpeg_would_follow_is_not_followed(tmp_path, base, name, text, segment, demuxer):
    """Without the whitelists FFmpeg opens the playlist and reads the file it names: the kinds
    above would pass for the wrong reason if it did not."""
    path = playlist(name, text, segment)(tmp_path, base)
    with av.open(str(path)) as container:
        assert container.format.name == demuxer
        assert container.streams.video  # the segment, read through the playlist
    with pytest.raises(ProbeError, match="not a video"):
        probe(str(path))


@pytest.mark.parametrize("name", ["-i.mp4", "--help.mp4", "--mode=full.mp4", "-"])
def test_a_relative_name_that_looks_like_an_option(tmp_path, monkeypatch, base, name):
    """The child gets an absolute path: nothing in front of its name can be read as an option."""
    (tmp_path / name).write_bytes(base.mp4)
    monkeypatch.chdir(tmp_path)
    report = inspect(name, HUBEI, mode="metadata", limits=LIMITS["metadata"])
    assert report.problem is None
    assert report.facts["media"]["path"] == str(tmp_path / name)
    assert report.file == name


def _still_running(path: Path) -> list[int]:
    """Processes whose command line names this file: a child the sandbox failed to end."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if os.fsencode(path) in command.split(b"\0"):
            found.append(int(entry.name))
    return found


def test_a_check_that_runs_out_of_time_is_ended_and_says_so(tmp_path):
    path = make_video(tmp_path / "ten-seconds.mp4", frames=250)
    report = inspect(path, HUBEI, mode="full", limits=Limits(wall_s=0.5))
    assert report.problem == "检查超时（0.5 秒）"
    assert "timed out" in report.problem_en
    assert report.elapsed_s < 5
    assert all(line.outcome == Outcome.ERROR and "超时" in line.message for line in report.lines)
    assert report.exit_status() == 2
    assert _still_running(path) == []


@pytest.mark.parametrize("mode", MODES)
def test_a_memory_limit_too_small_to_work_in_gives_a_reason(tmp_path, base, mode):
    path = tmp_path / "clean.mp4"
    path.write_bytes(base.mp4)
    report = inspect(path, HUBEI, mode=mode, limits=Limits(memory_mb=60))
    assert report.problem and "内存" in report.problem
    assert "memory" in report.problem_en
    assert all(line.outcome == Outcome.ERROR for line in report.lines)
    assert report.exit_status() == 2
    assert "Traceback" not in report.to_json()


def test_a_child_that_says_too_much_is_cut_off(tmp_path, base):
    path = tmp_path / "clean.mp4"
    path.write_bytes(base.mp4)
    report = inspect(path, HUBEI, mode="metadata", limits=Limits(max_output_mb=0))
    assert report.problem == "检查程序的输出过大，无法检查此文件"
    assert report.exit_status() == 2
    assert _still_running(path) == []


SECRETS = {
    "GUANGYING_SECRET_KEY": "s3cret-key",
    "DATABASE_URL": "postgres://guangying:s3cret@db/guangying",
    "DJANGO_SETTINGS_MODULE": "guangying.settings",
    "AWS_SECRET_ACCESS_KEY": "s3cret-aws",
    "GUANGYING_EMAIL_PASSWORD": "s3cret-mail",
    "LD_PRELOAD": "/tmp/evil.so",
    "PYTHONSTARTUP": "/tmp/evil.py",
}


def test_the_child_inherits_no_secret(monkeypatch):
    for key, value in SECRETS.items():
        monkeypatch.setenv(key, value)
    env = sandbox.child_environment()
    assert not set(SECRETS) & set(env)
    assert not any("s3cret" in value for value in env.values())
    assert set(env) <= {*sandbox.KEPT_ENVIRONMENT, "PYTHONDONTWRITEBYTECODE", "PYTHONIOENCODING",
                        "MALLOC_ARENA_MAX", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"}
    assert str(Path(sandbox.__file__).resolve().parents[2]) in env["PYTHONPATH"].split(os.pathsep)


def test_the_child_really_runs_with_that_environment(tmp_path, monkeypatch, base):
    """Read from the running child itself (/proc/PID/environ), not from what it was meant to get."""
    for key, value in SECRETS.items():
        monkeypatch.setenv(key, value)
    environments: list[dict[str, str]] = []
    real_popen = sandbox.subprocess.Popen

    def spy(command, **kwargs):
        process = real_popen(command, **kwargs)  # returns once the child has exec'd
        raw = Path(f"/proc/{process.pid}/environ").read_bytes()
        environments.append(dict(item.split("=", 1) for item in raw.decode().split("\0") if item))
        return process

    monkeypatch.setattr(sandbox.subprocess, "Popen", spy)
    path = tmp_path / "clean.mp4"
    path.write_bytes(base.mp4)
    report = inspect(path, HUBEI, mode="metadata", limits=LIMITS["metadata"])
    assert report.problem is None  # it ran, and ran well, with only what it was given
    [environment] = environments
    assert "PATH" in environment and environment["PYTHONIOENCODING"] == "utf-8"
    assert not set(SECRETS) & set(environment)
    assert not any("s3cret" in value for value in environment.values())


def test_the_good_files_are_tiny(base):
    sizes = [path.stat().st_size for path in base.folder.iterdir()]
    assert len(sizes) == 7 and max(sizes) < 200_000

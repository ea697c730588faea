"""Small real media files, written with PyAV during the test session.

Each file is short (about a second) and small (320×180 unless the size is
what a test is about), so the whole set takes a few seconds to make.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

AIGC_VALUE = (
    '{"Label":"1","ContentProducer":"001191440300000000000000000000000",'
    '"ProduceID":"gy-test-0001","ReservedCode1":"","ContentPropagator":"",'
    '"PropagateID":"","ReservedCode2":""}'
)

ASS_HEADER = (
    b"[Script Info]\nScriptType: v4.00+\nPlayResX: 384\nPlayResY: 288\n\n[V4+ Styles]\n"
    b"Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, "
    b"Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, "
    b"Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n"
    b"Style: Default,Arial,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0\n\n"
    b"[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
)


def _picture(index: int, width: int, height: int) -> av.VideoFrame:
    """A moving gradient: cheap to make, and not so flat that encoders skip every block."""
    x = np.arange(width, dtype=np.uint16)[None, :]
    y = np.arange(height, dtype=np.uint16)[:, None]
    luma = ((x + y + index * 7) % 256).astype(np.uint8)
    rgb = np.stack([luma, np.roll(luma, 13, axis=1), np.full_like(luma, 90)], axis=-1)
    return av.VideoFrame.from_ndarray(rgb, format="rgb24")


def make_video(
    path: Path,
    *,
    codec: str = "libx264",
    width: int = 320,
    height: int = 180,
    fps: int | Fraction = 25,
    frames: int = 25,
    container_format: str | None = None,
    pix_fmt: str = "yuv420p",
    options: dict[str, str] | None = None,
    container_options: dict[str, str] | None = None,
    audio: str | None = "aac",
    rotation: float | None = None,
    metadata: dict[str, str] | None = None,
    stream_metadata: dict[str, str] | None = None,
    pts_ms: Sequence[int] | None = None,
    subtitles: tuple[str, Sequence[tuple[float, float, str]]] | None = None,
    video: bool = True,
) -> Path:
    """Write a file; `pts_ms` gives each picture its own time (a variable frame rate)."""
    container = av.open(str(path), "w", format=container_format, options=container_options or {})
    stream = None
    if video:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        if codec.startswith("libx26"):
            stream.options = {"preset": "ultrafast", **(options or {})}
        elif options:
            stream.options = options
        if rotation is not None:
            stream.set_display_rotation(rotation)
        if pts_ms is not None:
            stream.codec_context.time_base = Fraction(1, 1000)
        for key, value in (stream_metadata or {}).items():
            stream.metadata[key] = value
    sound = None
    if audio:
        sound = container.add_stream(audio, rate=48000)
        sound.layout = "stereo"
    text_stream = None
    if subtitles:
        text_stream = container.add_stream(subtitles[0])
        text_stream.metadata["language"] = "chi"
        text_stream.codec_context.subtitle_header = ASS_HEADER
        text_stream.codec_context.time_base = Fraction(1, 1000)
    for key, value in (metadata or {}).items():
        container.metadata[key] = value

    if stream is not None:
        for index in range(frames):
            frame = _picture(index, width, height)
            if pts_ms is not None:
                frame.pts, frame.time_base = pts_ms[index], Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    if sound is not None:
        seconds = frames / float(fps)
        sample_format = "s16" if audio in ("mp2", "pcm_s16le") else "fltp"
        samples = sound.codec_context.frame_size or 1024
        t0 = 0
        while t0 < seconds * 48000:
            t = (np.arange(samples) + t0) / 48000.0
            tone = 0.1 * np.sin(2 * np.pi * 440 * t)
            if sample_format == "s16":
                data = np.repeat((tone * 32767).astype(np.int16)[None, :], 2, axis=0).T.reshape(1, -1)
            else:
                data = np.repeat(tone.astype(np.float32)[None, :], 2, axis=0)
            chunk = av.AudioFrame.from_ndarray(data, format=sample_format, layout="stereo")
            chunk.sample_rate, chunk.pts = 48000, t0
            for packet in sound.encode(chunk):
                container.mux(packet)
            t0 += samples
        for packet in sound.encode():
            container.mux(packet)
    if text_stream is not None:
        for start, end, text in subtitles[1]:
            cue = av.subtitles.subtitle.SubtitleSet.create(
                ("0,0,Default,,0,0,0,," + text).encode(), 0, int((end - start) * 1000), pts=int(start * 1000)
            )
            packet = text_stream.codec_context.encode_subtitle(cue)
            packet.stream = text_stream
            packet.time_base = Fraction(1, 1000)
            packet.pts = packet.dts = int(start * 1000)
            container.mux(packet)
    container.close()
    return path


# --- Damage done to good files -------------------------------------------------------------


def top_boxes(data: bytes) -> list[tuple[bytes, int, int]]:
    """(type, offset, size) of the top-level ISO boxes."""
    boxes = []
    offset = 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        elif size == 0:
            size = len(data) - offset
        if size < 8:
            break
        boxes.append((kind, offset, size))
        offset += size
    return boxes


def box_offset(data: bytes | bytearray, kind: bytes, start: int = 0) -> int:
    """Where a box (its size field) starts: the first occurrence of its type after `start`."""
    return data.index(kind, start) - 4


def patch_mvhd_duration(data: bytearray, timescale: int, duration: int) -> None:
    offset = box_offset(data, b"mvhd")
    assert data[offset + 8] == 0  # version 0: 32-bit times
    struct.pack_into(">II", data, offset + 20, timescale, duration)


def patch_mdhd_duration(data: bytearray, timescale: int, duration: int) -> None:
    offset = box_offset(data, b"mdhd")
    assert data[offset + 8] == 0
    struct.pack_into(">II", data, offset + 20, timescale, duration)


def patch_sample_entry_size(data: bytearray, entry: bytes, width: int, height: int) -> None:
    """Width and height of a visual sample entry (avc1, mp4v …), 16 bits each."""
    offset = box_offset(data, entry)
    struct.pack_into(">HH", data, offset + 32, width, height)


def patch_tkhd_size(data: bytearray, width: int, height: int) -> None:
    offset = box_offset(data, b"tkhd")
    assert data[offset + 8] == 0
    struct.pack_into(">II", data, offset + 84, (width << 16) & 0xFFFFFFFF, (height << 16) & 0xFFFFFFFF)


def patch_avi_size(data: bytearray, width: int, height: int) -> None:
    """The main header's and the video stream format's idea of the picture size."""
    avih = data.index(b"avih") + 8
    struct.pack_into("<II", data, avih + 32, width, height)
    strf = data.index(b"strf") + 8
    struct.pack_into("<ii", data, strf + 4, width, height)


def patch_avi_rate(data: bytearray, scale: int, rate: int, length: int) -> None:
    """strh of the first stream: dwScale, dwRate, dwStart, dwLength."""
    strh = data.index(b"strh") + 8
    struct.pack_into("<II", data, strh + 20, scale, rate)
    struct.pack_into("<I", data, strh + 32, length)


# --- The set the probe tests read ----------------------------------------------------------

UNEVEN_MS = [0, 33, 66, 100, 166, 200, 233, 300, 333, 366, 433, 466, 500, 533, 600, 633, 666, 733,
             766, 800, 833, 900, 933, 966, 1033, 1066, 1100, 1166, 1200, 1233]
CUES = [(0.0, 0.5, "第一句字幕"), (0.6, 0.9, "第二句 {\\i1}second{\\i0}")]

SPECS: dict[str, dict] = {
    "h264_aac.mp4": {},
    "faststart.mp4": {"container_options": {"movflags": "faststart"}, "frames": 50},
    "quicktime.mov": {"container_format": "mov"},
    "program.mpg": {"codec": "mpeg2video", "container_format": "mpeg", "audio": "mp2"},
    "hevc.mp4": {"codec": "libx265", "audio": None, "options": {"x265-params": "log-level=error"}},
    "part2.mp4": {"codec": "mpeg4", "audio": None},
    "hd720p24.mp4": {"width": 1280, "height": 720, "fps": 24, "frames": 24, "audio": None},
    "portrait_cw90.mp4": {"width": 1920, "height": 1080, "frames": 10, "rotation": -90, "audio": None},
    "portrait_ccw90.mp4": {"width": 1920, "height": 1080, "frames": 10, "rotation": 90, "audio": None},
    "upside_down.mp4": {"frames": 10, "rotation": 180, "audio": None},
    "interlaced.mp4": {"options": {"x264-params": "interlaced=1:tff=1"}, "audio": None},
    "interlaced.mpg": {"codec": "mpeg2video", "container_format": "mpeg", "audio": None,
                       "options": {"flags": "+ilme+ildct"}},
    "vfr.mp4": {"frames": len(UNEVEN_MS), "pts_ms": UNEVEN_MS, "audio": None},
    "vfr.mkv": {"frames": len(UNEVEN_MS), "pts_ms": UNEVEN_MS, "audio": None},
    "ntsc.mkv": {"fps": Fraction(30000, 1001), "frames": 60, "audio": None},
    "silent.mp4": {"audio": None},
    "audio_only.m4a": {"video": False, "container_format": "mp4"},
    "subtitles.mp4": {"subtitles": ("mov_text", CUES), "audio": None, "frames": 25},
    "subtitles.mkv": {"subtitles": ("subrip", CUES), "audio": None, "frames": 25},
    "aigc.mp4": {"metadata": {"AIGC": AIGC_VALUE}, "container_options": {"movflags": "use_metadata_tags"}},
    "aigc.mov": {"metadata": {"AIGC": AIGC_VALUE}, "container_format": "mov",
                 "container_options": {"movflags": "use_metadata_tags"}},
    "aigc.mkv": {"metadata": {"AIGC": AIGC_VALUE}, "stream_metadata": {"aigc": "stream label"}},
    "two_keys.mp4": {"metadata": {"AIGC": AIGC_VALUE, "AIGX": '{"Label":"2"}'},
                     "container_options": {"movflags": "use_metadata_tags"}},
    "transport.ts": {"container_format": "mpegts"},
    "raw.avi": {"codec": "rawvideo", "width": 32, "height": 32, "frames": 5, "audio": None},
}


class Samples:
    """Makes each sample the first time a test asks for it, in one folder for the session."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(self, name: str) -> Path:
        path = self.folder / name
        if not path.exists():
            make_video(path, **SPECS[name])
            if name == "two_keys.mp4":
                # Two mdta keys both called AIGC: FFmpeg's dictionary would keep one of them.
                data = path.read_bytes()
                assert data.count(b"mdtaAIGX") == 1
                path.write_bytes(data.replace(b"mdtaAIGX", b"mdtaAIGC"))
        return path

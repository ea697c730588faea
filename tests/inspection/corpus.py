"""Full-size test videos, each faulty in one way only, made with PyAV and kept between runs.

The presets ask for 1080p and, for Hubei, at least two minutes: encoding
that for every fault would be slow, so a few seconds are encoded and then
repeated by copying packets (no re-encoding) up to the length a test
needs. Files are cached under var/test-media/ (or GUANGYING_TEST_MEDIA)
keyed by their recipe, so the second run of the suite makes nothing.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import uuid
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pyloudnorm
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("GUANGYING_TEST_MEDIA") or ROOT / "var" / "test-media")
RATE = 48000

def _texture(height: int, width: int) -> np.ndarray:
    """A smooth gradient with crisp one-pixel strokes: full-resolution detail that compresses well."""
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:height, 0:width]
    base = (80 + 60 * np.sin(x / 97.0) * np.cos(y / 61.0)).astype(np.uint8)
    for _ in range(900):
        row, col = rng.integers(0, height - 40), rng.integers(0, width - 40)
        length = rng.integers(8, 40)
        if rng.random() < 0.5:
            base[row, col : col + length] = 235
        else:
            base[row : row + length, col] = 20
    return base


_TEXTURE = _texture(1080 + 64, 2560 + 64)


def moving(index: int, width: int, height: int) -> np.ndarray:
    """A detailed picture that moves: real 1080-line detail, never still, never black."""
    dx, dy = (index * 2) % 64, 0
    luma = _TEXTURE[dy : dy + height, dx : dx + width].copy() if height <= 1080 else np.resize(
        _TEXTURE, (height, width))
    x = (index * 12) % max(1, width - 200)
    luma[height // 3 : height // 3 + 150, x : x + 200] = 230
    return luma


def black_opening(index: int, width: int, height: int, fps: int = 25) -> np.ndarray:
    if index < 2 * fps:
        return np.full((height, width), 16, dtype=np.uint8)
    return moving(index, width, height)


def frozen_middle(index: int, width: int, height: int, fps: int = 25) -> np.ndarray:
    """Moving, then the same picture for 3 s from second 2, then moving again."""
    if 2 * fps <= index < 5 * fps:
        return moving(2 * fps, width, height)
    return moving(index, width, height)


def pillarboxed_upscale(index: int, width: int, height: int) -> np.ndarray:
    """A 4:3 picture made at 480×360, blown up to 1440×1080 and framed in black sides.

    Bicubic, as editing software scales a clip dropped on a 1080p timeline.
    """
    small = Image.fromarray(moving(index, 480, 360))
    big = np.asarray(small.resize((1440, 1080), Image.Resampling.BICUBIC))  # no new detail
    frame = np.full((height, width), 16, dtype=np.uint8)
    left = (width - big.shape[1]) // 2
    frame[:, left : left + big.shape[1]] = big
    return frame


PICTURES: dict[str, Callable[..., np.ndarray]] = {
    "moving": moving, "black_opening": black_opening, "frozen_middle": frozen_middle,
    "pillarboxed_upscale": pillarboxed_upscale,
}


def tone(seconds: float, lkfs: float | None) -> np.ndarray:
    """A 997 Hz stereo tone scaled so that BS.1770 (pyloudnorm) reads `lkfs`."""
    t = np.arange(int(seconds * RATE)) / RATE
    base = 0.1 * np.sin(2 * np.pi * 997 * t)
    stereo = np.stack([base, base], axis=1)
    if lkfs is None:
        return stereo.astype(np.float32)
    measured = pyloudnorm.Meter(RATE).integrated_loudness(stereo)
    gain = 10 ** ((lkfs - measured) / 20)
    return np.clip(stereo * gain, -1.0, 1.0).astype(np.float32)


def _encode(path: Path, *, width: int, height: int, fps: int, seconds: float, vcodec: str,
            acodec: str | None, lkfs: float | None, container_format: str | None,
            rotation: int | None, picture: str) -> None:
    draw = PICTURES[picture]
    with av.open(str(path), "w", format=container_format) as container:
        video = container.add_stream(vcodec, rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        if vcodec == "libx264":
            video.options = {"preset": "veryfast", "crf": "30", "g": str(fps * 2)}
        elif vcodec == "libx265":
            video.options = {"preset": "ultrafast", "crf": "32",
                             "x265-params": "log-level=error:keyint=50"}
        else:
            video.options = {"g": str(fps * 2)}
            video.bit_rate = 3_000_000
        if rotation is not None:
            video.set_display_rotation(rotation)
        sound = None
        if acodec:
            sound = container.add_stream(acodec, rate=RATE)
            sound.layout = "stereo"
        for index in range(round(seconds * fps)):
            luma = draw(index, width, height, **({"fps": fps} if picture in (
                "black_opening", "frozen_middle") else {}))
            frame = av.VideoFrame(width, height, "yuv420p")
            for plane, value in zip(frame.planes, (luma, 128, 128), strict=True):
                rows = np.zeros((plane.height, plane.line_size), dtype=np.uint8)
                rows[:, : plane.width] = value if isinstance(value, int) else luma
                plane.update(rows.tobytes())
            frame.pts, frame.time_base = index, Fraction(1, fps)
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        if sound is not None:
            samples = tone(seconds, lkfs)
            size = sound.codec_context.frame_size or 1024
            for start in range(0, len(samples), size):
                chunk = np.ascontiguousarray(samples[start : start + size].T)
                frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
                frame.sample_rate, frame.pts, frame.time_base = RATE, start, Fraction(1, RATE)
                for packet in sound.encode(frame):
                    container.mux(packet)
            for packet in sound.encode():
                container.mux(packet)


def _loop(source: Path, target: Path, seconds: float, container_format: str | None) -> None:
    """Repeat a short file's packets, shifting their times, until it lasts `seconds`."""
    with av.open(str(source)) as src:
        ins = list(src.streams)
        clip = float(src.duration or 0) / av.time_base
        # Whole packets inside [0, clip) only: the encoder's priming and padding would overlap.
        packets = [
            (p.stream.index, p.pts, p.dts, p.is_keyframe, bytes(p))
            for p in src.demux()
            if p.size and p.pts is not None and p.pts >= 0
            and float((p.pts + (p.duration or 0)) * p.time_base) <= clip + 1e-6
        ]
        with av.open(str(target), "w", format=container_format) as out:
            outs = {s.index: out.add_stream_from_template(s) for s in ins}
            for round_ in range(int(np.ceil(seconds / clip))):
                for index, pts, dts, key, data in packets:
                    base = ins[index].time_base
                    shift = round(round_ * clip / base)
                    if float((pts or 0) * base) + round_ * clip >= seconds:
                        continue
                    packet = av.Packet(data)
                    packet.stream = outs[index]
                    packet.time_base = base
                    packet.pts = None if pts is None else pts + shift
                    packet.dts = None if dts is None else dts + shift
                    packet.is_keyframe = key
                    out.mux(packet)


def video(name: str = "clip", *, width: int = 1920, height: int = 1080, fps: int = 25,
          seconds: float = 4.0, loop_to: float | None = None, vcodec: str = "libx264",
          acodec: str | None = "aac", lkfs: float | None = -24.0, extension: str = "mp4",
          container_format: str | None = None, rotation: int | None = None,
          picture: str = "moving") -> Path:
    """The path of a cached file made to this recipe; `name` becomes part of the file name."""
    recipe = {k: v for k, v in locals().items() if k != "name"}
    recipe["version"] = 3
    key = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:12]
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{name}-{key}.{extension}"
    if path.exists():
        return path
    # Test processes running side by side (pytest-xdist) may want the same file at once: the
    # lock lets one make it while the other waits, and the temporary names are each process's
    # own, so a file under the final name is always whole.
    with open(CACHE / f".{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            _make(path, key, extension, loop_to, container_format, {
                "width": width, "height": height, "fps": fps, "seconds": seconds, "vcodec": vcodec,
                "acodec": acodec, "lkfs": lkfs, "container_format": container_format,
                "rotation": rotation, "picture": picture})
    return path


def _make(path: Path, key: str, extension: str, loop_to: float | None, container_format: str | None,
          kwargs: dict) -> None:
    mine = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    partial = CACHE / f".{key}.{mine}.part.{extension}"
    try:
        if loop_to:
            clip = CACHE / f".{key}.{mine}.clip.{extension}"
            try:
                _encode(clip, **kwargs)
                _loop(clip, partial, loop_to, container_format)
            finally:
                clip.unlink(missing_ok=True)
        else:
            _encode(partial, **kwargs)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)

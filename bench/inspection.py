"""Inspection speed against a bare FFmpeg decode of the same file, measured in one run.

Makes a 3-minute 1080p25 H.264/AAC file once (kept under var/bench/), then
prints: the metadata-only verdict, the full inspection, a bare decode of
every frame through PyAV (the reference), their ratio and peak memory.
Targets: metadata < 0.2 s; full inspection ≤ 1.0× the bare decode; peak
RSS < 500 MB. The figures are printed as measured, met or not.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "var" / "bench" / "sample-1080p25-180s.mp4"


def make_sample(path: Path, seconds: int = 180, fps: int = 25) -> Path:
    """Moving texture and a moving block: enough detail for a realistic bit rate."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.mp4")
    rng = np.random.default_rng(2026)
    texture = rng.integers(40, 215, size=(1080 + 64, 1920 + 64), dtype=np.uint8)
    texture = ((texture.astype(np.uint16) + np.roll(texture, 1, axis=1)) // 2).astype(np.uint8)
    chroma_u = np.full((540, 960), 110, dtype=np.uint8)
    chroma_v = np.full((540, 960), 150, dtype=np.uint8)
    with av.open(str(partial), "w") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = 1920, 1080, "yuv420p"
        video.options = {"preset": "veryfast", "crf": "26", "g": "50"}
        audio = container.add_stream("aac", rate=48000)
        audio.layout = "stereo"
        for index in range(seconds * fps):
            dx, dy = (index * 3) % 64, (index * 2) % 64
            luma = texture[dy : dy + 1080, dx : dx + 1920].copy()
            x = (index * 8) % 1600
            luma[400:700, x : x + 300] = 235
            frame = av.VideoFrame(1920, 1080, "yuv420p")
            for plane, data in zip(frame.planes, (luma, chroma_u, chroma_v), strict=True):
                rows = np.zeros((data.shape[0], plane.line_size), dtype=np.uint8)
                rows[:, : data.shape[1]] = data
                plane.update(rows.tobytes())
            frame.pts, frame.time_base = index, Fraction(1, fps)
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        t = np.arange(48000 * seconds, dtype=np.float32) / 48000
        tone = (0.1 * np.sin(2 * np.pi * 440 * t) * (1 + 0.5 * np.sin(2 * np.pi * 0.2 * t))).astype(
            np.float32
        )
        for start in range(0, tone.size, 1024):
            chunk = tone[start : start + 1024]
            frame = av.AudioFrame.from_ndarray(np.vstack([chunk, chunk]), format="fltp", layout="stereo")
            frame.sample_rate, frame.pts, frame.time_base = 48000, start, Fraction(1, 48000)
            for packet in audio.encode(frame):
                container.mux(packet)
        for packet in audio.encode():
            container.mux(packet)
    partial.rename(path)
    return path


def bare_decode(path: Path, threads: str = "default") -> tuple[float, int]:
    """The reference: every frame of every stream decoded by FFmpeg, nothing else done.

    "default" keeps PyAV's decoder settings (slice threads: one thread for the
    single-slice streams most encoders write); "all" turns on frame threads on
    every core, as the ffmpeg command line does. The stricter one is the bar.
    """
    started = time.perf_counter()
    frames = 0
    with av.open(str(path)) as container:
        if threads == "all":
            for stream in container.streams.video:
                stream.thread_type = "AUTO"
        for _frame in container.decode(*container.streams):
            frames += 1
    return time.perf_counter() - started, frames


def child_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run(path: Path, rounds: int) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from guangying.inspection.engine import inspect
    from guangying.rulesets import load_preset

    rules = load_preset("hubei-2026-weiguang")
    metadata = [_timed(lambda: inspect(path, rules, mode="metadata")) for _ in range(max(7, rounds))]
    startup = [_timed(lambda: subprocess.run([sys.executable, "-c", "import av"], check=True))
               for _ in range(max(7, rounds))]
    full = [_timed(lambda: inspect(path, rules, mode="full")) for _ in range(rounds)]
    bare = [bare_decode(path)[0] for _ in range(rounds)]
    threaded = [bare_decode(path, "all")[0] for _ in range(rounds)]
    report = inspect(path, rules, mode="full")
    failing = [line.check for line in report.lines if line.outcome.value == "fail"]
    m, f = statistics.median(metadata), statistics.median(full)
    b, bt = statistics.median(bare), statistics.median(threaded)
    strict = min(b, bt)
    peak = max(child_peak_rss_mb(), report.facts.get("peak_rss_mb") or 0)
    size_mb = path.stat().st_size / 1024**2
    print(f"file: {path.name} ({size_mb:.0f} MB, 1920×1080, 25 fps, 180 s, H.264/AAC)")
    print(f"rounds: {rounds} (medians)")
    print(f"metadata-only verdict     {m:8.3f} s   target < 0.2 s   {'met' if m < 0.2 else 'MISSED'}")
    start = statistics.median(startup)
    print(f"  a child that only imports PyAV {start:6.3f} s   (reference: the fixed cost of a fresh process)")
    print(f"full inspection           {f:8.3f} s")
    print(f"bare FFmpeg decode (PyAV) {b:8.3f} s   (reference: PyAV's decoder defaults, same file, same run)")
    print(f"  … on every core         {bt:8.3f} s   (reference: frame threads, as the ffmpeg command)")
    print(f"ratio full / bare         {f / b:8.2f} ×   (PyAV defaults)")
    print(f"ratio full / best bare    {f / strict:8.2f} ×   target ≤ 1.0 ×   "
          f"{'met' if f <= strict else 'MISSED'}")
    print(f"peak RSS of the inspector {peak:8.0f} MB  target < 500 MB  {'met' if peak < 500 else 'MISSED'}")
    print(f"failing rules on this file: {', '.join(failing) or 'none'}")


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--file", type=Path, default=None, help="measure this file instead")
    args = parser.parse_args()
    path = args.file or SAMPLE
    if not path.exists():
        print(f"making {path} (once) …", flush=True)
        started = time.perf_counter()
        make_sample(path)
        print(f"made in {time.perf_counter() - started:.0f} s", flush=True)
    run(path, args.rounds)


if __name__ == "__main__":
    main()

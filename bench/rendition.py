"""Rendition speed against a bare FFmpeg decode of the same file, measured in one run.

Makes a 60-second 1080p25 MPEG-2 program stream (what browsers cannot play)
once, under var/bench/, then prints: the preview (decode, scale to 720 lines,
H.264/AAC encode, faststart, poster and contact sheet) in the limited child;
the stills alone for a browser-playable H.264 original of the same length
(seeks, no transcode); and a bare decode of every frame of the MPEG-2 file
through PyAV as the reference. The figures are printed as measured.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import av

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from guangying.demo.media import make_video  # noqa: E402
from guangying.inspection.rendition import run_rendition_child  # noqa: E402

MPEG = ROOT / "var" / "bench" / "sample-1080p25-60s.mpg"
H264 = ROOT / "var" / "bench" / "sample-1080p25-60s.mp4"


def bare_decode(path: Path) -> float:
    started = time.perf_counter()
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for _frame in container.decode(stream):
            pass
    return time.perf_counter() - started


def timed_rendition(path: Path) -> tuple[float, object]:
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        result = run_rendition_child(str(path), out)
        return time.perf_counter() - started, result


def main() -> None:
    MPEG.parent.mkdir(parents=True, exist_ok=True)
    if not MPEG.exists():
        print("making the 60 s 1080p MPEG-2 sample …", flush=True)
        make_video(MPEG, seconds=60, width=1920, height=1080, codec="mpeg2video", container_format="mpeg")
    if not H264.exists():
        print("making the 60 s 1080p H.264 sample …", flush=True)
        make_video(H264, seconds=60, width=1920, height=1080)
    reference = bare_decode(MPEG)
    preview_s, preview = timed_rendition(MPEG)
    stills_s, stills = timed_rendition(H264)
    print(f"bare decode of the MPEG-2 file (reference)   {reference:7.2f} s")
    print(f"preview 720p H.264/AAC + poster + sheet      {preview_s:7.2f} s  "
          f"({preview_s / reference:.1f}× the bare decode; {preview.problem or 'ok'})")
    print(f"poster + sheet of a playable H.264 original  {stills_s:7.2f} s  ({stills.problem or 'ok'})")


if __name__ == "__main__":
    main()

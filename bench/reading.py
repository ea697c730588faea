"""Reading the picture: verdict accuracy on a labelled corpus, and its cost beside a bare decode, in one run.

Accuracy. Every case of tests/inspection/reading/corpus.py (short scenes with
subtitles, credits, logos, watermarks, AI labels, each labelled with the
verdicts the notice's rules give; files made once, cached under
var/test-media/reading/) goes through the real engine, inspect(...,
mode="full"), sandboxed child and all. For each labelled line id it prints
the cases, the right and wrong verdicts, and the false passes: a pass where
the work breaks the rule, counted apart where the rule set requires the rule
(those let a fault through). Target: ≥ 95 % right overall and no false pass
on a required rule.

Speed. A 3-minute 1920×1080 25 fps H.264/AAC file (made once, under
var/bench/): a moving scene, a new subtitle line every 3 s for the whole
length (57 different lines, each over speech-like sound) and the unit's
credits at the end. The whole 180 s are encoded, not a short part looped:
repeated band states would let an OCR cache look better than it is. Measured
in the same run: the full inspection against the Hubei preset (every reading
module works on it); the same inspection with the picture-reading rules
taken out (reference: what reading adds); a bare decode of every frame of
the same file through PyAV with its default threads (the reference, from
bench/inspection.py). Printed: medians, the ratio full / bare (target ≤ 1.5×,
moonshot ≤ 1.0×), the OCR calls and OCR seconds the report's facts give
(picture.text.ocr_calls / ocr_s), and the checking child's peak RSS (target
< 1 GB). Figures are printed as measured, met or not.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections import defaultdict
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.inspection.reading import scenes  # noqa: E402
from tests.inspection.reading.corpus import (  # noqa: E402
    CASES,
    HUBEI,
    UNIT,
    credits_text,
    rules_for,
    score,
)

SAMPLE = ROOT / "var" / "bench" / "reading-1080p25-180s.mp4"
TARGET_ACCURACY = 0.95
TARGET_RATIO, MOONSHOT_RATIO = 1.5, 1.0
TARGET_RSS_MB = 1024
READING_CHECKS = ("subtitles", "end_credits", "watermark", "ai_label")


def _base() -> Any:
    """bench/inspection.py, for its bare decode and timing helpers (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_inspection", ROOT / "bench" / "inspection.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


base = _base()


# ---- accuracy ------------------------------------------------------------------------------

def accuracy(only: str | None = None, verbose: bool = False, jobs: int = 1) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from guangying.inspection.engine import inspect

    cases = [c for c in CASES if not only or only in c.name]
    print(f"corpus: {len(cases)} cases", flush=True)
    made_s = 0.0
    for index, case in enumerate(cases):  # made first (once, then cached): the timings below are checks only
        started = time.perf_counter()
        case.path()
        if time.perf_counter() - started > 1:
            made_s += time.perf_counter() - started
            print(f"  made {index + 1}/{len(cases)} {case.name}", flush=True)

    per_line: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    wrong: list[str] = []
    ocr_calls, ocr_s = 0, 0.0

    def check(case: Any) -> Any:  # each inspection runs in a child process of its own
        return inspect(case.path(), case.rules, entrant=case.entrant, title=case.title,
                       declares_ai=case.declares_ai, mode="full")

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        reports = list(pool.map(check, cases))
    checked_s = time.perf_counter() - started
    for case, report in zip(cases, reports, strict=True):
        text = (report.facts.get("picture") or {}).get("text") or {}
        ocr_calls += int(text.get("ocr_calls") or 0)
        ocr_s += float(text.get("ocr_s") or 0.0)
        actual_text = {line.check: line.actual for line in report.lines}
        for line, expected, actual, right in score(case, report):
            row = per_line[line]
            row["cases"] += 1
            row["right" if right else "wrong"] += 1
            if actual == "review" and not right:
                row["review"] += 1  # left to a person where the rule could be decided
            if case.expect[line] == "fail" and actual in ("fail", "review"):
                row[f"fault_{actual}"] += 1  # a broken rule, said as fail or (by severity) review
            if actual is None:
                row["missing"] += 1
            if actual == "pass" and not right:
                row["false_pass_required" if case.required(line) else "false_pass"] += 1
            if not right or verbose:
                said = (actual_text.get(line) or "")[:70]
                wrong.append(f"  {'ok ' if right else 'BAD'} {case.name:32} {line:20} expected {expected:7} "
                             f"got {actual or 'no line':7} {said}")
    total = sum(r["cases"] for r in per_line.values())
    right = sum(r["right"] for r in per_line.values())
    required_false = sum(r["false_pass_required"] for r in per_line.values())
    other_false = sum(r["false_pass"] for r in per_line.values())

    # "review": wrong verdicts that left to a person what could be decided; "no line": the report had
    # none for the id; "faults": the broken rules found, said as fail or (by the rule's severity) review.
    head = ("line", "cases", "right", "wrong", "review", "no line", "false pass", "on others", "faults")
    print("{:18} {:>5} {:>5} {:>5} {:>6} {:>7} {:>10} {:>9} {:>11}".format(*head))
    print("{:18} {:>5} {:>5} {:>5} {:>6} {:>7} {:>10} {:>9} {:>11}".format(
        "", "", "", "", "", "", "(required)", "", "fail/review"))
    for line in sorted(per_line):
        r = per_line[line]
        print("{:18} {:5} {:5} {:5} {:6} {:7} {:10} {:9} {:>11}".format(
            line, r["cases"], r["right"], r["wrong"], r["review"], r["missing"], r["false_pass_required"],
            r["false_pass"], f"{r['fault_fail']}/{r['fault_review']}"))
    share = right / total if total else 0.0
    met = share >= TARGET_ACCURACY and required_false == 0
    print(f"overall: {right}/{total} verdicts right = {100 * share:.1f} %   "
          f"target ≥ {100 * TARGET_ACCURACY:.0f} % "
          f"with no false pass on a required rule ({required_false} false passes on required rules, "
          f"{other_false} on others)   {'met' if met else 'NOT met'}")
    print(f"checking the corpus: {checked_s:.1f} s for {len(cases)} files, {jobs} at a time "
          f"({checked_s * jobs / max(1, len(cases)):.1f} s each); OCR {ocr_calls} calls, {ocr_s:.1f} s"
          + (f"; making the missing files took {made_s:.0f} s" if made_s > 1 else ""))
    if wrong:
        print("verdicts" + (" (all)" if verbose else " that were wrong") + ":")
        print("\n".join(wrong))


# ---- speed -------------------------------------------------------------------------------

OPENERS = ["一九二一年七月", "一九二七年八月", "一九三五年一月", "一九三八年秋", "一九四五年八月",
           "一九四九年十月", "那一年春天", "多年以后", "在长川的老街上", "如今"]
CLOSERS = ["先辈们在这里点燃了革命的火种", "一封家书寄托着对亲人的思念", "统一战线的旗帜在这里高高飘扬",
           "老党员讲述了当年的亲身经历", "这座旧址见证了那段峥嵘岁月", "年轻人沿着先辈的足迹重走同心路"]


def sample_scene(seconds: int = 180) -> scenes.Scene:
    """The recipe: a subtitle every 3 s from the start to the credits, each a different line."""
    count = (seconds - 9) // 3
    lines = [f"{OPENERS[i % len(OPENERS)]}，{CLOSERS[(i // len(OPENERS) + i) % len(CLOSERS)]}"
             for i in range(count)]
    assert len(set(lines)) == len(lines)
    texts, speech = scenes.subtitle_track(lines, font="sans", size=0.05)
    texts.append(scenes.Text(credits_text(UNIT), start=seconds - 7.0, end=seconds, where="center",
                             size=0.045, font="sans"))
    return scenes.Scene(seconds=seconds, width=1920, height=1080, fps=25, texts=texts, speech=speech)


def make_sample(path: Path, seconds: int = 180) -> Path:
    """Draws the scene as scenes.py does, but blends each text only inside its own box.

    scenes.py keeps a full-frame float layer per text: fine for a few texts in a short clip,
    2 GB for the 60 lines of this file. The encoder settings are those of scenes.py.
    """
    scene = sample_scene(seconds)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.mp4")
    background = scenes._background(scene)
    cropped: dict[int, tuple[int, int, np.ndarray, np.ndarray]] = {}

    def layer(i: int) -> tuple[int, int, np.ndarray, np.ndarray]:
        if i not in cropped:
            cropped.clear()  # one text at a time is on screen: keep only the current one
            rgb, alpha = scenes._text_layer(scene.texts[i], scene.width, scene.height)
            ys, xs = np.nonzero(alpha[:, :, 0] > 0)
            top, bottom, left, right = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
            cropped[i] = (top, left, rgb[top:bottom, left:right].copy(), alpha[top:bottom, left:right].copy())
        return cropped[i]

    with av.open(str(partial), "w") as container:
        video = container.add_stream("libx264", rate=scene.fps)
        video.width, video.height, video.pix_fmt = scene.width, scene.height, "yuv420p"
        video.options = {"preset": "veryfast", "crf": str(scene.crf), "g": str(scene.fps * 2)}
        sound = container.add_stream("aac", rate=scenes.RATE)
        sound.layout = "stereo"
        for index in range(seconds * scene.fps):
            t = index / scene.fps
            dx, dy = (index * 3) % 512, (index * 2) % 256
            frame = background[dy:dy + scene.height, dx:dx + scene.width].copy()
            for i, text in enumerate(scene.texts):
                if text.start <= t < text.end:
                    top, left, rgb, alpha = layer(i)
                    h, w = alpha.shape[:2]
                    region = frame[top:top + h, left:left + w].astype(np.float32)
                    frame[top:top + h, left:left + w] = np.clip(region * (1 - alpha) + rgb * alpha, 0, 255)
            picture = av.VideoFrame.from_ndarray(frame, format="rgb24")
            picture.pts, picture.time_base = index, Fraction(1, scene.fps)
            for packet in video.encode(picture):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        samples = scenes._sound(scene)
        size = sound.codec_context.frame_size or 1024
        for start in range(0, samples.shape[1], size):
            chunk = np.ascontiguousarray(samples[:, start:start + size])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate, frame.pts, frame.time_base = scenes.RATE, start, Fraction(1, scenes.RATE)
            for packet in sound.encode(frame):
                container.mux(packet)
        for packet in sound.encode():
            container.mux(packet)
    partial.rename(path)
    return path


def speed(path: Path, rounds: int) -> None:
    from guangying.inspection.engine import inspect

    rules = rules_for(HUBEI)
    plain = rules.model_copy(update={"technical": [r for r in rules.technical
                                                   if r.check not in READING_CHECKS]})
    args = {"entrant": UNIT, "title": "同心路上", "declares_ai": False, "mode": "full"}
    full, without, bare, reports = [], [], [], []
    for _ in range(rounds):  # interleaved, so that a busy spell on the machine hits all three alike
        started = time.perf_counter()
        reports.append(inspect(path, rules, **args))
        full.append(time.perf_counter() - started)
        without.append(base._timed(lambda: inspect(path, plain, **args)))
        bare.append(base.bare_decode(path)[0])
    f, w, b = statistics.median(full), statistics.median(without), statistics.median(bare)
    texts = [(r.facts.get("picture") or {}).get("text") or {} for r in reports]
    calls = statistics.median([int(t.get("ocr_calls") or 0) for t in texts])
    ocr_s = statistics.median([float(t.get("ocr_s") or 0.0) for t in texts])
    captions = len(texts[-1].get("captions") or [])
    peak = max([float(r.facts.get("peak_rss_mb") or 0) for r in reports] + [base.child_peak_rss_mb()])
    lines = {line.check: line for line in reports[-1].lines}
    size_mb = path.stat().st_size / 1024**2
    ratio = f / b
    print(f"file: {path.name} ({size_mb:.0f} MB, 1920×1080, 25 fps, 180 s, H.264/AAC, "
          f"{len(sample_scene().texts) - 1} subtitle lines, one every 3 s, credits at the end)")
    print(f"rounds: {rounds} (medians)")
    print(f"full inspection with reading   {f:8.2f} s")
    print(f"  … without the reading rules  {w:8.2f} s   (reference: the same pass, nothing read; "
          f"reading adds {f - w:+.2f} s)")
    print(f"bare decode (PyAV defaults)    {b:8.2f} s   (reference: every frame, same file, same run)")
    verdict = "moonshot met" if ratio <= MOONSHOT_RATIO else "met" if ratio <= TARGET_RATIO else "NOT met"
    print(f"ratio full / bare              {ratio:8.2f} ×   target ≤ {TARGET_RATIO} ×, moonshot ≤ "
          f"{MOONSHOT_RATIO} ×   {verdict}")
    print(f"OCR                            {calls:8.0f} calls, {ocr_s:.2f} s of OCR "
          f"({captions} subtitle states found)")
    print(f"peak RSS of the checker        {peak:8.0f} MB  target < {TARGET_RSS_MB} MB   "
          f"{'met' if peak < TARGET_RSS_MB else 'NOT met'}")
    for check in ("subtitles", "subtitles.script", "end_credits", "watermark"):
        if check in lines:
            print(f"  {check:18} {lines[check].outcome.value:7} {lines[check].actual[:80]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=["accuracy", "speed"], default=None)
    parser.add_argument("--cases", default=None, help="accuracy: only the cases whose name contains this")
    parser.add_argument("--jobs", type=int, default=1, help="accuracy: cases checked at the same time")
    parser.add_argument("--verbose", action="store_true", help="accuracy: every verdict, not only the wrong")
    args = parser.parse_args()
    if args.only in (None, "accuracy"):
        print("== accuracy: the labelled corpus through the real engine", flush=True)
        accuracy(args.cases, args.verbose, args.jobs)
    if args.only in (None, "speed"):
        print("== speed: reading a 3-minute 1080p file with a subtitle on every line", flush=True)
        if not SAMPLE.exists():
            print(f"making {SAMPLE} (once) …", flush=True)
            started = time.perf_counter()
            make_sample(SAMPLE)
            print(f"made in {time.perf_counter() - started:.0f} s", flush=True)
        speed(SAMPLE, args.rounds)


if __name__ == "__main__":
    main()

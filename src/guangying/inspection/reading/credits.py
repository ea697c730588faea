"""End credits: the last part of the programme read for the submitting unit's name.

The reader does not know the unit (the judge does), so it reads what text the
last `window_s` seconds carry: about one picture a second, two for credits
that scroll fast, none that look like the last one read, and never more than
MAX_READS, so a 20-second window costs a few seconds of OCR beside the decode.
Where the duration is known the pictures are read as the decoder reaches the
window; a rolling buffer of the last window's pictures covers a file whose
duration is unknown or wrong (sound longer than the picture).
"""

from __future__ import annotations

import itertools
import logging
from collections import deque
from concurrent.futures import Future
from typing import Any

import numpy as np

from ..report import Evidence
from . import names
from .findings import ReadFrame, TextFindings, TextLine, Verdict
from .look import Look, downscaled, jpeg, thumbnail

log = logging.getLogger(__name__)

READ_MAX_SIDE = 960  # the OCR would scale a larger picture down to this anyway
MAX_READS = 20
STEP_S = 1.0
FAST_STEP_S = 0.5
STEPS_ON_SCREEN = 4  # a scrolling line should be read at least this often while it crosses
SAME_DIFF = 2.0  # mean grey difference of the 64-pixel thumbnails under which a picture is unchanged
KEPT_JPEGS = 3
EMPTY_MAX_LUMA = 40  # a black picture brighter than this somewhere may still carry a line of text
# Words of a credit that names who made or sent the programme: their frames are the useful evidence.
CREDIT_WORDS = ("出品", "制作", "报送", "单位", "联合", "监制", "摄制", "委", "部", "局", "中心", "台")


def _same(a: np.ndarray | None, b: np.ndarray) -> bool:
    return a is not None and a.shape == b.shape and float(np.abs(a - b).mean()) < SAME_DIFF


def _empty(look: Look) -> bool:
    return look.is_black and int(look.small.max()) <= EMPTY_MAX_LUMA


def _scaled(lines: list[TextLine], factor: float) -> list[TextLine]:
    if factor == 1.0:
        return lines
    return [TextLine(line.text, line.score, tuple(round(v * factor) for v in line.box))  # type: ignore[arg-type]
            for line in lines]


def frame_text(frame: ReadFrame) -> str:
    """The frame's lines in reading order: rows top to bottom (a row is lines whose middles share a
    height), each row left to right, rows on lines of their own."""
    rows: list[list[TextLine]] = []
    for line in sorted(frame.lines, key=lambda item: item.box[1] + item.box[3] / 2):
        middle = line.box[1] + line.box[3] / 2
        if rows:
            last = rows[-1][0]
            if abs(middle - (last.box[1] + last.box[3] / 2)) < max(4, 0.5 * min(line.box[3], last.box[3])):
                rows[-1].append(line)
                continue
        rows.append([line])
    return "\n".join(" ".join(item.text for item in sorted(row, key=lambda item: item.box[0]))
                     for row in rows)


class CreditsReader:
    def __init__(self, context: Any, window_s: float) -> None:
        self.context = context
        self.window_s = float(window_s)
        duration = getattr(context, "duration_s", None)
        self.from_s: float | None = max(0.0, duration - self.window_s) if duration else None
        self.step = max(STEP_S, self.window_s / (MAX_READS - 4))  # 1.25 s for 20 s: 16 reads, 4 spare
        self.reads: list[tuple[float, Future]] = []
        self.pictures: dict[float, np.ndarray] = {}  # what each read saw, for the evidence
        self.last_read_t: float | None = None
        self.last_thumb: np.ndarray | None = None
        self.buffer: deque[tuple[float, np.ndarray, float, np.ndarray]] = deque()
        self.buffer_t: float | None = None
        self.last_t: float | None = None
        self.checked = 0  # reads whose lines were compared for scrolling

    # ---- during the pass

    def look(self, look: Look) -> None:
        self.last_t = look.t
        if _empty(look):
            return
        self._keep(look)
        if self.from_s is None or look.t < self.from_s or len(self.reads) >= MAX_READS:
            return
        self._adapt()
        if self.last_read_t is not None and look.t - self.last_read_t < self.step:
            return
        thumb = thumbnail(look.small)
        if _same(self.last_thumb, thumb):
            return
        picture, factor = downscaled(look.luma, READ_MAX_SIDE)
        self._submit(look.t, picture, factor, thumb)

    def _keep(self, look: Look) -> None:
        """The rolling buffer: the last window's candidate pictures, in case the duration misled."""
        if self.buffer_t is not None and look.t - self.buffer_t < FAST_STEP_S:
            return
        self.buffer_t = look.t
        picture, factor = downscaled(look.luma, READ_MAX_SIDE)
        self.buffer.append((look.t, picture, factor, thumbnail(look.small)))
        while self.buffer and self.buffer[0][0] < look.t - self.window_s:
            self.buffer.popleft()

    def _submit(self, t: float, picture: np.ndarray, factor: float, thumb: np.ndarray) -> None:
        self.last_read_t, self.last_thumb = t, thumb
        self.pictures[round(t, 2)] = picture
        self.reads.append((t, self.context.submit(self._read, picture, factor)))

    def _read(self, picture: np.ndarray, factor: float) -> list[TextLine]:
        return _scaled(self.context.ocr.read(picture), factor)

    def _adapt(self) -> None:
        """Credits that scroll fast get two reads a second: a line must be read while it crosses."""
        done = [(t, f) for t, f in self.reads if f.done() and f.exception() is None]
        if len(done) < 2 or self.checked >= len(done) or self.step <= FAST_STEP_S:
            return
        self.checked = len(done)
        (t0, f0), (t1, f1) = done[-2], done[-1]
        tops = {line.text: line.box[1] for line in f0.result()}
        shifts = [tops[line.text] - line.box[1] for line in f1.result() if line.text in tops]
        if not shifts or t1 <= t0:
            return
        speed = float(np.median(shifts)) / (t1 - t0)  # pixels a second, upwards
        height = getattr(self.context, "height", 0) or 1
        if speed > 0 and height / speed < STEPS_ON_SCREEN * self.step:
            self.step = FAST_STEP_S

    # ---- at the end

    def finish(self, findings: TextFindings) -> None:
        end = self.last_t
        if not self.reads and self.buffer:
            # The pass never reached the window the duration promised: read the last pictures seen.
            self.from_s = max(0.0, (end or 0.0) - self.window_s)
            chosen = [item for item in self.buffer if item[0] >= self.from_s]
            stride = max(1, round(self.step / FAST_STEP_S))
            chosen = chosen[::stride]
            for t, picture, factor, thumb in chosen:
                if len(self.reads) >= MAX_READS:
                    break
                if not _same(self.last_thumb, thumb):
                    self._submit(t, picture, factor, thumb)
        self.buffer.clear()
        frames: list[ReadFrame] = []
        for t, future in self.reads:
            try:
                lines = future.result()
            except Exception as error:  # one failed read: say so, keep the others
                log.exception("credits read at %.1f s failed", t)
                self.context.problems.append(f"CreditsReader: {type(error).__name__}: {error}"[:200])
                continue
            frames.append(ReadFrame(time_s=round(t, 2), lines=lines))
        if getattr(self.context, "evidence", True):
            for frame in _useful(frames):
                picture = self.pictures.get(frame.time_s)
                if picture is not None:
                    frame.jpeg_base64 = jpeg(picture)
        self.pictures.clear()
        findings.credits = frames
        if self.from_s is None and end is not None:
            self.from_s = max(0.0, end - self.window_s)
        findings.credits_from_s = None if self.from_s is None else round(self.from_s, 2)


def _useful(frames: list[ReadFrame]) -> list[ReadFrame]:
    """The frames worth a picture in the report: those that name who made the programme, then the
    ones with the most text."""
    def weight(frame: ReadFrame) -> tuple[int, int]:
        text = "".join(line.text for line in frame.lines)
        return sum(word in text for word in CREDIT_WORDS), len(text)

    ranked = sorted((f for f in frames if f.lines), key=weight, reverse=True)
    return ranked[:KEPT_JPEGS]


# ---- judging

ON_PROBLEM = {"hard": "fail", "warn": "warn", "review": "review"}
MAX_SHOWN = 160  # characters of found text quoted in a message


def _texts(frames: list[ReadFrame]) -> list[tuple[ReadFrame, str]]:
    """Each frame's text, and each frame's joined with the next: a name split over two lines or
    scrolled across two reads is still one string."""
    texts = [(frame, frame_text(frame)) for frame in frames]
    out = list(texts)
    for (frame, text), (_nxt, following) in itertools.pairwise(texts):
        if text and following:
            out.append((frame, text + "\n" + following))
    return out


def _found_text(frames: list[ReadFrame]) -> str:
    seen: list[str] = []
    for frame in frames:
        for line in frame.lines:
            if line.text not in seen:
                seen.append(line.text)
    quoted = " / ".join(seen)
    return quoted if len(quoted) <= MAX_SHOWN else quoted[:MAX_SHOWN] + "…"


def _evidence(frame: ReadFrame, note: str, note_en: str, frames: list[ReadFrame]) -> Evidence:
    picture = frame.jpeg_base64
    if picture is None:  # the nearest kept picture, if it is close
        near = [f for f in frames if f.jpeg_base64 and abs(f.time_s - frame.time_s) <= 1.5]
        picture = min(near, key=lambda f: abs(f.time_s - frame.time_s)).jpeg_base64 if near else None
    return Evidence(time_s=frame.time_s, note=note, note_en=note_en, jpeg_base64=picture)


def judge_end_credits(rule: Any, text: TextFindings | None, entrant: str | None) -> list[Verdict]:
    """The rule's lines; an empty list leaves the rule to a person (text not read)."""
    if not getattr(rule, "must_name_entrant", False):
        return [Verdict("pass", "不要求", "not required", "本活动不要求片尾标注报送单位。",
                        "This campaign does not ask for the unit in the credits.")]
    if text is None or text.credits_from_s is None:
        return []
    window = float(rule.window_s)
    params = {"window_s": window, "credits_from_s": text.credits_from_s, "frames_read": len(text.credits)}
    problems = [p for p in text.problems if p.startswith("CreditsReader")]
    frames = text.credits
    found = _found_text(frames)
    span = f"最后 {window:g} 秒（{text.credits_from_s:.1f} 秒起）"
    span_en = f"the last {window:g} s (from {text.credits_from_s:.1f} s)"
    if not entrant or not names.name_core(entrant):
        return [Verdict("review", f"片尾文字：{found}" if found else "片尾未识别到文字",
                        f"credits read: {found}" if found else "no text read in the credits",
                        "未提供报送单位名称，无法核对片尾，请人工核对。",
                        "No unit name was given, so the credits cannot be compared; please check them.",
                        evidence=[_evidence(f, "片尾", "credits", frames) for f in frames if f.jpeg_base64],
                        params=params)]
    for frame, joined in _texts(frames):
        match = names.find_name(entrant, joined)
        if match:
            note = f"{frame.time_s:.1f} 秒：{match.found}"
            note_en = f"at {frame.time_s:.1f} s: {match.found}"
            return [Verdict("pass", f"片尾 {frame.time_s:.1f} 秒处有「{match.found}」",
                            f"“{match.found}” in the credits at {frame.time_s:.1f} s",
                            evidence=[_evidence(frame, note, note_en, frames)],
                            params={**params, "matched": match.found, "errors": match.errors,
                                    "time_s": frame.time_s})]
    if problems:
        return [Verdict("review", "片尾读取不完整", "the credits could not be read in full",
                        f"读取片尾时出错，未能确认是否标注「{entrant}」，请人工核对。",
                        f"Reading the credits failed, so “{entrant}” could not be confirmed; please check.",
                        params={**params, "problems": problems[:3]})]
    outcome = ON_PROBLEM.get(rule.severity, "fail")
    evidence = [_evidence(f, "片尾文字", "credits text", frames) for f in frames if f.jpeg_base64]
    if not found:
        return [Verdict(outcome, f"{span}未识别到文字", f"no text read in {span_en}",
                        f"片尾应标注报送单位「{entrant}」，{span}未识别到任何文字。",
                        f"The credits should name “{entrant}”; no text was read in {span_en}.",
                        evidence=evidence, params=params)]
    near = None
    for _frame, joined in _texts(frames):
        near = names.similar_name(entrant, joined)
        if near:
            break
    if near:
        return [Verdict(outcome, f"片尾为「{near.found}」，与报送单位不一致",
                        f"the credits name “{near.found}”, not the unit",
                        f"片尾标注的「{near.found}」与报送单位「{entrant}」不一致，请核对单位名称。",
                        f"The credits name “{near.found}”, which is not “{entrant}”; check the unit's name.",
                        evidence=evidence, params={**params, "similar": near.found})]
    return [Verdict(outcome, f"片尾未见「{entrant}」", f"“{entrant}” not in the credits",
                    f"片尾应标注报送单位「{entrant}」；{span}识别到的文字：{found}",
                    f"The credits should name “{entrant}”; text read in {span_en}: {found}",
                    evidence=evidence, params={**params, "found": found})]

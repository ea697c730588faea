"""End credits: the last part of the programme read for the submitting unit's name.

The decode pass keeps the pictures of the last `window_s` seconds (two a
second, scaled down to what the OCR reads anyway, black ones left out),
from a little before the window that the shortest declared duration gives:
the picture may stop before the sound (a container duration too long), and
the window is then taken from the last picture seen. When the pass ends they
are read from the end backwards, about one every 1.25 s and none that looks
like the last one read: credits close the programme, so the unit's name,
where the reader was told it, is usually found in the first reads, and
reading stops there. A window without it is read whole, and where two reads
show the credits scrolling faster than the reads follow them, the pictures
between are read too; never more than MAX_READS in all, so a 20-second
window costs a few seconds of OCR at most.
"""

from __future__ import annotations

import itertools
import logging
from collections import deque
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
WINDOW_MARGIN_S = 5.0  # pictures are kept from this long before the window the file declares
MAX_KEPT = 48  # pictures of the window kept at most: a long window keeps them further apart
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


class _Kept:
    """One picture of the window: what the OCR will read, and how to tell it from its neighbours."""

    __slots__ = ("factor", "picture", "t", "thumb")

    def __init__(self, t: float, picture: np.ndarray, factor: float, thumb: np.ndarray) -> None:
        self.t, self.picture, self.factor, self.thumb = t, picture, factor, thumb


class CreditsReader:
    def __init__(self, context: Any, window_s: float, entrant: str | None = None) -> None:
        self.context = context
        self.window_s = float(window_s)
        self.entrant = entrant if entrant and names.name_core(entrant) else None
        self.step = max(STEP_S, self.window_s / (MAX_READS - 4))  # 1.25 s for 20 s: 16 reads, 4 spare
        self.keep_step = max(FAST_STEP_S, self.window_s / MAX_KEPT)
        self.kept: deque[_Kept] = deque()
        self.kept_t: float | None = None
        self.last_t: float | None = None
        self.from_s: float | None = None

    # ---- during the pass: the window's pictures, nothing read yet

    def look(self, look: Look) -> None:
        self.last_t = look.t
        if _empty(look):
            return
        if self.kept_t is not None and look.t - self.kept_t < self.keep_step * 0.9:
            return
        self.kept_t = look.t
        shortest = getattr(self.context, "shortest_duration_s", None)
        if shortest and look.t < shortest - self.window_s - WINDOW_MARGIN_S:
            return  # the window cannot start before this: not worth the copy
        picture, factor = downscaled(look.luma, READ_MAX_SIDE)
        self.kept.append(_Kept(look.t, picture, factor, thumbnail(look.small)))
        while self.kept and self.kept[0].t < look.t - self.window_s:
            self.kept.popleft()

    # ---- at the end: read from the end backwards, until the unit is found

    def _read(self, picture: np.ndarray, factor: float) -> list[TextLine]:
        return _scaled(self.context.ocr.read(picture), factor)

    def finish(self, findings: TextFindings) -> None:
        end = self.last_t
        duration = getattr(self.context, "duration_s", None)
        if end is not None and duration and end <= duration <= end + 1.0:
            end = duration  # the last analysed picture may come a moment before the end
        self.from_s = max(0.0, end - self.window_s) if end is not None else None
        kept = [k for k in self.kept if self.from_s is not None and k.t >= self.from_s]
        self.kept.clear()
        read: dict[float, tuple[_Kept, list[TextLine]]] = {}
        failed = False

        def read_one(item: _Kept) -> bool:
            """Reads one picture; True once the unit's name is found (in it or with its neighbours)."""
            nonlocal failed
            try:
                lines = self.context.submit(self._read, item.picture, item.factor).result()
            except Exception as error:  # one failed read: say so, keep the others
                log.exception("credits read at %.1f s failed", item.t)
                self.context.problems.append(f"CreditsReader: {type(error).__name__}: {error}"[:200])
                failed = True
                return False
            read[item.t] = (item, lines)
            return self._found(read, item.t)

        # One picture every `step` seconds, from the last backwards, skipping unchanged ones.
        chosen: list[_Kept] = []
        for item in reversed(kept):
            if chosen and (chosen[-1].t - item.t < self.step * 0.95 or _same(chosen[-1].thumb, item.thumb)):
                continue
            chosen.append(item)
        found = False
        for item in chosen[:MAX_READS]:
            if read_one(item):
                found = True
                break
        if not found and not failed and self._scrolls_fast(read):
            between = [k for k in kept if k.t not in read]
            for item in reversed(between):
                if len(read) >= MAX_READS:
                    break
                if read_one(item):
                    break

        frames = [ReadFrame(time_s=round(t, 2), lines=lines) for t, (_k, lines) in sorted(read.items())]
        if getattr(self.context, "evidence", True):
            pictures = {round(t, 2): item.picture for t, (item, _lines) in read.items()}
            for frame in _useful(frames):
                picture = pictures.get(frame.time_s)
                if picture is not None:
                    frame.jpeg_base64 = jpeg(picture)
        findings.credits = frames
        findings.credits_from_s = None if self.from_s is None else round(self.from_s, 2)

    def _found(self, read: dict[float, tuple[_Kept, list[TextLine]]], t: float) -> bool:
        if self.entrant is None:
            return False
        times = sorted(read)
        i = times.index(t)
        frames = [ReadFrame(time_s=u, lines=read[u][1]) for u in times[max(0, i - 1):i + 2]]
        return any(names.find_name(self.entrant, joined) for _frame, joined in _texts(frames))

    def _scrolls_fast(self, read: dict[float, tuple[_Kept, list[TextLine]]]) -> bool:
        """Whether lines move up between neighbouring reads faster than `STEPS_ON_SCREEN` reads follow."""
        height = getattr(self.context, "height", 0) or 1
        times = sorted(read)
        for t0, t1 in itertools.pairwise(times):
            tops = {line.text: line.box[1] for line in read[t0][1]}
            shifts = [tops[line.text] - line.box[1] for line in read[t1][1] if line.text in tops]
            if not shifts:
                continue
            speed = float(np.median(shifts)) / (t1 - t0)  # pixels a second, upwards
            if speed > 0 and height / speed < STEPS_ON_SCREEN * self.step:
                return True
        return False


def _useful(frames: list[ReadFrame]) -> list[ReadFrame]:
    """The frames worth a picture in the report: those that name who made the programme, then the
    ones with the most text."""
    def weight(frame: ReadFrame) -> tuple[int, int]:
        text = "".join(line.text for line in frame.lines)
        return sum(word in text for word in CREDIT_WORDS), len(text)

    ranked = sorted((f for f in frames if f.lines), key=weight, reverse=True)
    return ranked[:KEPT_JPEGS]


# ---- judging

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
    outcome = "fail"  # the Judge makes of it what the rule's severity says
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

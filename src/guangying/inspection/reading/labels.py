"""AI-content labels: the explicit label on screen at the opening, and the implicit AIGC metadata.

《人工智能生成合成内容标识办法》 (in force 2025-09-01) and GB 45438-2025 ask for two
labels on AI-generated video. The explicit one is visible text at the start:
an AI element (「人工智能」 or 「AI」) and a generation element (「生成」 or
「合成」), on screen at least 2 s, its characters at least 5% of the picture's
shorter side high. The implicit one is a metadata field `AIGC` whose value is
a JSON object of seven fields (Label, ContentProducer, ProduceID,
ReservedCode1, ContentPropagator, PropagateID, ReservedCode2), Label "1" for
content that is AI-generated or synthesised, "2" possibly, "3" suspected;
exactly one per file.

The opening is read every 1.5 s (never twice for an unchanged picture): a
label that stays the 2 s it must is always seen by a read. Pictures are kept
twice a second; where a read saw the label and the next did not (or the
other way round), the kept pictures between them are checked with the cheap
one-line recogniser on the label's box, which measures how long it stays. A label
line's box is tightened to the characters' ink, so its height is the height
of the characters, not of the detector's padded box.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import unicodedata
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from ..report import Evidence
from .findings import Box, ReadFrame, TextFindings, TextLine, Verdict
from .look import Look, crop, downscaled, jpeg, thumbnail

log = logging.getLogger(__name__)

AIGC_FIELDS = ("Label", "ContentProducer", "ProduceID", "ReservedCode1", "ContentPropagator",
               "PropagateID", "ReservedCode2")
LABEL_MEANINGS = {
    "1": ("属于人工智能生成合成内容", "AI-generated or synthesised content"),
    "2": ("可能为人工智能生成合成内容", "possibly AI-generated or synthesised content"),
    "3": ("疑似为人工智能生成合成内容", "suspected AI-generated or synthesised content"),
}

MIN_HEIGHT = 0.05  # of the picture's shorter side
MIN_SECONDS = 2.0
# The ink of a CJK character fills about this share of its font size (its em): a label's text
# height is its font size, estimated from the ink the picture shows.
INK_SHARE = 0.92
# Measurement is not exact (outlines, blur, scaling): this close under a limit is for a person.
HEIGHT_MARGIN = 0.8
SECONDS_MARGIN = 0.25

READ_MAX_SIDE = 960
# A label the rule accepts is 5 % of the shorter side high: 13 px of a 480-px-wide landscape picture,
# which the detector finds well; the lines are then recognised in the 960-px picture. Labels well under
# the limit, down to about 2.5 %, are still found, to be reported as too small.
DET_MAX_SIDE = 480
READ_STEP_S = 1.5  # a label that stays the 2 s it must is always seen by one read
TRACK_STEP_S = 0.5
SAME_DIFF = 2.0
EMPTY_MAX_LUMA = 40
MAX_READS = 10
INK_GRADIENT = 48  # a jump in luma between neighbours that marks a character's edge

_AI = re.compile(r"(?<![A-Z])AI")


# ---- the explicit label's words

def _norm(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).upper() if not ch.isspace())


def is_label(text: str) -> bool:
    """「人工智能」 or 「AI」 (full-width too), and 「生成」 or 「合成」."""
    t = _norm(text)
    return ("人工智能" in t or bool(_AI.search(t))) and ("生成" in t or "合成" in t)


def _mentions_ai(text: str) -> bool:
    return bool(re.search(r"人工智|工智能|(?<![A-Z])AI", _norm(text)))


def looks_like_label(text: str) -> bool:
    """Half a label: OCR may have lost the other half, so this is for a person, never a pass."""
    t = _norm(text)
    return bool(re.search(r"人工智|工智能|(?<![A-Z])AI(?![A-Z])|AIGC|生成|合成", t))


def label_lines(frame: ReadFrame) -> list[list[TextLine]]:
    """The label texts in a frame: a line, or two lines one under the other ("本视频由" / "AI生成")."""
    lines = sorted(frame.lines, key=lambda item: (item.box[1], item.box[0]))
    found = [[line] for line in lines if is_label(line.text)]
    used = {id(line) for group in found for line in group}
    for a, b in itertools.pairwise(lines):
        if id(a) in used or id(b) in used:
            continue
        gap = b.box[1] - (a.box[1] + a.box[3])
        if gap <= 1.5 * max(a.box[3], b.box[3]) and is_label(a.text + b.text):
            found.append([a, b])
            used |= {id(a), id(b)}
    return found


def _ink(picture: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, int] | None:
    """Top and height of the characters' ink inside a detector's box (which is padded)."""
    left, top, width, height = box
    region = crop(picture, (left, top - height // 4, width, height + height // 2)).astype(np.int16)
    if region.shape[0] < 4 or region.shape[1] < 4:
        return None
    edges = np.abs(np.diff(region, axis=1)) > INK_GRADIENT
    rows = edges.sum(axis=1).astype(np.float64)
    if rows.max() <= 0:
        return None
    on = np.nonzero(rows >= 0.2 * rows.max())[0]
    y0 = max(0, top - height // 4)
    return y0 + int(on[0]), int(on[-1] - on[0] + 1)


# ---- reading the opening

class OpeningReader:
    def __init__(self, context: Any, opening_s: float) -> None:
        self.context = context
        self.opening_s = float(opening_s)
        self.reads: list[tuple[float, Future]] = []
        self.last_read_t: float | None = None
        self.last_thumb: np.ndarray | None = None
        self.unchanged: list[float] = []  # times an unchanged picture stood for the last read
        # Pictures twice a second: once a label is found, those between a read that saw it and one
        # that did not tell, with the cheap one-line recogniser, when it came and went.
        self.kept: dict[float, np.ndarray] = {}
        self.kept_t: float | None = None
        self.factor = 1.0
        self.started: float | None = None

    def look(self, look: Look) -> None:
        if self.started is None:
            self.started = look.t
        if look.t - self.started >= self.opening_s:
            return
        if look.is_black and int(look.small.max()) <= EMPTY_MAX_LUMA:
            return
        due_read = self.last_read_t is None or look.t - self.last_read_t >= READ_STEP_S - 0.05
        due_keep = self.kept_t is None or look.t - self.kept_t >= TRACK_STEP_S - 0.05
        if not (due_read or due_keep):
            return
        picture, self.factor = downscaled(look.luma, READ_MAX_SIDE)
        t = round(look.t, 2)
        if due_keep:
            self.kept_t = look.t
            self.kept[t] = picture
        if not due_read or len(self.reads) >= MAX_READS:
            return
        self.last_read_t = look.t
        thumb = thumbnail(look.small)
        if self.last_thumb is not None and self.last_thumb.shape == thumb.shape \
                and float(np.abs(self.last_thumb - thumb).mean()) < SAME_DIFF:
            self.unchanged.append(t)  # the picture, and so its text, has not changed
            return
        self.last_thumb = thumb
        self.kept[t] = picture
        self.reads.append((t, self.context.submit(self._read, picture, self.factor)))

    def _read(self, picture: np.ndarray, factor: float) -> list[TextLine]:
        lines = self.context.ocr.read(picture, det_max_side=DET_MAX_SIDE)
        out = []
        for line in lines:
            box = line.box
            if looks_like_label(line.text):
                ink = _ink(picture, box)
                if ink is not None:
                    box = (box[0], ink[0], box[2], ink[1])
            out.append(TextLine(line.text, line.score, tuple(round(v * factor) for v in box)))  # type: ignore[arg-type]
        return out

    def _read_line(self, picture: np.ndarray, box: Box) -> list[TextLine]:
        """The label's box alone, in a kept picture: is the label still there?"""
        scaled = tuple(round(v / self.factor) for v in box)
        line = np.ascontiguousarray(crop(picture, scaled, max(2, scaled[3] // 3)))  # type: ignore[arg-type]
        if line.shape[0] > 48:
            width = max(1, round(line.shape[1] * 48 / line.shape[0]))
            line = cv2.resize(line, (width, 48), interpolation=cv2.INTER_AREA)
        found = self.context.ocr.read_line(line)
        return [TextLine(found.text, found.score, box)] if found else []

    def finish(self, findings: TextFindings) -> None:
        frames: list[ReadFrame] = []
        for t, future in self.reads:
            try:
                frames.append(ReadFrame(time_s=t, lines=future.result()))
            except Exception as error:
                log.exception("opening read at %.1f s failed", t)
                self.context.problems.append(f"OpeningReader: {type(error).__name__}: {error}"[:200])
        read_times = {f.time_s for f in frames}
        for t in self.unchanged:
            before = [f for f in frames if f.time_s <= t and f.time_s in read_times]
            if before:
                frames.append(ReadFrame(time_s=t, lines=list(before[-1].lines)))
        frames.sort(key=lambda f: f.time_s)
        frames += self._edges(frames)
        frames.sort(key=lambda f: f.time_s)
        if getattr(self.context, "evidence", True):
            full = [f for f in frames if f.time_s in read_times]
            first = [f for f in full if label_lines(f)][:1] or [f for f in full if f.lines][:1] or full[:1]
            for frame in first:
                frame.jpeg_base64 = jpeg(self.kept[frame.time_s])
        self.kept.clear()
        findings.opening = frames

    def _edges(self, frames: list[ReadFrame]) -> list[ReadFrame]:
        """Where a label came or went between two reads, the kept pictures between them are checked."""
        groups = [line for f in frames for g in label_lines(f) for line in g if is_label(line.text)]
        if not groups:
            return []
        box = max(groups, key=lambda line: line.box[2] * line.box[3]).box
        present = [bool(label_lines(f)) for f in frames]
        between: list[float] = []
        for (a, seen_a), (b, seen_b) in itertools.pairwise(zip(frames, present, strict=True)):
            if seen_a != seen_b:
                between += [t for t in self.kept if a.time_s < t < b.time_s]
        if frames and present[-1]:  # seen at the last read: kept pictures after it tell how long
            between += [t for t in self.kept if t > frames[-1].time_s]
        jobs = [(t, self.context.submit(self._read_line, self.kept[t], box)) for t in sorted(between)]
        out = []
        for t, future in jobs:
            try:
                out.append(ReadFrame(time_s=t, lines=future.result()))
            except Exception as error:
                self.context.problems.append(f"OpeningReader: {type(error).__name__}: {error}"[:200])
        return out


# ---- the implicit label


@dataclass
class ImplicitLabel:
    raw: str
    fields: dict[str, Any] | None = None
    label: str | None = None
    problems: list[str] = field(default_factory=list)  # Chinese
    problems_en: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


def parse_aigc(raw: str) -> ImplicitLabel:
    """One AIGC value as GB 45438-2025 writes it: a JSON object with the seven fields."""
    out = ImplicitLabel(raw=raw)
    try:
        data = json.loads(raw)
    except (ValueError, TypeError):
        out.problems.append("不是 JSON")
        out.problems_en.append("not JSON")
        return out
    if not isinstance(data, dict):
        out.problems.append("不是 JSON 对象")
        out.problems_en.append("not a JSON object")
        return out
    out.fields = data
    missing = [name for name in AIGC_FIELDS if name not in data]
    if missing:
        out.problems.append("缺少字段 " + "、".join(missing))
        out.problems_en.append("missing " + ", ".join(missing))
    label = data.get("Label")
    if isinstance(label, int) and not isinstance(label, bool):
        label = str(label)
    if "Label" in data:
        if isinstance(label, str) and label.strip() in LABEL_MEANINGS:
            out.label = label.strip()
        else:
            out.problems.append(f"Label 值「{str(data.get('Label'))[:20]}」无效（应为 1、2 或 3）")
            out.problems_en.append(f"Label “{str(data.get('Label'))[:20]}” is not 1, 2 or 3")
    wrong = [name for name in AIGC_FIELDS if name in data and name != "Label"
             and not isinstance(data[name], str)]
    if wrong:
        out.problems.append("字段不是文字：" + "、".join(wrong))
        out.problems_en.append("not text: " + ", ".join(wrong))
    return out


@dataclass
class ImplicitFinding:
    labels: list[ImplicitLabel]

    @property
    def present(self) -> bool:
        return bool(self.labels)

    @property
    def duplicated(self) -> bool:
        return len(self.labels) > 1

    @property
    def says_ai(self) -> bool:
        """Some label calls the content AI-generated, possibly or suspected so."""
        return any(label.label in LABEL_MEANINGS for label in self.labels)

    @property
    def valid(self) -> bool:
        return len(self.labels) == 1 and self.labels[0].valid


def implicit_labels(media: Any) -> ImplicitFinding:
    return ImplicitFinding([parse_aigc(value) for value in (getattr(media, "aigc_labels", None) or [])])


def _implicit_words(found: ImplicitFinding) -> tuple[str, str]:
    if not found.present:
        return "元数据中没有 AIGC 隐式标识", "no AIGC label in the metadata"
    if found.duplicated:
        return (f"元数据中有 {len(found.labels)} 个 AIGC 隐式标识（应只有一个）",
                f"{len(found.labels)} AIGC labels in the metadata (one is allowed)")
    label = found.labels[0]
    if not label.valid:
        return ("AIGC 隐式标识格式不符：" + "；".join(label.problems),
                "malformed AIGC label: " + "; ".join(label.problems_en))
    zh, en = LABEL_MEANINGS[label.label or "1"]
    return f"AIGC 隐式标识 Label={label.label}（{zh}）", f"AIGC label Label={label.label} ({en})"


# ---- the explicit label, judged from the frames


@dataclass
class ExplicitFinding:
    read: bool  # the opening was read at all
    text: str = ""
    time_s: float | None = None
    seconds: float = 0.0
    seconds_upper: float = 0.0
    height: float = 0.0  # font size as a share of the shorter side
    where: str = ""
    uncertain: str = ""  # half a label was read
    frame: ReadFrame | None = None
    frames_read: int = 0

    @property
    def found(self) -> bool:
        return bool(self.text)


def explicit_label(text: TextFindings | None) -> ExplicitFinding:
    if text is None or not text.opening:
        return ExplicitFinding(read=False)
    frames = sorted(text.opening, key=lambda f: f.time_s)
    short = max(1, min(text.width, text.height))
    present = [bool(label_lines(f)) for f in frames]
    out = ExplicitFinding(read=True, frames_read=len(frames))
    if not any(present):
        half = next((line.text for f in frames for line in f.lines if looks_like_label(line.text)), "")
        out.uncertain = half
        return out
    # The longest run of reads that see a label: its length, bounded by the reads around it.
    best: tuple[float, float, int, int] | None = None
    i = 0
    while i < len(frames):
        if not present[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(frames) and present[j + 1]:
            j += 1
        lower = frames[j].time_s - frames[i].time_s
        before = frames[i - 1].time_s if i > 0 else frames[i].time_s
        after = frames[j + 1].time_s if j + 1 < len(frames) else None
        if after is None:  # still on screen when the opening's reading ended
            after = frames[j].time_s + TRACK_STEP_S
        upper = after - before
        if best is None or lower + upper > best[0] + best[1]:
            best = (lower, upper, i, j)
        i = j + 1
    assert best is not None
    lower, upper, i, j = best
    out.seconds, out.seconds_upper = round((lower + upper) / 2, 2), round(upper, 2)
    run = frames[i:j + 1]
    groups = [(f, g) for f in run for g in label_lines(f)]
    heights = [min(line.box[3] for line in g) for _f, g in groups]
    height_px = float(np.median(heights)) if heights else 0.0
    out.height = round(height_px / INK_SHARE / short, 4)
    frame, group = next(((f, g) for f, g in groups if f.jpeg_base64), groups[0])
    out.frame = frame
    out.time_s = frames[i].time_s
    out.text = "".join(line.text for line in group)
    middle = group[0].box[1] + group[0].box[3] / 2
    out.where = "top" if middle < text.height / 3 else "bottom" if middle > text.height * 2 / 3 else "middle"
    return out


WHERE = {"top": ("上方", "at the top"), "bottom": ("下方", "at the bottom"),
         "middle": ("中部", "in the middle")}
# What the report says, Chinese and English.
SAY = {
    "duplicated": ("文件中只能有一个 AIGC 隐式标识，请在导出时只保留一个。",
                   "A file may carry one AIGC label only; keep one when exporting."),
    "malformed": ("AIGC 隐式标识应为含七个字段（Label、ContentProducer、ProduceID、ReservedCode1、"
                  "ContentPropagator、PropagateID、ReservedCode2）的 JSON，Label 为 1、2 或 3。",
                  "The AIGC label must be JSON with the seven fields of GB 45438-2025 and Label 1, 2 or 3."),
    "inform": ("作品带有 AI 生成合成内容标识，展播平台须依《人工智能生成合成内容标识办法》展示标识。",
               "The work carries an AI-content label; a platform showing it must show the label."),
    "not_allowed": ("本活动不允许使用人工智能生成合成内容。",
                    "This campaign does not allow AI-generated content."),
    "none_found": ("未发现 AI 生成合成内容标识。", "No AI-content label was found."),
    "no_implicit": ("使用人工智能生成合成内容的作品，文件元数据中须有 AIGC 隐式标识。",
                    "AI-generated work needs the AIGC label in its metadata."),
    "wait": ("显式标识需读取画面，待完整检查。",
             "The explicit label needs the picture; it waits for the full check."),
    "unreadable": ("开头画面未能可靠读取，请人工核对显式标识。",
                   "The opening could not be read reliably; check the explicit label by eye."),
    "no_explicit": ("使用人工智能生成合成内容的作品，开头画面须有含「人工智能」或「AI」"
                    "及「生成」或「合成」字样的显式标识。",
                    "AI-generated work needs an explicit label at the opening (「人工智能」 or 「AI」 with "
                    "「生成」 or 「合成」)."),
    "both_ok": ("显式标识和隐式标识均符合要求。", "Both labels meet the rule."),
    "labels_ok": ("AI 标识符合要求。", "The AI label meets the rule."),
    "undeclared_wait": ("未声明使用 AI，元数据中也没有 AIGC 标识；画面待完整检查。",
                        "No AI use declared and no AIGC label; the picture waits for the full check."),
    "undeclared": ("未声明使用 AI，也未发现 AI 生成合成内容标识。",
                   "No AI use declared and no AI-content label found."),
}


def _explicit_words(found: ExplicitFinding) -> tuple[str, str]:
    if not found.found:
        return "开头未见 AI 显式标识", "no explicit AI label at the opening"
    zh, en = WHERE.get(found.where, ("", ""))
    return (f"开头 {found.time_s:.1f} 秒起画面{zh}有「{found.text}」，字高约 {found.height:.1%}，"
            f"持续约 {found.seconds:.1f} 秒",
            f"“{found.text}” {en} from {found.time_s:.1f} s, text height about {found.height:.1%}, "
            f"on screen about {found.seconds:.1f} s")


def _explicit_fault(found: ExplicitFinding) -> tuple[str, str, str] | None:
    """What is wrong with a found label: (outcome kind, Chinese, English); kind "fail" or "review"."""
    faults: list[tuple[str, str, str]] = []
    if found.height < MIN_HEIGHT:
        kind = "review" if found.height >= MIN_HEIGHT * HEIGHT_MARGIN else "fail"
        faults.append((kind, f"字高约 {found.height:.1%}，应不低于画面短边的 {MIN_HEIGHT:.0%}",
                       f"text height about {found.height:.1%}, at least {MIN_HEIGHT:.0%} of the shorter side "
                       "is required"))
    if found.seconds < MIN_SECONDS:
        kind = "review" if found.seconds >= MIN_SECONDS - SECONDS_MARGIN else "fail"
        faults.append((kind, f"持续约 {found.seconds:.1f} 秒，应不少于 {MIN_SECONDS:g} 秒",
                       f"on screen about {found.seconds:.1f} s, at least {MIN_SECONDS:g} s is required"))
    if not faults:
        return None
    kind = "fail" if any(k == "fail" for k, _z, _e in faults) else "review"
    return kind, "；".join(z for _k, z, _e in faults), "; ".join(e for _k, _z, e in faults)


ON_PROBLEM = {"hard": "fail", "warn": "warn", "review": "review"}
WORSE = ["pass", "warn", "review", "fail"]


def judge_ai_label(rule: Any, text: TextFindings | None, media: Any, declares_ai: bool | None,
                   *, decoded: bool) -> list[Verdict]:
    """One line for the rule, both labels in it (the compliance matrix shows one cell per rule).

    An empty list leaves the rule to a person (the opening was to be read and was not).
    """
    implicit = implicit_labels(media)
    explicit = explicit_label(text) if decoded else ExplicitFinding(read=False)
    problems = [p for p in (text.problems if text is not None else []) if p.startswith("OpeningReader")]
    problem = ON_PROBLEM.get(rule.severity, "fail")
    implicit_zh, implicit_en = _implicit_words(implicit)
    explicit_zh, explicit_en = _explicit_words(explicit) if explicit.read else (
        ("显式标识待完整检查时读取画面", "the explicit label waits for the full check") if not decoded
        else ("开头画面未能读取", "the opening could not be read"))
    actual = f"{implicit_zh}；{explicit_zh}"
    actual_en = f"{implicit_en}; {explicit_en}"
    fault = _explicit_fault(explicit) if explicit.found else None
    params: dict[str, Any] = {
        "aigc_labels": [label.raw[:500] for label in implicit.labels[:3]],
        "implicit_valid": implicit.valid,
        "explicit_found": explicit.found,
        "declares_ai": declares_ai,
        "min_height": MIN_HEIGHT,
        "min_seconds": MIN_SECONDS,
    }
    if explicit.found:
        params.update(explicit_text=explicit.text, explicit_height=explicit.height,
                      explicit_seconds=explicit.seconds, explicit_time_s=explicit.time_s)
    evidence: list[Evidence] = []
    if explicit.frame is not None:
        end = round((explicit.time_s or 0) + explicit.seconds, 2)
        evidence.append(Evidence(time_s=explicit.time_s, end_s=end, note=f"显式标识「{explicit.text}」",
                                 note_en=f"explicit label “{explicit.text}”",
                                 jpeg_base64=explicit.frame.jpeg_base64))
    elif text is not None and text.opening:
        first = next((f for f in text.opening if f.jpeg_base64), None)
        if first is not None:
            evidence.append(Evidence(time_s=first.time_s, note="开头画面", note_en="the opening",
                                     jpeg_base64=first.jpeg_base64))

    def verdict(outcome: str, key: str) -> list[Verdict]:
        return [Verdict(outcome, actual, actual_en, *SAY[key], evidence=evidence, params=params)]

    messages: list[tuple[str, str, str]] = []  # outcome, Chinese, English
    # The implicit label's form is judged whatever the work declares: a label that is there must be right.
    if implicit.duplicated:
        messages.append((problem, *SAY["duplicated"]))
    elif implicit.present and not implicit.valid:
        messages.append((problem, *SAY["malformed"]))
    required = bool(rule.label_required_when_ai) and rule.ai_allowed
    says_ai = implicit.says_ai or explicit.found
    if not required:
        # Nothing demands the labels: what was found is information for the showing platform.
        if says_ai or implicit.present:
            messages.append(("warn", *SAY["inform"]))
        if not rule.ai_allowed and (says_ai or declares_ai):
            messages.append((problem, *SAY["not_allowed"]))
        if not messages:
            return verdict("pass", "none_found")
        return _combined(messages, actual, actual_en, evidence, params)

    if declares_ai is False and says_ai:
        which = "、".join(([f"元数据（Label={implicit.labels[0].label}）"] if implicit.says_ai else [])
                         + (["画面显式标识"] if explicit.found else []))
        which_en = " and ".join((["the metadata"] if implicit.says_ai else [])
                                + (["an on-screen label"] if explicit.found else []))
        messages.append(("review", f"报送时声明未使用 AI，但{which}表明含人工智能生成合成内容，"
                                   "请主办方核实。",
                         f"The form says no AI was used, but {which_en} says the content is AI-generated; "
                         "for the organiser to check."))
    ai_used = bool(declares_ai) or says_ai
    if ai_used:
        if rule.implicit and not implicit.present:
            messages.append((problem, *SAY["no_implicit"]))
        if rule.explicit:
            if not decoded:
                messages.append(("review", *SAY["wait"]))
            elif not explicit.read or problems:
                messages.append(("review", *SAY["unreadable"]))
            elif not explicit.found:
                if explicit.uncertain:
                    messages.append(("review", f"开头识别到「{explicit.uncertain}」，可能是不完整的显式标识，"
                                               "请人工核对。",
                                     f"The opening shows “{explicit.uncertain}”, perhaps a label read in "
                                     "part; check by eye."))
                else:
                    messages.append((problem, *SAY["no_explicit"]))
            elif fault is not None:
                kind, zh, en = fault
                messages.append((problem if kind == "fail" else "review", f"显式标识不符合要求：{zh}。",
                                 f"The explicit label falls short: {en}."))
    elif decoded and explicit.read and rule.explicit and _mentions_ai(explicit.uncertain):
        messages.append(("review", f"开头识别到「{explicit.uncertain}」，可能是 AI 标识，请人工核对。",
                         f"The opening shows “{explicit.uncertain}”, perhaps an AI label; check by eye."))
    if not messages:
        if ai_used:
            return verdict("pass", "both_ok" if rule.explicit and rule.implicit else "labels_ok")
        if not decoded and rule.explicit:
            return verdict("pass", "undeclared_wait")
        return verdict("pass", "undeclared")
    return _combined(messages, actual, actual_en, evidence, params)


def _combined(messages: list[tuple[str, str, str]], actual: str, actual_en: str, evidence: list[Evidence],
              params: dict[str, Any]) -> list[Verdict]:
    outcome = max((m[0] for m in messages), key=WORSE.index)
    message, message_en = "".join(m[1] for m in messages), " ".join(m[2] for m in messages)
    return [Verdict(outcome, actual, actual_en, message, message_en, evidence=evidence, params=params)]

"""Simplified or Traditional: decided from the characters only one of the two scripts uses.

A character OpenCC's t2s changes is Traditional-only (這 → 这); one s2t changes
is Simplified-only (这 → 這); the many characters both scripts share (的, 中,
人) say nothing. The whole line is converted, not each character alone, so
that a phrase keeps characters both scripts write the same way (皇后 stays 皇后
in both directions).

OCR errors and names must not fail a work: the recogniser sometimes returns
the other script's form of a character, and a Simplified text may name a
person or a firm in Traditional. A text is therefore called Traditional only
when the Traditional-only characters are both several (MIN_COUNT) and a real
share (MIN_SHARE) of all the characters that tell the scripts apart, or when
several lines are plainly in the other script (mixed subtitles). A single
such line amid the rest (it may be a name) goes to a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .findings import Verdict

MIN_COUNT = 3  # Traditional-only characters, at least, to call a text Traditional
MIN_SHARE = 0.2  # of the characters that tell the scripts apart
LINE_COUNT = 2  # a line with this many of the other script's characters and none of its own
MAX_EXAMPLES = 5

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
NAMES = {"simplified": "简体中文", "traditional": "繁体中文"}
NAMES_EN = {"simplified": "Simplified Chinese", "traditional": "Traditional Chinese"}


@lru_cache(maxsize=2)
def _converter(config: str) -> Any:
    import opencc

    return opencc.OpenCC(config)


def _changed(text: str, config: str) -> int:
    """Chinese characters of `text` that the conversion changes."""
    converted = _converter(config).convert(text)
    if len(converted) != len(text):  # a phrase of another length: count character by character
        converted = "".join(_converter(config).convert(c) or c for c in text)
    return sum(1 for a, b in zip(text, converted, strict=False) if a != b and _HAN.match(a))


@dataclass
class ScriptCount:
    han: int = 0  # Chinese characters
    traditional: int = 0  # Traditional-only
    simplified: int = 0  # Simplified-only

    def add(self, other: ScriptCount) -> None:
        self.han += other.han
        self.traditional += other.traditional
        self.simplified += other.simplified


def count_script(text: str) -> ScriptCount:
    return ScriptCount(han=len(_HAN.findall(text)), traditional=_changed(text, "t2s"),
                       simplified=_changed(text, "s2t"))


def _when(start: float | None) -> str:
    return f"{start:.1f} 秒" if start is not None else "软字幕"


def _when_en(start: float | None) -> str:
    return f"{start:.1f} s" if start is not None else "soft subtitle"


def judge_script(lines: list[tuple[float | None, str]], want: str, *, reliable: bool = True,
                 evidence: list[Any] | None = None) -> Verdict | None:
    """The script line for subtitle texts given as (start time or None, text); None: nothing to judge.

    `want` is "simplified", "traditional" or "any". `reliable` False (poor OCR scores) turns a
    decision into a review: a person looks at the examples.
    """
    lines = [(t, s.strip()) for t, s in lines if s and s.strip()]
    if want not in NAMES or not lines:
        return None
    other = "traditional" if want == "simplified" else "simplified"
    total = ScriptCount()
    counted = []
    for start, text in lines:
        count = count_script(text)
        total.add(count)
        counted.append((start, text, count))
    wrong = total.traditional if want == "simplified" else total.simplified
    right = total.simplified if want == "simplified" else total.traditional
    telling = wrong + right
    share = wrong / telling if telling else 0.0

    def wrong_in(c: ScriptCount) -> int:
        return c.traditional if want == "simplified" else c.simplified

    def right_in(c: ScriptCount) -> int:
        return c.simplified if want == "simplified" else c.traditional

    offending = sorted((x for x in counted if wrong_in(x[2]) > right_in(x[2])),
                       key=lambda x: -wrong_in(x[2]))
    examples = "；".join(f"{_when(t)}「{text[:30]}」" for t, text, _c in offending[:MAX_EXAMPLES])
    examples_en = "; ".join(f"{_when_en(t)} “{text[:30]}”" for t, text, _c in offending[:MAX_EXAMPLES])
    params = {"han": total.han, "traditional_only": total.traditional, "simplified_only": total.simplified,
              "share_other": round(share, 3), "lines": len(lines)}
    base = {"check": "subtitles.script", "label": "字幕简繁", "label_en": "Subtitle script",
            "requested": f"字幕为{NAMES[want]}", "requested_en": f"subtitles in {NAMES_EN[want]}",
            "params": params, "evidence": list(evidence or [])}
    counts = (f"识别 {total.han} 个汉字，其中仅{NAMES[other][:2]}使用的 {wrong} 个、"
              f"仅{NAMES[want][:2]}使用的 {right} 个")
    unsure, unsure_en = "文字识别把握不大，请人工核对。", "The text was read with low confidence: check it."
    counts_en = (f"{total.han} Chinese characters read: {wrong} used only in {NAMES_EN[other].split()[0]}, "
                 f"{right} only in {NAMES_EN[want].split()[0]}")
    if total.han == 0:
        return Verdict("review", "字幕中未识别到汉字", "no Chinese characters read in the subtitles",
                       "请人工核对字幕文字。", "Check the subtitle text.", **base)
    clear_lines = [x for x in offending if wrong_in(x[2]) >= LINE_COUNT and right_in(x[2]) == 0]
    if (wrong >= MIN_COUNT and share >= MIN_SHARE) or (
            len(clear_lines) >= 2 and sum(wrong_in(x[2]) for x in clear_lines) >= MIN_COUNT):
        outcome = "fail" if reliable else "review"
        mostly = share >= 0.8
        return Verdict(outcome, (f"字幕为{NAMES[other]}" if mostly else "字幕简繁混用") + f"（{counts}）",
                       (f"the subtitles are in {NAMES_EN[other]}" if mostly
                        else "the subtitles mix Simplified and Traditional") + f" ({counts_en})",
                       f"{NAMES[other][:2]}字幕行例如：{examples}" + ("" if reliable else "。" + unsure),
                       f"{NAMES_EN[other]} lines, e.g. {examples_en}"
                       + ("" if reliable else ". " + unsure_en),
                       **base)
    if clear_lines:
        few = "；".join(f"{_when(t)}「{text[:30]}」" for t, text, _c in clear_lines[:MAX_EXAMPLES])
        few_en = "; ".join(f"{_when_en(t)} “{text[:30]}”" for t, text, _c in clear_lines[:MAX_EXAMPLES])
        return Verdict("review", f"字幕基本为{NAMES[want]}，{len(clear_lines)} 行像是{NAMES[other]}",
                       f"mostly {NAMES_EN[want]}, {len(clear_lines)} line(s) look {NAMES_EN[other]}",
                       f"请核对这些行：{few}", f"Check these lines: {few_en}", **base)
    if not reliable:
        return Verdict("review", f"字幕似为{NAMES[want]}（{counts}）",
                       f"the subtitles look {NAMES_EN[want]} ({counts_en})",
                       unsure, unsure_en, **base)
    note = "" if telling else "（所识别的字简繁写法相同）"
    note_en = "" if telling else " (the characters read are written the same in both scripts)"
    return Verdict("pass", f"字幕为{NAMES[want]}（{counts}）{note}",
                   f"the subtitles are in {NAMES_EN[want]} ({counts_en}){note_en}", **base)

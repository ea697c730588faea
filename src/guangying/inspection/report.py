"""The report: one line per rule, as PRODUCT.md asks for it.

Every line carries a stable check id, the rule's parameters, what was
requested and what was found, an outcome, a message in Chinese and in
English, and evidence (time stamps, small frames) where the picture or the
sound is the evidence. The web application stores the JSON; the command
line prints it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    REVIEW = "review"  # needs a person
    ERROR = "error"  # could not check

    @property
    def label_zh(self) -> str:
        return {
            "pass": "符合",
            "fail": "不符合",
            "warn": "提示",
            "review": "需人工复核",
            "error": "无法检查",
        }[self.value]

    @property
    def label_en(self) -> str:
        return {
            "pass": "pass",
            "fail": "fail",
            "warn": "warning",
            "review": "needs review",
            "error": "could not check",
        }[self.value]

    @property
    def mark(self) -> str:
        return {"pass": "✓", "fail": "✗", "warn": "!", "review": "?", "error": "✗"}[self.value]


@dataclass
class Evidence:
    time_s: float | None = None
    end_s: float | None = None
    note: str = ""
    note_en: str = ""
    jpeg_base64: str | None = None  # a small frame, where the picture is the evidence


@dataclass
class Line:
    check: str  # stable id: "duration", "resolution", "picture_quality.black" …
    label: str  # Chinese name of the rule
    label_en: str
    outcome: Outcome
    requested: str  # what the rule asks, in words
    actual: str  # what the file has, in words
    message: str = ""  # Chinese: what to do about it
    message_en: str = ""
    # English for `requested` and `actual`; empty in reports stored before they were added,
    # so that Report.from_dict still reads those.
    requested_en: str = ""
    actual_en: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    severity: str = "hard"  # the rule's severity: hard, warn, review
    source: str = ""  # where the notice says so
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Report:
    file: str
    ruleset: str  # the rule set's title
    lines: list[Line] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # the probe, for display and storage
    problem: str | None = None  # why the file could not be read, when it could not
    problem_en: str | None = None
    elapsed_s: float = 0.0
    version: int = 1

    @property
    def outcome(self) -> Outcome:
        """The worst line: a file that could not be read at all is ERROR."""
        outcomes = {line.outcome for line in self.lines}
        if self.problem and not self.lines:
            return Outcome.ERROR
        if Outcome.ERROR in outcomes and all(
            line.outcome in (Outcome.ERROR, Outcome.REVIEW) for line in self.lines
        ):
            return Outcome.ERROR
        for worst in (Outcome.FAIL, Outcome.ERROR, Outcome.WARN, Outcome.REVIEW):
            if worst in outcomes:
                return worst
        return Outcome.PASS

    @property
    def blocking(self) -> list[Line]:
        """Lines of hard rules that failed: these stop a submission unless waived."""
        return [line for line in self.lines if line.outcome == Outcome.FAIL and line.severity == "hard"]

    def exit_status(self) -> int:
        """0 all pass, 1 a rule fails, 2 the file could not be checked."""
        if self.problem or any(
            line.outcome == Outcome.ERROR and line.severity == "hard" for line in self.lines
        ):
            return 2
        if any(line.outcome == Outcome.FAIL for line in self.lines):
            return 1
        return 0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["outcome"] = self.outcome.value
        return data

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        data = {k: v for k, v in data.items() if k != "outcome"}
        lines = [
            Line(
                **{
                    **line,
                    "outcome": Outcome(line["outcome"]),
                    "evidence": [Evidence(**e) for e in line.get("evidence", [])],
                }
            )
            for line in data.pop("lines", [])
        ]
        return cls(lines=lines, **data)


VERDICTS = {
    Outcome.PASS: ("全部符合", "all rules pass"),
    Outcome.FAIL: ("有不符合的项目", "some rules fail"),
    Outcome.WARN: ("符合，但有提示", "passes, with warnings"),
    Outcome.REVIEW: (
        "自动检查通过，部分项目需人工复核",
        "passes what can be checked; some rules need a person",
    ),
    Outcome.ERROR: ("无法完成检查", "could not be checked"),
}

_COLOURS = {"pass": "32", "fail": "31", "warn": "33", "review": "36", "error": "31"}


def verdict(report: Report, *, lang: str = "zh") -> str:
    """The report's outcome in a few words, as the last line of its block and in a run's summary."""
    zh, en = VERDICTS[report.outcome]
    return zh if lang.startswith("zh") else en


def _mark(outcome: Outcome, color: bool) -> str:
    return f"\033[{_COLOURS[outcome.value]}m{outcome.mark}\033[0m" if color else outcome.mark


def render_text(report: Report, *, lang: str = "zh", color: bool = False) -> str:
    """The report for a terminal: a mark per rule, what was asked and what was found."""
    zh = lang.startswith("zh")
    out = [report.file]
    problem = (report.problem if zh else report.problem_en) or report.problem
    if problem:
        out.append(("  无法检查：" if zh else "  Could not check: ") + problem)
    for line in report.lines:
        mark = _mark(line.outcome, color)
        label = line.label if zh else line.label_en
        status = "" if line.outcome in (Outcome.PASS, Outcome.FAIL) else (
            f"［{line.outcome.label_zh}］" if zh else f" [{line.outcome.label_en}]")
        if report.problem and line.outcome == Outcome.ERROR and line.message == report.problem:
            # The file could not be read at all: the reason is said once above, and each rule
            # needs only its name, not the same sentence again.
            out.append(f"  {mark} {label}{status}")
            continue
        if zh:
            out.append(f"  {mark} {label}：{line.actual}{status}　要求：{line.requested}")
        else:
            actual = line.actual_en or line.actual
            requested = line.requested_en or line.requested
            out.append(f"  {mark} {label}: {actual}{status} — required: {requested}")
        message = line.message if zh else (line.message_en or line.message)
        if message and line.outcome != Outcome.PASS:
            out.append(f"      {message}")
        for item in line.evidence[:5]:
            note = item.note if zh else (item.note_en or item.note)
            when = _span(item.time_s, item.end_s)
            if when or note:
                out.append(f"      · {when} {note}".rstrip())
    if report.facts.get("mode") == "metadata":
        out.append("  （只读取了文件头信息；画面与声音未解码检查）" if zh
                   else "  (headers only: picture and sound were not decoded)")
    out.append(("  结论：" if zh else "  Verdict: ") + verdict(report, lang=lang))
    return "\n".join(out)


def render_summary(reports: list[Report], *, lang: str = "zh", color: bool = False) -> str:
    """One line per file after a run of several, so the verdicts need no scrolling back."""
    zh = lang.startswith("zh")
    out = [f"汇总（{len(reports)} 个文件）：" if zh else f"Summary ({len(reports)} files):"]
    for report in reports:
        separator = "：" if zh else ": "
        out.append(f"  {_mark(report.outcome, color)} {report.file}{separator}{verdict(report, lang=lang)}")
    return "\n".join(out)


def _span(start: float | None, end: float | None) -> str:
    if start is None:
        return ""
    if end is None or abs(end - start) < 0.05:
        return timestamp(start)
    return f"{timestamp(start)}–{timestamp(end)}"


def timestamp(seconds: float) -> str:
    """Times as editors read them: 1:05.2, or 1:02:03.0 past an hour."""
    seconds = max(0.0, float(seconds))
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:04.1f}"
    return f"{minutes}:{secs:04.1f}"

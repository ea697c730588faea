"""Burned-in subtitles: where the band is, what it says and when, and how much of the speech it covers."""

from __future__ import annotations

from typing import Any

from .findings import TextFindings, Verdict
from .look import Look


class SubtitleReader:
    def __init__(self, context: Any) -> None:
        self.context = context

    def look(self, look: Look) -> None:
        pass

    def finish(self, findings: TextFindings) -> None:
        pass


def judge_subtitles(rule: Any, text: TextFindings | None, media: Any) -> list[Verdict]:
    """The rule's lines; an empty list leaves the rule to a person (text not read)."""
    return []

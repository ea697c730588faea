"""End credits: the last part of the programme read for the submitting unit's name."""

from __future__ import annotations

from typing import Any

from .findings import TextFindings, Verdict
from .look import Look


class CreditsReader:
    def __init__(self, context: Any, window_s: float) -> None:
        self.context = context
        self.window_s = window_s

    def look(self, look: Look) -> None:
        pass

    def finish(self, findings: TextFindings) -> None:
        pass


def judge_end_credits(rule: Any, text: TextFindings | None, entrant: str | None) -> list[Verdict]:
    """The rule's lines; an empty list leaves the rule to a person (text not read)."""
    return []

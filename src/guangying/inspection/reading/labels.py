"""AI-content labels: the explicit label on screen at the opening, and the implicit AIGC metadata."""

from __future__ import annotations

from typing import Any

from .findings import TextFindings, Verdict
from .look import Look


class OpeningReader:
    def __init__(self, context: Any, opening_s: float) -> None:
        self.context = context
        self.opening_s = opening_s

    def look(self, look: Look) -> None:
        pass

    def finish(self, findings: TextFindings) -> None:
        pass


def judge_ai_label(rule: Any, text: TextFindings | None, media: Any, declares_ai: bool | None,
                   *, decoded: bool) -> list[Verdict]:
    """The rule's lines; an empty list leaves the rule to a person (text not read)."""
    return []

"""Watermarks and logos: what stays put over most of the programme while the picture changes."""

from __future__ import annotations

from typing import Any

from .findings import TextFindings, Verdict
from .look import Look


class OverlayReader:
    def __init__(self, context: Any) -> None:
        self.context = context

    def look(self, look: Look) -> None:
        pass

    def finish(self, findings: TextFindings) -> None:
        pass


def judge_watermark(rule: Any, text: TextFindings | None, entrant: str | None) -> list[Verdict]:
    """The rule's lines; an empty list leaves the rule to a person (text not read)."""
    return []

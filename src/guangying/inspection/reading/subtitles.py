"""Burned-in subtitles: where the band is, what it says and when, and how much of the speech it covers."""

from __future__ import annotations

from typing import Any

from .findings import TextFindings
from .look import Look


class SubtitleReader:
    def __init__(self, context: Any) -> None:
        self.context = context

    def look(self, look: Look) -> None:
        pass

    def finish(self, findings: TextFindings) -> None:
        pass

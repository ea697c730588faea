"""AI-content labels: the explicit label on screen at the opening, and the implicit AIGC metadata."""

from __future__ import annotations

from typing import Any

from .findings import TextFindings
from .look import Look


class OpeningReader:
    def __init__(self, context: Any, opening_s: float) -> None:
        self.context = context
        self.opening_s = opening_s

    def look(self, look: Look) -> None:
        pass

    def finish(self, findings: TextFindings) -> None:
        pass

"""What a rule set asks the picture to be read for, handed to the checking child as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

OPENING_S = 10.0  # GB 45438-2025 puts the explicit label of a video at its start


@dataclass(frozen=True)
class ReadingPlan:
    subtitles: bool = False
    script: bool = False
    credits_window_s: float | None = None  # read the last this many seconds for the unit's name
    opening_s: float | None = None  # read the opening seconds for an explicit AI label
    overlays: bool = False  # watermarks and logos
    entrant: str | None = None  # the unit the credits should name: reading them stops once it is found

    def wanted(self) -> bool:
        return bool(self.subtitles or self.script or self.credits_window_s or self.opening_s
                    or self.overlays)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | None) -> ReadingPlan:
        if not text:
            return cls()
        data: dict[str, Any] = json.loads(text)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    @classmethod
    def for_rules(cls, rules: Any, entrant: str | None = None) -> ReadingPlan:
        """From a RuleSet's technical rules: only what some rule will judge is read."""
        plan: dict[str, Any] = {}
        for rule in getattr(rules, "technical", []):
            if rule.check == "subtitles":
                plan["subtitles"] = True
                plan["script"] = rule.script != "any"
            elif rule.check == "end_credits" and rule.must_name_entrant:
                plan["credits_window_s"] = float(rule.window_s)
                plan["entrant"] = entrant or None
            elif rule.check == "ai_label":  # labels found are reported even where not required
                plan["opening_s"] = OPENING_S
            elif rule.check == "watermark":
                plan["overlays"] = True
        return cls(**plan)

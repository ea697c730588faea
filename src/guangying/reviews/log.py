"""The review's audit trail: one line for each change, so that an organiser can answer 「谁、何时、改了什么」.

Scores keep their own history (ScoreChange); everything else that changes a review writes
here, inside the same transaction as the change, so a change and its line stand or fall together.
"""

from __future__ import annotations

from typing import Any

from .models import ReviewLog, ReviewRound


def record(campaign: Any, action: str, text: str, *, actor: Any = None, round: ReviewRound | None = None,
           **detail: Any) -> ReviewLog:
    """Writes one line; ``text`` is what the organiser reads, ``detail`` what a program would need."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return ReviewLog.objects.create(campaign=campaign, round=round, actor=user, action=action,
                                    text=text[:500], detail=detail)

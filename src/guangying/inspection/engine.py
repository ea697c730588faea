"""`inspect()`: the one call the web application, the worker and the command line make."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from guangying.rulesets import RuleSet

from .checks import Judge
from .media import Findings
from .report import Report


def facts(findings: Findings, mode: str = "full") -> dict:
    """What the probe read, kept with the report for display and for the next checks."""
    media = findings.media
    data: dict = {"elapsed_s": round(findings.elapsed_s, 3), "mode": mode}
    if findings.peak_rss_mb is not None:
        data["peak_rss_mb"] = round(findings.peak_rss_mb, 1)
    if media is None:
        return data
    data["media"] = media.to_dict()
    for sub in data["media"].get("subtitles", []):
        sub["text"] = sub["text"][:50]  # enough to show; the full text stays in the file
    if findings.picture is not None:
        picture = asdict(findings.picture)
        picture.pop("evidence", None)
        text = picture.pop("text", None)
        if text is not None:
            # What was read, without the pictures: those travel as each line's evidence.
            for key in ("captions", "credits", "opening", "overlays"):
                for item in text.get(key, []):
                    item.pop("jpeg_base64", None)
            text["captions"] = text["captions"][:200]
            picture["text"] = text
        data["picture"] = picture
    if findings.sound is not None:
        data["sound"] = asdict(findings.sound)
    return data


def inspect(
    path: str | Path,
    rules: RuleSet,
    *,
    entrant: str | None = None,
    title: str | None = None,
    declares_ai: bool | None = None,
    mode: str = "full",
    limits: object | None = None,
    on_progress: Callable[[float], None] | None = None,
    file_name: str | None = None,
) -> Report:
    """Check one file against a rule set; never raises for a bad file, the report says why.

    `on_progress(fraction)` hears how far the full decode pass is through the file,
    for a progress bar; the metadata mode has no pass and never calls it.
    `file_name` is the name the entrant gave the file, when the file on disk is kept
    under another (a platform stores files under random names): the naming rule
    judges the entrant's name.
    """
    from .sandbox import run_inspection_child

    started = time.perf_counter()
    path = Path(path)
    from .reading import ReadingPlan

    plan = ReadingPlan.for_rules(rules, entrant) if mode == "full" else ReadingPlan()
    findings = run_inspection_child(str(path), mode=mode, limits=limits, on_progress=on_progress,
                                    reading=plan.to_json() if plan.wanted() else None)
    judge = Judge(
        rules, findings, entrant=entrant, title=title, file_name=file_name or path.name,
        declares_ai=declares_ai, mode=mode,
    )
    report = Report(
        file=str(path),
        ruleset=rules.title,
        lines=judge.lines(),
        facts=facts(findings, mode),
        problem=findings.problem,
        problem_en=findings.problem_en,
    )
    report.elapsed_s = round(time.perf_counter() - started, 3)
    return report

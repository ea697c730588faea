"""What the readers observed, as plain dataclasses that cross the child's JSON boundary.

Boxes are (left, top, width, height) in pixels of the upright picture as a
viewer sees it (the coded picture with the stream's rotation applied).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Box = tuple[int, int, int, int]


@dataclass
class TextLine:
    """One line of text the OCR found in a picture."""

    text: str
    score: float  # the recogniser's confidence, 0–1
    box: Box


@dataclass
class Caption:
    """One state of the subtitle band: the same text on screen from start to end."""

    start_s: float
    end_s: float
    text: str
    score: float
    box: Box
    jpeg_base64: str | None = None  # the band, kept for a few examples only


@dataclass
class ReadFrame:
    """A whole picture read at one moment (end credits, the opening's label)."""

    time_s: float
    lines: list[TextLine] = field(default_factory=list)
    jpeg_base64: str | None = None


@dataclass
class Overlay:
    """Something that stays put over most of the programme: a logo, a platform watermark."""

    box: Box
    start_s: float
    end_s: float
    share: float  # of the analysed pictures in which it was seen
    kind: str = "logo"  # "logo" or "text"
    text: str = ""  # what OCR read inside the box, if anything
    opacity: float | None = None  # estimated, 0–1; semi-transparent logos are well under 1
    jpeg_base64: str | None = None
    position: str = ""  # "top-left" … "bottom-right", "top", "bottom", "left", "right"
    weak: bool = False  # seen too seldom or too faintly to claim: for a person to look at


@dataclass
class Span:
    start_s: float
    end_s: float


@dataclass
class TextFindings:
    width: int  # the upright picture's size, for judging text height and corners
    height: int
    duration_s: float | None = None
    captions: list[Caption] = field(default_factory=list)
    # Pictures kept now and then by the subtitle reader, to show speech that has no subtitles.
    subtitle_samples: list[ReadFrame] = field(default_factory=list)
    speech: list[Span] = field(default_factory=list)  # where the audio carries speech
    credits: list[ReadFrame] = field(default_factory=list)
    credits_from_s: float | None = None  # the window read for the credits
    opening: list[ReadFrame] = field(default_factory=list)
    overlays: list[Overlay] = field(default_factory=list)
    # Share of the judged pictures whose edges and corners moved: a still picture hides a fixed
    # overlay in the scene. None: overlays were not looked for.
    overlay_motion: float | None = None
    overlay_pictures: int = 0  # pictures the overlay reader used
    ocr_calls: int = 0
    ocr_s: float = 0.0
    problems: list[str] = field(default_factory=list)  # why something could not be read


def text_findings_from_dict(data: dict[str, Any] | None) -> TextFindings | None:
    if data is None:
        return None
    data = dict(data)

    def lines(items: list[dict]) -> list[TextLine]:
        return [TextLine(text=i["text"], score=i["score"], box=tuple(i["box"])) for i in items]

    def frames(items: list[dict]) -> list[ReadFrame]:
        return [ReadFrame(time_s=f["time_s"], lines=lines(f.get("lines", [])),
                          jpeg_base64=f.get("jpeg_base64")) for f in items]

    data["captions"] = [Caption(**{**c, "box": tuple(c["box"])}) for c in data.get("captions", [])]
    data["speech"] = [Span(**s) for s in data.get("speech", [])]
    data["credits"] = frames(data.get("credits", []))
    data["subtitle_samples"] = frames(data.get("subtitle_samples", []))
    data["opening"] = frames(data.get("opening", []))
    data["overlays"] = [Overlay(**{**o, "box": tuple(o["box"])}) for o in data.get("overlays", [])]
    return TextFindings(**data)


@dataclass
class Verdict:
    """A reading module's judgement of one rule, turned into a report line by checks.Judge."""

    outcome: str  # an inspection.report.Outcome value: pass fail warn review error
    actual: str
    actual_en: str
    message: str = ""
    message_en: str = ""
    evidence: list[Any] = field(default_factory=list)  # inspection.report.Evidence
    params: dict[str, Any] = field(default_factory=dict)
    # A rule may give several lines ("subtitles" and "subtitles.script"): the line's own id and
    # name, where it is not the rule's.
    check: str | None = None
    label: str | None = None
    label_en: str | None = None
    requested: str | None = None
    requested_en: str | None = None

"""Reading the picture: burned-in subtitles, end credits, AI-content labels, watermarks and logos.

The decode pass (`inspection.quality`) hands every analysed picture to a
`PictureReader` (reader.py) when the rule set asks for any of this. Each
reader looks at cheap, downscaled pictures first and spends OCR (RapidOCR,
its models inside the wheel) only where the picture's text changed, so a
file is decoded once and OCR stays a fraction of the decode.

The child process only observes (what text where and when, what stays put
in a corner); the rule's parameters are applied in the parent by each
module's `verdict` function, called from `inspection.checks.Judge`.
"""

from .plan import ReadingPlan

__all__ = ["ReadingPlan"]

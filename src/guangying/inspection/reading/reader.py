"""The one object the decode pass talks to: it hands each analysed picture to the readers the plan asks for.

OCR runs on one worker thread beside the decoder (onnxruntime and FFmpeg both
release the GIL), so recognising a subtitle costs little wall-clock time as long
as the decoder has work. Readers submit copies of small crops, never the
decoder's own buffers, and the queue is bounded so that memory stays flat
however much text a file has.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

import numpy as np

from .findings import Span, TextFindings
from .look import Look, upright
from .ocr import TextReader
from .plan import ReadingPlan

log = logging.getLogger(__name__)
MAX_PENDING = 24  # OCR jobs waiting at most; past this the decoder waits for the oldest


class SubReader(Protocol):
    def look(self, look: Look) -> None: ...

    def finish(self, findings: TextFindings) -> None: ...


class PictureReader:
    def __init__(self, plan: ReadingPlan, media: Any, *, evidence: bool = True) -> None:
        video = media.main_video
        self.plan = plan
        self.rotation = int(getattr(video, "rotation", 0) or 0)
        width, height = int(video.coded_width), int(video.coded_height)
        if self.rotation % 180 == 90:
            width, height = height, width
        self.width, self.height = width, height
        self.duration_s: float | None = media.duration_s or getattr(video, "duration_s", None)
        # The shortest duration the file declares: the picture may stop before the sound does.
        declared = [d for d in (media.duration_s, getattr(video, "duration_s", None)) if d]
        self.shortest_duration_s: float | None = min(declared) if declared else None
        self.evidence = evidence
        # Two threads: the credits are read after the decoder has finished, when both cores are free.
        self.ocr = TextReader(threads=2)
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ocr")
        self.pending: list[Future] = []
        self.problems: list[str] = []
        self.readers: list[SubReader] = []
        self.look_s = 0.0
        from .credits import CreditsReader
        from .labels import OpeningReader
        from .overlays import OverlayReader
        from .subtitles import SubtitleReader

        if plan.subtitles or plan.script:
            self.readers.append(SubtitleReader(self))
        if plan.credits_window_s:
            self.readers.append(CreditsReader(self, plan.credits_window_s, plan.entrant))
        if plan.opening_s:
            self.readers.append(OpeningReader(self, plan.opening_s))
        if plan.overlays:
            self.readers.append(OverlayReader(self))

    def submit(self, job: Callable[..., Any], *args: Any) -> Future:
        """Runs `job(*args)` on the OCR thread; arguments must be the reader's own copies."""
        self.pending = [f for f in self.pending if not f.done()]
        while len(self.pending) >= MAX_PENDING:
            self.pending.pop(0).exception()  # wait for the oldest
        future = self.pool.submit(job, *args)
        self.pending.append(future)
        return future

    def look(self, t: float, luma: np.ndarray, small: np.ndarray, is_black: bool) -> None:
        started = time.perf_counter()
        seen = Look(t=t, luma=upright(luma, self.rotation), small=upright(small, self.rotation),
                    is_black=is_black)
        for reader in list(self.readers):
            try:
                reader.look(seen)
            except Exception as error:  # one reader's fault must not cost the others or the pass
                log.exception("reader %s failed", type(reader).__name__)
                self.problems.append(f"{type(reader).__name__}: {type(error).__name__}: {error}"[:200])
                self.readers.remove(reader)
        self.look_s += time.perf_counter() - started

    def finish(self, speech: list[Span]) -> TextFindings:
        findings = TextFindings(width=self.width, height=self.height, duration_s=self.duration_s,
                                speech=list(speech))
        for reader in self.readers:
            try:
                reader.finish(findings)
            except Exception as error:
                log.exception("reader %s failed at the end", type(reader).__name__)
                self.problems.append(f"{type(reader).__name__}: {type(error).__name__}: {error}"[:200])
        self.pool.shutdown(wait=True)
        findings.ocr_calls = self.ocr.calls
        findings.ocr_s = round(self.ocr.seconds, 3)
        findings.problems = self.problems
        return findings

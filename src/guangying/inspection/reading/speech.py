"""Where the sound carries speech, for the share of speech time that has subtitles.

Energy in the voice band (300–3400 Hz), per 100 ms, against the programme's
own noise floor: music beds and ambience stay under it far more often than a
voice does. Not a speech recogniser: it tells when someone is likely talking.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from .findings import Span

STEP_S = 0.1
ABOVE_FLOOR_DB = 12.0
MIN_LEVEL_DBFS = -50.0
MIN_SPEECH_S = 0.3
BRIDGE_S = 0.5  # pauses between words shorter than this stay inside one stretch


class SpeechMeter:
    def __init__(self) -> None:
        self.levels: list[np.ndarray] = []
        self.start: float | None = None
        self.sos: np.ndarray | None = None
        self.zi: np.ndarray | None = None
        self.rate: int | None = None
        self.carry = np.zeros(0)

    def feed(self, x: np.ndarray, rate: int, t0: float) -> None:
        """`x` is one chunk of decoded audio, channels × samples, float, starting at `t0`."""
        if self.start is None:
            self.start = t0
            self.rate = rate
            high = min(3400.0, rate / 2 * 0.95)
            self.sos = signal.butter(4, [300.0, high], btype="bandpass", fs=rate, output="sos")
            self.zi = np.zeros((self.sos.shape[0], 2))
        if rate != self.rate:
            return
        mono = x.mean(axis=0)
        band, self.zi = signal.sosfilt(self.sos, mono, zi=self.zi)
        joined = np.concatenate([self.carry, band**2])
        step = max(1, round(rate * STEP_S))
        n = joined.size // step * step
        if n:
            self.levels.append(joined[:n].reshape(-1, step).mean(axis=1))
        self.carry = joined[n:]

    def spans(self) -> list[Span]:
        if not self.levels or self.start is None:
            return []
        db = 10 * np.log10(np.concatenate(self.levels) + 1e-12)
        floor = float(np.percentile(db, 10))
        on = (db > floor + ABOVE_FLOOR_DB) & (db > MIN_LEVEL_DBFS)
        spans: list[Span] = []
        begin = None
        for i, flag in enumerate(on):
            if flag and begin is None:
                begin = i
            elif not flag and begin is not None:
                spans.append(Span(self.start + begin * STEP_S, self.start + i * STEP_S))
                begin = None
        if begin is not None:
            spans.append(Span(self.start + begin * STEP_S, self.start + len(on) * STEP_S))
        merged: list[Span] = []
        for span in spans:
            if merged and span.start_s - merged[-1].end_s < BRIDGE_S:
                merged[-1].end_s = span.end_s
            else:
                merged.append(span)
        return [Span(round(s.start_s, 2), round(s.end_s, 2)) for s in merged
                if s.end_s - s.start_s >= MIN_SPEECH_S]

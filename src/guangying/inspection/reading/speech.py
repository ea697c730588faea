"""Where the sound carries speech, for the share of speech time that has subtitles.

Two tests per 100 ms, either of which marks a voice. First, energy in the
voice band (300–3400 Hz) against the programme's own noise floor: a quiet
music bed or ambience stays under it far more often than a voice does.
Second, for speech over a music bed as loud as the voice: the voice band is
split into bands 100 Hz wide, each with its own floor (the level it sits at
most of the time), and a voice is where many bands at once rise well above
their floors. Music holds its notes in a few bands (a chord, a melody's
harmonics) while a voice's harmonics and breath fill most of the band, and
syllables come and go several times a second. Not a speech recogniser: it
tells when someone is likely talking.
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
FLOOR_PERCENTILE = 10
BAND_HZ = (300.0, 3400.0)
BAND_WIDTH_HZ = 100.0
BAND_ABOVE_DB = 9.0  # a band this far over its own floor is lit
LIT_SHARE = 0.3  # of the bands lit at once: a voice, not a few held notes
BAND_MIN_DBFS = -60.0
SYLLABLES = 3  # lit steps per second, at least, inside a stretch found by the band test


class SpeechMeter:
    def __init__(self) -> None:
        self.levels: list[np.ndarray] = []
        self.bands: list[np.ndarray] = []
        self.start: float | None = None
        self.sos: np.ndarray | None = None
        self.zi: np.ndarray | None = None
        self.rate: int | None = None
        self.carry = np.zeros(0)
        self.raw_carry = np.zeros(0, np.float32)
        self.edges: np.ndarray | None = None
        self.window: np.ndarray | None = None

    def feed(self, x: np.ndarray, rate: int, t0: float) -> None:
        """`x` is one chunk of decoded audio, channels × samples, float, starting at `t0`."""
        if self.start is None:
            self.start = t0
            self.rate = rate
            high = min(BAND_HZ[1], rate / 2 * 0.95)
            self.sos = signal.butter(4, [BAND_HZ[0], high], btype="bandpass", fs=rate, output="sos")
            self.zi = np.zeros((self.sos.shape[0], 2))
            step = max(1, round(rate * STEP_S))
            freqs = np.fft.rfftfreq(step, 1.0 / rate)
            bounds = np.arange(BAND_HZ[0], high + 1, BAND_WIDTH_HZ)
            self.edges = np.searchsorted(freqs, bounds)
            self.edges = self.edges[np.r_[True, np.diff(self.edges) > 0]]
            self.window = np.hanning(step).astype(np.float32)
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
        self._spectrum(mono.astype(np.float32), step)

    def _spectrum(self, mono: np.ndarray, step: int) -> None:
        """Power in bands 100 Hz wide across the voice band, per step (float32: an hour is ~5 MB)."""
        raw = np.concatenate([self.raw_carry, mono])
        n = raw.size // step * step
        self.raw_carry = raw[n:]
        if not n or self.edges is None or self.edges.size < 2:
            return
        frames = raw[:n].reshape(-1, step) * self.window
        power = np.abs(np.fft.rfft(frames, axis=1)) ** 2 / (step * step)
        self.bands.append(np.add.reduceat(power, self.edges, axis=1)[:, :-1].astype(np.float32))

    def _band_voice(self, count: int) -> np.ndarray:
        if not self.bands:
            return np.zeros(count, bool)
        bands = np.concatenate(self.bands)[:count].astype(np.float64)
        floors = np.percentile(bands, FLOOR_PERCENTILE, axis=0)
        floors = np.maximum(floors, 10 ** (BAND_MIN_DBFS / 10) / bands.shape[1])
        lit = bands > floors * 10 ** (BAND_ABOVE_DB / 10)
        total = 10 * np.log10(bands.sum(axis=1) + 1e-12)
        voice = (lit.mean(axis=1) >= LIT_SHARE) & (total > BAND_MIN_DBFS)
        if voice.size < count:
            voice = np.concatenate([voice, np.zeros(count - voice.size, bool)])
        return voice

    def spans(self) -> list[Span]:
        if not self.levels or self.start is None:
            return []
        db = 10 * np.log10(np.concatenate(self.levels) + 1e-12)
        floor = float(np.percentile(db, FLOOR_PERCENTILE))
        loud = (db > floor + ABOVE_FLOOR_DB) & (db > MIN_LEVEL_DBFS)
        banded = self._band_voice(db.size)
        spans = [(s, e, "level") for s, e in _runs(loud)] + [(s, e, "bands") for s, e in _runs(banded)]
        merged: list[list[float]] = []
        bridge = round(BRIDGE_S / STEP_S)
        for begin, end, _kind in sorted(spans):
            if merged and begin - merged[-1][1] < bridge:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([begin, end])
        out = []
        for begin, end in merged:
            begin, end = int(begin), int(end)
            if (end - begin) * STEP_S < MIN_SPEECH_S:
                continue
            # Found by the band test only: syllables must come often enough (drum hits do not).
            if not loud[begin:end].any() and banded[begin:end].sum() < SYLLABLES * (end - begin) * STEP_S:
                continue
            out.append(Span(round(self.start + begin * STEP_S, 2), round(self.start + end * STEP_S, 2)))
        return out


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(first, past the last) index of each run of True."""
    if not flags.size:
        return []
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    change = np.flatnonzero(np.diff(padded))
    return list(zip(change[::2].tolist(), change[1::2].tolist(), strict=True))

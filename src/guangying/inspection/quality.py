"""Picture and sound quality, measured in one pass over the file.

The file is demuxed once: video packets go to the video decoder and audio
packets to the audio decoder as they come, so a long file is read from disk
once and nothing waits for a second pass. The whole inspection has to cost
less than simply decoding every picture, which is why the video decoder
skips non-reference pictures and runs its own threads, and why only a
bounded number of small grey pictures is analysed. Every measure keeps a
fixed amount of state (a few numbers per picture, a few floats per 100 ms
of sound), so an hour-long file needs no more memory than a minute-long one.

Loudness follows ITU-R BS.1770 (as GY/T 282-2014 asks): K-weighting,
400 ms blocks every 100 ms, absolute gate −70 LKFS, relative gate −10 LU;
the loudness range follows EBU Tech 3342; true peak is measured on 4×
oversampled audio. These are findings; what counts as a warning is decided
elsewhere.
"""

from __future__ import annotations

import base64
import io
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import av
import numpy as np
from av.video.reformatter import VideoReformatter
from PIL import Image
from scipy import fft as sfft
from scipy import signal

from guangying.inspection.media import Frame, MediaInfo, PictureFindings, Segment, SoundFindings
from guangying.inspection.probe import open_media

if TYPE_CHECKING:
    from .reading import ReadingPlan
    from .reading.reader import PictureReader
    from .reading.speech import SpeechMeter

# --- pictures ---------------------------------------------------------------
ANALYSIS_WIDTH = 480  # grey pictures are analysed at this width, so measures compare across sizes
ANALYSIS_FPS = 5.0  # about this many pictures per second are analysed: segments last ≥ 0.5 s
DARK_LEVEL = 32  # luma at or below this is black, in limited (16) and full (0) range alike
BLACK_SHARE = 0.98  # share of dark pixels that makes a picture black (a small logo is allowed)
BLACK_MIN_S = 0.5
FROZEN_DIFF = 1.0  # largest block mean absolute difference (0–255) between pictures that still is "no change"
FROZEN_GRID = 8  # the picture is judged in 8×8 blocks so that one moving mouth is still movement
FROZEN_MIN_S = 2.0
FLAT_STD = 10.0  # a picture with less contrast than this cannot be called blurry or sharp
BLUR_LAPLACIAN = 30.0  # variance of the Laplacian on the analysis picture below which it is blurry
BLURRY_MIN_S = 2.0
BAR_LEVEL = 40  # brighter than this is picture, not bar
BAR_BRIGHT_SHARE = 0.01  # a row/column with at most this share of bright pixels in every sample is bar
BAR_MIN_SHARE = 0.01  # bars thinner than this share of the frame (or 4 px) are encoder padding, not bars
SAMPLES = 60  # full-resolution samples for bars and resolution, spread over the duration
UPSCALE_MIN_HEIGHT = 720  # below this there is no "HD file that carries SD picture" to find
UPSCALE_LADDER = (360, 480, 540, 720, 1080, 1440)
UPSCALE_SHARE = 0.30  # detail share above a height's band limit below which that height explains the picture
UPSCALE_CROP = 512
EVIDENCE_WIDTH = 320
FRAME_THREAD_MIN_CORES = 2  # frame threads only above this many cores
SEGMENT_EVIDENCE = 6  # frames for black/frozen/blurry segments; one more each for bars and upscaling
# --- sound ------------------------------------------------------------------
SILENCE_DBFS = -60.0
SILENCE_MIN_S = 2.0
CLIP_LEVEL = 0.999
ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0
LRA_RELATIVE_GATE = -20.0
AUDIO_CHUNK_S = 1.0  # decoded audio is measured in chunks of about this length
SURROUND = {"SL", "SR", "BL", "BR", "BC", "SDL", "SDR", "TBL", "TBR", "LSD", "RSD"}


def analyse(
    path: str,
    media: MediaInfo,
    *,
    evidence: bool = True,
    max_pictures: int = 36_000,
    max_duration_s: float = 3600.0,
    analysis_fps: float = ANALYSIS_FPS,
    on_progress: Callable[[float], None] | None = None,
    reading: ReadingPlan | None = None,
) -> tuple[PictureFindings | None, SoundFindings | None]:
    """Measure picture and sound in one demux pass.

    `media` says which streams count (the probe's main video and audio); a
    side that has no stream gives None. `max_pictures` and `max_duration_s`
    bound the work on hostile or very long files: past either, decoding
    stops and only packet time stamps are followed, so the reported lengths
    of picture and sound stay comparable. `on_progress` hears the share of
    the duration demuxed so far (0–1), at most once per percent, so that a
    person waiting for a long file sees it advance. `reading` says what text
    to read in the picture (reading.PictureReader); its findings go to
    `PictureFindings.text`, with the speech heard in the sound.
    """
    # The same protocol and demuxer whitelist as the probe: a file that changed since it was
    # probed must not make this pass open a playlist or a second file.
    with open_media(path) as container:
        origin = (container.start_time or 0) / 1_000_000
        vstream = _pick(container.streams.video, media.main_video.index if media.main_video else None)
        astream = _pick(container.streams.audio, media.main_audio.index if media.main_audio else None)
        fps = None
        if media.main_video is not None:
            fps = media.main_video.avg_fps or media.main_video.nominal_fps
        reader = None
        if reading is not None and reading.wanted() and vstream is not None:
            from .reading.reader import PictureReader

            reader = PictureReader(reading, media, evidence=evidence)
        video = (
            _Pictures(vstream, origin, fps=fps, evidence=evidence, max_pictures=max_pictures,
                      max_duration_s=max_duration_s, analysis_fps=analysis_fps,
                      duration_s=media.duration_s, reader=reader)
            if vstream is not None
            else None
        )
        audio = (
            _Sound(astream, origin, max_duration_s=max_duration_s, speech=reader is not None)
            if astream is not None else None
        )
        streams = [s for s in (vstream, astream) if s is not None]
        progress = _Progress(on_progress, media.duration_s, origin)
        if streams:
            try:
                for packet in container.demux(streams):
                    progress.packet(packet)
                    if video is not None and packet.stream_index == vstream.index:
                        video.feed(packet)
                    elif audio is not None:
                        audio.feed(packet)
                    if (video is None or video.past_end) and (audio is None or audio.past_end):
                        break
            except (av.error.FFmpegError, ValueError, OSError):
                # A broken container ends the pass; what was read so far still counts.
                for side in (video, audio):
                    if side is not None:
                        side.decode_errors += 1
    progress.done()
    picture = video.finish() if video else None
    sound = audio.finish() if audio else None
    if reader is not None and picture is not None:
        speech = audio.speech.spans() if audio is not None and audio.speech is not None else []
        picture.text = reader.finish(speech)
    return picture, sound


class _Progress:
    """Turns packet time stamps into a share of the duration, told in steps of a percent."""

    def __init__(self, listener: Callable[[float], None] | None, duration_s: float | None,
                 origin: float) -> None:
        self.listener = listener
        self.duration = duration_s if duration_s and duration_s > 0 else None
        self.origin = origin
        self.told = -1.0

    def packet(self, packet) -> None:
        if self.listener is None or self.duration is None or packet.pts is None:
            return
        t = float(packet.pts * packet.time_base) - self.origin
        self.tell(min(0.99, max(0.0, t / self.duration)))

    def tell(self, fraction: float) -> None:
        if fraction - self.told >= 0.01:
            self.told = fraction
            self.listener(round(fraction, 3))

    def done(self) -> None:
        if self.listener is not None:
            self.tell(1.0)


def _pick(streams, index: int | None):
    if index is not None:
        for s in streams:
            if s.index == index:
                return s
    return streams[0] if len(streams) else None


# --- runs of a condition over time --------------------------------------------


@dataclass
class _Runs:
    """Consecutive pictures (or audio blocks) with a condition, closed into segments."""

    min_s: float
    segments: list[Segment] = field(default_factory=list)
    start: float | None = None
    pending: np.ndarray | None = None  # evidence picture of the open run
    kept: list[tuple[float, np.ndarray]] = field(default_factory=list)

    def update(self, t: float, on: bool, picture=None) -> None:
        if on and self.start is None:
            self.start = t
            self.pending = picture() if picture is not None else None
        elif not on and self.start is not None:
            self.close(t)

    def close(self, end: float) -> None:
        if self.start is not None and end - self.start >= self.min_s - 1e-6:
            self.segments.append(Segment(round(self.start, 3), round(end, 3)))
            if self.pending is not None:
                self.kept.append((self.start, self.pending))
        self.start = None
        self.pending = None


# --- pictures ----------------------------------------------------------------


class _Pictures:
    def __init__(self, stream, origin: float, *, fps: float | None, evidence: bool, max_pictures: int,
                 max_duration_s: float, analysis_fps: float, duration_s: float | None,
                 reader: PictureReader | None = None) -> None:
        self.stream = stream
        self.reader = reader
        self.origin = origin
        self.evidence = evidence
        self.max_pictures = max_pictures
        self.max_duration_s = max_duration_s
        self.min_gap = 0.75 / analysis_fps if analysis_fps > 0 else 0.0
        rate = fps or (float(stream.average_rate) if stream.average_rate else None)
        self.frame_s = 1.0 / rate if rate and rate > 0 else 0.04
        self.sample_gap = max(0.5, (duration_s or 0.0) / SAMPLES)
        _configure_decoder(stream.codec_context)

        self.frames_decoded = 0
        self.frames_analysed = 0
        self.decode_errors = 0
        self.drained = False
        self.decoding = True
        self.past_end = False
        self.last_time: float | None = None
        self.last_analysed: float | None = None
        self.last_sample: float | None = None
        self.previous: np.ndarray | None = None
        self.previous_black = False
        self.previous_time = 0.0

        self.small = VideoReformatter()
        self.colour = VideoReformatter()
        self.black = _Runs(BLACK_MIN_S)
        self.frozen = _Runs(FROZEN_MIN_S)
        self.blurry = _Runs(BLURRY_MIN_S)
        self.sharpness: list[float] = []

        self.size: tuple[int, int] | None = None  # coded width, height of the full pictures
        self.row_bright: np.ndarray | None = None
        self.col_bright: np.ndarray | None = None
        self.bar_samples = 0
        self.detail_total = 0.0
        self.detail_above: dict[int, float] = {}
        self.spectrum_masks: tuple[np.ndarray, np.ndarray, dict[int, np.ndarray]] | None = None
        self.best_score = -1.0
        self.best_picture: np.ndarray | None = None
        self.best_crop: np.ndarray | None = None
        self.best_time = 0.0

    # The decoder is fed packet by packet; corrupt packets are counted, never raised.
    def feed(self, packet) -> None:
        if packet.pts is not None and packet.time_base is not None:
            t = float(packet.pts * packet.time_base) - self.origin
            if t > self.max_duration_s:
                self.past_end = True
                self.decoding = False
                return
            if packet.size:
                self.last_time = t if self.last_time is None else max(self.last_time, t)
        if not self.decoding:
            return
        for frame in _decode(self, packet):
            self.picture(frame)

    def picture(self, frame) -> None:
        self.frames_decoded += 1
        if frame.is_corrupt:
            self.decode_errors += 1
        if frame.time is not None:
            t = float(frame.time) - self.origin
        else:
            t = (self.last_analysed or 0.0) + self.frame_s
        if t > self.max_duration_s:
            self.past_end = True
            self.decoding = False
            return
        self.last_time = t if self.last_time is None else max(self.last_time, t)
        if self.last_analysed is not None and t - self.last_analysed < self.min_gap:
            return
        if self.frames_analysed >= self.max_pictures:
            self.decoding = False
            return
        self.frames_analysed += 1
        self.last_analysed = t
        self.measure(frame, t)

    def measure(self, frame, t: float) -> None:
        width = min(ANALYSIS_WIDTH, frame.width)
        height = max(2, round(frame.height * width / frame.width / 2) * 2)
        grey = self.small.reformat(frame, width=width, height=height, format="gray",
                                   interpolation="AREA", threads=1).to_ndarray()
        # Black: nearly every pixel dark.
        is_black = np.count_nonzero(grey <= DARK_LEVEL) >= BLACK_SHARE * grey.size
        keep = (lambda: self.evidence_picture(frame)) if self.evidence else None
        self.black.update(t, is_black, keep)

        # Frozen: no block of the picture changed since the previous analysed picture.
        frozen = False
        if self.previous is not None and self.previous.shape == grey.shape and not is_black \
                and not self.previous_black:
            frozen = _block_change(grey, self.previous) < FROZEN_DIFF
        if frozen and self.frozen.start is None:
            # The still picture began with the previous analysed one.
            self.frozen.update(self.previous_time, True, keep)
        else:
            self.frozen.update(t, frozen)
        self.previous, self.previous_black, self.previous_time = grey, is_black, t

        # Detail: variance of the Laplacian, judged only where there is contrast to judge.
        values = grey.astype(np.float32)  # once, for both measures: float64 would double the cost
        contrast = float(values.std())
        if not is_black and contrast >= FLAT_STD:
            detail = _laplacian_variance(values)
            self.sharpness.append(detail)
            self.blurry.update(t, detail < BLUR_LAPLACIAN, keep)
        elif is_black:
            self.blurry.update(t, False)

        if not is_black and (self.last_sample is None or t - self.last_sample >= self.sample_gap):
            self.last_sample = t
            self.sample(frame, t, contrast)
        if self.reader is not None:
            self.reader.look(t, _luma(frame), grey, is_black)

    def sample(self, frame, t: float, contrast: float) -> None:
        """Full-resolution measures that need real pixels: bars and the true resolution."""
        luma = _luma(frame)
        h, w = luma.shape
        if self.size != (w, h):
            if self.size is not None:
                return  # a resolution change mid-stream: keep the first size's measures
            self.size = (w, h)
            self.row_bright = np.zeros(h, np.int64)
            self.col_bright = np.zeros(w, np.int64)
        bright = luma > BAR_LEVEL
        np.maximum(self.row_bright, np.count_nonzero(bright, axis=1), out=self.row_bright)
        np.maximum(self.col_bright, np.count_nonzero(bright, axis=0), out=self.col_bright)
        self.bar_samples += 1
        if h >= UPSCALE_MIN_HEIGHT and frame.key_frame:
            self.spectrum(luma)  # key pictures only: they alone are deblocked (_configure_decoder)
        if self.evidence and contrast > self.best_score:
            self.best_score = contrast
            self.best_time = t
            self.best_picture = self.evidence_picture(frame)
            if h >= UPSCALE_MIN_HEIGHT:
                ch, cw = min(h, EVIDENCE_WIDTH * 9 // 16), min(w, EVIDENCE_WIDTH)
                top, left = (h - ch) // 2, (w - cw) // 2
                self.best_crop = luma[top:top + ch, left:left + cw].copy()

    def spectrum(self, luma: np.ndarray) -> None:
        """Share of the picture's detail above each candidate height's band limit.

        An ideal down-and-up scale to h lines removes exactly the frequencies
        above h/H of the Nyquist frequency, so instead of scaling, the detail
        (gradient energy: power × frequency²) of a windowed centre crop is
        split at those limits in the Fourier domain. A picture that was
        upscaled from h lines has almost no detail above h/H.
        """
        h, w = luma.shape
        n = min(UPSCALE_CROP, h, w) // 2 * 2
        if self.spectrum_masks is None:
            window = np.hanning(n).astype(np.float32)
            fy = np.abs(sfft.fftfreq(n))[:, None] * 2
            fx = sfft.rfftfreq(n)[None, :] * 2
            weight = (fx**2 + fy**2).astype(np.float32)
            reach = np.maximum(fx, fy)
            total = reach > 0.1
            weight = np.where(total, weight, 0).astype(np.float32)
            above = {lines: reach > lines / h for lines in UPSCALE_LADDER if lines < 0.8 * h}
            self.spectrum_masks = (np.outer(window, window), weight, above)
        window2d, weight, above = self.spectrum_masks
        if window2d.shape[0] != n:
            return
        top, left = (h - n) // 2, (w - n) // 2
        crop = luma[top:top + n, left:left + n].astype(np.float32)
        crop -= crop.mean()
        crop *= window2d
        power = np.abs(sfft.rfft2(crop)) ** 2 * weight
        self.detail_total += float(power.sum())
        for lines, mask in above.items():
            self.detail_above[lines] = self.detail_above.get(lines, 0.0) + float(power[mask].sum())

    def evidence_picture(self, frame) -> np.ndarray:
        width = min(EVIDENCE_WIDTH, frame.width)
        height = max(2, round(frame.height * width / frame.width / 2) * 2)
        return self.colour.reformat(frame, width=width, height=height, format="rgb24",
                                    interpolation="AREA", threads=1).to_ndarray()

    def finish(self) -> PictureFindings:
        if self.decoding:
            # Pictures still held back by the decoder (reordering, threads).
            for frame in _decode(self, None):
                self.picture(frame)
        end = (self.last_analysed + self.frame_s) if self.last_analysed is not None else 0.0
        for runs in (self.black, self.frozen, self.blurry):
            runs.close(end)
        findings = PictureFindings(
            frames_decoded=self.frames_decoded,
            frames_analysed=self.frames_analysed,
            black=self.black.segments,
            frozen=self.frozen.segments,
            blurry=self.blurry.segments,
            sharpness=round(float(np.median(self.sharpness)), 2) if self.sharpness else None,
            decode_errors=self.decode_errors,
            last_time_s=round(self.last_time, 3) if self.last_time is not None else None,
        )
        self.bars(findings)
        self.resolution(findings)
        if self.evidence:
            self.add_evidence(findings)
        return findings

    def bars(self, findings: PictureFindings) -> None:
        if self.size is None or self.bar_samples == 0:
            return
        w, h = self.size
        rows = self.row_bright <= BAR_BRIGHT_SHARE * w
        cols = self.col_bright <= BAR_BRIGHT_SHARE * h
        top, bottom = _edge_run(rows), _edge_run(rows[::-1])
        left, right = _edge_run(cols), _edge_run(cols[::-1])
        if top + bottom >= h or left + right >= w:
            return  # nothing bright anywhere: a dark file, not bars
        active_w, active_h = w - left - right, h - top - bottom
        if active_w < 0.25 * w or active_h < 0.25 * h:
            return  # a small bright spot in a dark film is not a boxed picture
        min_v, min_h = max(4, BAR_MIN_SHARE * h), max(4, BAR_MIN_SHARE * w)
        findings.letterbox = top >= min_v and bottom >= min_v
        findings.pillarbox = left >= min_h and right >= min_h
        if findings.letterbox or findings.pillarbox:
            findings.active_box = (int(left), int(top), int(active_w), int(active_h))

    def resolution(self, findings: PictureFindings) -> None:
        if self.detail_total <= 0 or not self.detail_above:
            return
        # Mean gradient energy too small to tell: a flat or empty picture.
        for lines in sorted(self.detail_above):
            if self.detail_above[lines] / self.detail_total <= UPSCALE_SHARE:
                findings.effective_height = lines
                return

    def add_evidence(self, findings: PictureFindings) -> None:
        kept: list[Frame] = []
        segment_pictures = sorted(
            [(t, p, "black") for t, p in self.black.kept]
            + [(t, p, "frozen") for t, p in self.frozen.kept]
            + [(t, p, "blurry") for t, p in self.blurry.kept],
            key=lambda item: item[0],
        )
        for t, picture, note in segment_pictures[:SEGMENT_EVIDENCE]:
            kept.append(Frame(round(t, 3), _jpeg(picture), note))
        if (findings.letterbox or findings.pillarbox) and self.best_picture is not None:
            kept.append(Frame(round(self.best_time, 3), _jpeg(self.best_picture), "bars"))
        if findings.effective_height is not None and self.best_crop is not None:
            kept.append(Frame(round(self.best_time, 3), _jpeg(self.best_crop), "upscaled (1:1 crop)"))
        findings.evidence = kept


def _decode(side, packet) -> list:
    """Decode one packet (None: drain), counting damage instead of raising.

    The demuxer already sends an empty packet per stream at the end, which
    drains the decoder; draining again is the decoder saying "done", not an
    error.
    """
    if packet is None and side.drained:
        return []
    if packet is None or packet.size == 0:
        side.drained = True
    try:
        return side.stream.codec_context.decode(packet)
    except av.error.EOFError:
        return []
    except (av.error.FFmpegError, ValueError):
        side.decode_errors += 1
        return []


def _configure_decoder(ctx) -> None:
    """Decode only what the measures need, with the threads that help on this machine.

    Non-reference pictures (most B-pictures) are never used to predict
    others, so skipping them costs no accuracy elsewhere; the pictures that
    are left are still more than the analysis rate needs. Frame threads pay
    off only with cores to spare: on two, the analysis needs one of them and
    frame threads measured slower than slice threads, so slices it is there.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    ctx.thread_type = "AUTO" if cores > FRAME_THREAD_MIN_CORES else "SLICE"
    ctx.thread_count = max(1, min(cores, 4))
    ctx.skip_frame = "NONREF"
    # Deblocking is a tenth of an H.264 decode. Black, frozen and bars do not see it; the
    # spectrum that tells upscaling would see block edges as detail, so it is measured on
    # key pictures only, which keep their deblocking and predict from nothing else.
    ctx.options = {**ctx.options, "skip_loop_filter": "nokey"}


def _luma(frame) -> np.ndarray:
    """The full-resolution luma plane without a copy where the format allows."""
    name = frame.format.name
    if name in ("yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "yuv440p",
                "yuvj440p", "yuv411p", "yuv410p", "nv12", "nv21", "gray"):
        plane = frame.planes[0]
        data = np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)
        return data[: frame.height, : frame.width]
    return frame.reformat(format="gray").to_ndarray()


def _block_change(a: np.ndarray, b: np.ndarray) -> float:
    h, w = a.shape
    bh, bw = max(1, h // FROZEN_GRID), max(1, w // FROZEN_GRID)
    gh, gw = h // bh, w // bw
    diff = np.abs(a[: gh * bh, : gw * bw].astype(np.int16) - b[: gh * bh, : gw * bw].astype(np.int16))
    return float(diff.reshape(gh, bh, gw, bw).mean(axis=(1, 3)).max())


def _laplacian_variance(g: np.ndarray) -> float:
    lap = 4 * g[1:-1, 1:-1] - g[:-2, 1:-1] - g[2:, 1:-1] - g[1:-1, :-2] - g[1:-1, 2:]
    return float(lap.var())


def _edge_run(flags: np.ndarray) -> int:
    """How many leading entries are True."""
    off = np.flatnonzero(~flags)
    return int(off[0]) if off.size else int(flags.size)


def _jpeg(picture: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="JPEG", quality=75)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


# --- sound ---------------------------------------------------------------------


def k_weighting(rate: int) -> np.ndarray:
    """BS.1770 K-weighting (pre-filter shelf and RLB high-pass) as second-order sections.

    The analogue prototype is re-derived for every sample rate (as libebur128
    does), so 44.1 kHz files are weighted as correctly as 48 kHz ones; at
    48 kHz the coefficients are those printed in BS.1770.
    """
    f0, gain, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / rate)
    vh = 10 ** (gain / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf_b = [(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0]
    shelf_a = [1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / rate)
    a0 = 1 + k / q + k * k
    high_b = [1.0, -2.0, 1.0]
    high_a = [1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    return np.array([shelf_b + shelf_a, high_b + high_a])


TRUE_PEAK_TAPS_PER_PHASE = 12  # BS.1770-4 Annex 2: a 48-coefficient, 4-phase interpolator


@lru_cache(maxsize=4)
def _interpolator(factor: int) -> np.ndarray:
    """A short linear-phase low-pass for true-peak oversampling, odd length so its delay is whole."""
    taps = factor * TRUE_PEAK_TAPS_PER_PHASE + 1
    return (signal.firwin(taps, 1.0 / factor, window=("kaiser", 5.0)) * factor).astype(np.float32)


def oversample(x: np.ndarray, factor: int) -> np.ndarray:
    """`factor`× the samples of each channel (rows), aligned so that output i·factor is input i.

    A filter this short is what true-peak meters use; scipy's resample_poly
    designs a far longer one, several times the cost for no difference a
    peak reading can show.
    """
    fir = _interpolator(factor)
    delay = (fir.size - 1) // 2
    up = signal.upfirdn(fir, x, up=factor, axis=1)
    return up[:, delay : delay + x.shape[1] * factor]


class _Sound:
    def __init__(self, stream, origin: float, *, max_duration_s: float, speech: bool = False) -> None:
        self.stream = stream
        self.speech: SpeechMeter | None = None
        if speech:
            from .reading.speech import SpeechMeter

            self.speech = SpeechMeter()
        self.origin = origin
        self.max_duration_s = max_duration_s
        self.decode_errors = 0
        self.drained = False
        self.past_end = False
        self.resampler: av.AudioResampler | None = None
        self.rate: int | None = None
        self.channels: int | None = None
        self.start: float | None = None
        self.end: float | None = None
        self.fifo = av.AudioFifo()
        self.samples = 0
        self.clipped = 0
        self.peak = 0.0
        self.true_peak = 0.0
        self.tail: np.ndarray | None = None
        # Per 100 ms: K-weighted, channel-weighted mean square; and the loudest channel's raw mean square.
        self.weighted: list[np.ndarray] = []
        self.raw: list[np.ndarray] = []
        self.carry_weighted = np.zeros(0)
        self.carry_raw = np.zeros((0, 0))

    def feed(self, packet) -> None:
        if self.past_end:
            return
        for frame in _decode(self, packet):
            self.frame(frame)

    def frame(self, frame) -> None:
        if frame.is_corrupt:
            self.decode_errors += 1
        t = float(frame.time) - self.origin if frame.time is not None else None
        if t is not None and t > self.max_duration_s:
            self.past_end = True
            return
        if self.rate is None:
            self.setup(frame)
            self.start = t if t is not None else 0.0
        if frame.sample_rate != self.rate or len(frame.layout.channels) != self.channels:
            self.decode_errors += 1  # a mid-stream change of format is not followed
            return
        # Decoded frames are a few hundred samples each: they queue in FFmpeg's FIFO and are
        # measured a second at a time, so per-frame work stays in C.
        try:
            converted = [frame] if frame.format.name == "fltp" else self.resampler.resample(frame)
            samples = 0
            for piece in converted:
                piece.pts = None  # the FIFO checks time stamps for gaps; the clock is kept here
                self.fifo.write(piece)
                samples += piece.samples
        except (av.error.FFmpegError, ValueError):
            self.decode_errors += 1
            return
        if samples == 0:
            return
        end = (t if t is not None else (self.end or self.start)) + samples / self.rate
        self.end = end if self.end is None else max(self.end, end)
        while self.fifo.samples >= self.chunk:
            self.flush(self.fifo.read(self.chunk))

    def setup(self, frame) -> None:
        self.rate = frame.sample_rate
        self.channels = len(frame.layout.channels)
        self.resampler = av.AudioResampler(format="fltp", layout=frame.layout, rate=self.rate)
        self.chunk = max(1, int(self.rate * AUDIO_CHUNK_S))
        self.step = max(1, round(self.rate / 10))
        self.sos = k_weighting(self.rate)
        self.zi = np.zeros((self.sos.shape[0], self.channels, 2))
        names = [c.name for c in frame.layout.channels]
        self.gains = np.array(
            [0.0 if n.startswith("LFE") else 1.41 if n in SURROUND else 1.0 for n in names]
        )[:, None]
        self.oversample = 4 if self.rate < 96_000 else 2 if self.rate < 192_000 else 1

    def flush(self, chunk) -> None:
        if chunk is None:
            return
        x = chunk.to_ndarray().astype(np.float64)
        if self.speech is not None:
            flushed_s = self.samples / max(1, x.shape[0]) / self.rate
            self.speech.feed(x, self.rate, (self.start or 0.0) + flushed_s)
        self.samples += x.size
        magnitude = np.abs(x)
        self.clipped += int(np.count_nonzero(magnitude >= CLIP_LEVEL))
        chunk_peak = float(magnitude.max())
        self.peak = max(self.peak, chunk_peak)
        self.measure_true_peak(x.astype(np.float32), chunk_peak)

        filtered, self.zi = signal.sosfilt(self.sos, x, axis=1, zi=self.zi)
        weighted = np.concatenate([self.carry_weighted, (self.gains * filtered**2).sum(axis=0)])
        n = (weighted.size // self.step) * self.step
        blocks = n // self.step
        if blocks:
            self.weighted.append(weighted[:n].reshape(blocks, self.step).mean(axis=1))
        self.carry_weighted = weighted[n:]
        # The loudest channel of each 100 ms decides silence.
        raw = x**2 if self.carry_raw.size == 0 else np.concatenate([self.carry_raw, x**2], axis=1)
        n = (raw.shape[1] // self.step) * self.step
        blocks = n // self.step
        if blocks:
            self.raw.append(raw[:, :n].reshape(self.channels, blocks, self.step).mean(axis=2).max(axis=0))
        self.carry_raw = raw[:, n:]

    def measure_true_peak(self, x: np.ndarray, chunk_peak: float) -> None:
        """4× oversampled peak, continuous across chunks.

        Each chunk is oversampled with a few samples of the previous one in
        front and its own last few held back, so the interpolation filter
        never sees an artificial edge. A chunk whose sample peak is 6 dB below
        the true peak found so far cannot raise it and is not oversampled.
        """
        pad = 16
        joined = x if self.tail is None else np.concatenate([self.tail, x], axis=1)
        self.tail = joined[:, -2 * pad:]
        if self.oversample == 1 or joined.shape[1] <= 2 * pad:
            self.true_peak = max(self.true_peak, chunk_peak)
            return
        if 2 * chunk_peak < self.true_peak:
            return
        up = oversample(joined, self.oversample)
        start = 0 if self.samples == x.size else pad * self.oversample
        valid = up[:, start : (joined.shape[1] - pad) * self.oversample]
        if valid.size:
            self.true_peak = max(self.true_peak, float(np.abs(valid).max()))

    def finish(self) -> SoundFindings:
        if not self.past_end:
            for frame in _decode(self, None):
                self.frame(frame)
        self.flush(self.fifo.read() if self.fifo.samples else None)
        if self.tail is not None and self.oversample > 1:
            up = oversample(self.tail, self.oversample)
            held_back = up[:, self.tail.shape[1] // 2 * self.oversample :]
            self.true_peak = max(self.true_peak, float(np.abs(held_back).max()))
        self.true_peak = max(self.true_peak, self.peak)
        weighted = np.concatenate(self.weighted) if self.weighted else np.zeros(0)
        raw = np.concatenate(self.raw) if self.raw else np.zeros(0)
        start = self.start or 0.0
        silence = _Runs(SILENCE_MIN_S)
        threshold = 10 ** (SILENCE_DBFS / 10)
        step_s = self.step / self.rate if self.rate else 0.1
        for i, level in enumerate(raw):
            silence.update(start + i * step_s, bool(level < threshold))
        silence.close(self.end if self.end is not None else start + raw.size * step_s)
        clipped_ratio = self.clipped / self.samples if self.samples else 0.0
        return SoundFindings(
            integrated_lkfs=_round(integrated_loudness(weighted)),
            true_peak_dbtp=_round(20 * math.log10(self.true_peak)) if self.true_peak > 0 else None,
            loudness_range_lu=_round(loudness_range(weighted)),
            silence=silence.segments,
            clipped_samples=self.clipped,
            clipped_ratio=round(clipped_ratio, 6),
            last_time_s=round(self.end, 3) if self.end is not None else None,
            decode_errors=self.decode_errors,
        )


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _lkfs(mean_square: np.ndarray | float) -> np.ndarray | float:
    with np.errstate(divide="ignore"):
        return -0.691 + 10 * np.log10(mean_square)


def integrated_loudness(weighted: np.ndarray) -> float | None:
    """BS.1770 gated loudness from 100 ms mean squares (400 ms blocks, 75 % overlap).

    None when no block rises above the absolute gate: digital silence has
    no programme loudness, and −inf does not travel as JSON.
    """
    if weighted.size < 4:
        return None
    blocks = np.convolve(weighted, np.ones(4) / 4, mode="valid")
    loudness = _lkfs(blocks)
    gated = blocks[loudness >= ABSOLUTE_GATE]
    if gated.size == 0:
        return None
    relative = _lkfs(gated.mean()) + RELATIVE_GATE
    final = blocks[(loudness >= ABSOLUTE_GATE) & (loudness > relative)]
    return float(_lkfs(final.mean())) if final.size else None


def loudness_range(weighted: np.ndarray) -> float | None:
    """EBU Tech 3342 loudness range from 3 s short-term blocks every 100 ms."""
    if weighted.size < 30:
        return None
    short = _lkfs(np.convolve(weighted, np.ones(30) / 30, mode="valid"))
    short = short[short >= ABSOLUTE_GATE]
    if short.size == 0:
        return None
    relative = _lkfs(np.mean(10 ** ((short + 0.691) / 10))) + LRA_RELATIVE_GATE
    short = short[short >= relative]
    if short.size == 0:
        return None
    low, high = np.percentile(short, [10, 95])
    return float(high - low)

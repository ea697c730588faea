"""The measures of the decode pass, on real files whose true values are known.

Sound is written as 16-bit PCM so that what the decoder hands back is
exactly what the test wrote: programme loudness is then compared with
pyloudnorm's reading of the very same samples, and the peak, silence and
clipping figures with values fixed by construction. Pictures are small
(640×360, or 1080 lines where resolution is what the test is about).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pyloudnorm
import pytest
from PIL import Image
from scipy import ndimage

from guangying.inspection import quality
from guangying.inspection.engine import inspect
from guangying.inspection.probe import probe
from guangying.inspection.report import Outcome
from guangying.rulesets import load_preset

from . import corpus

CHONGQING = load_preset("chongqing-2026-hongse")


def write(
    path: Path,
    *,
    audio: np.ndarray | None = None,
    rate: int = 48000,
    picture: Callable[[int], np.ndarray] | None = None,
    size: tuple[int, int] = (640, 360),
    fps: int = 25,
    seconds: float = 0.0,
    acodec: str = "pcm_s16le",
) -> Path:
    """A MOV with the given samples (frames × channels, −1…1) and/or pictures (grey arrays)."""
    layouts = {1: "mono", 2: "stereo", 6: "5.1"}
    with av.open(str(path), "w", format="mov") as container:
        video = None
        if picture is not None:
            video = container.add_stream("libx264", rate=fps)
            video.width, video.height, video.pix_fmt = size[0], size[1], "yuv420p"
            video.options = {"preset": "ultrafast", "crf": "18"}
        sound = None
        if audio is not None:
            sound = container.add_stream(acodec, rate=rate)
            sound.layout = layouts[audio.shape[1]]
        if video is not None:
            for index in range(round(seconds * fps)):
                luma = picture(index)
                frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(luma), format="gray")
                frame = frame.reformat(format="yuv420p")
                frame.pts, frame.time_base = index, Fraction(1, fps)
                for packet in video.encode(frame):
                    container.mux(packet)
            for packet in video.encode():
                container.mux(packet)
        if sound is not None:
            pcm = np.round(np.clip(audio, -1.0, 32767 / 32768) * 32768).astype(np.int16)
            step = 1024
            for start in range(0, len(pcm), step):
                chunk = np.ascontiguousarray(pcm[start : start + step]).reshape(1, -1)
                frame = av.AudioFrame.from_ndarray(chunk, format="s16", layout=layouts[audio.shape[1]])
                frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
                for packet in sound.encode(frame):
                    container.mux(packet)
            for packet in sound.encode():
                container.mux(packet)
    return path


def as_written(audio: np.ndarray) -> np.ndarray:
    """The samples as the 16-bit file holds them."""
    return np.round(np.clip(audio, -1.0, 32767 / 32768) * 32768) / 32768


def analyse(path: Path):
    return quality.analyse(str(path), probe(str(path)), evidence=True)


def programme(rate: int, channels: int, seconds: float = 12.0, seed: int = 1) -> np.ndarray:
    """Noise with speech-like swells and a quiet passage the relative gate must drop."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    noise = rng.standard_normal((n, channels))
    noise = ndimage.uniform_filter1d(noise, 3, axis=0)  # some colour, not white
    envelope = 0.08 * (1.2 + np.sin(2 * np.pi * 0.7 * t))[:, None]
    envelope[int(0.4 * n) : int(0.55 * n)] *= 0.01  # about −40 dB: below the relative gate
    return noise * envelope * np.linspace(1.0, 0.6, channels)[None, :]


@pytest.mark.parametrize(("rate", "channels"), [(48000, 2), (44100, 2), (48000, 1), (32000, 2)],
                         ids=["48k-stereo", "44k1-stereo", "48k-mono", "32k-stereo"])
def test_programme_loudness_agrees_with_pyloudnorm(tmp_path, rate, channels):
    samples = programme(rate, channels)
    _, sound = analyse(write(tmp_path / "speech.mov", audio=samples, rate=rate))
    expected = pyloudnorm.Meter(rate).integrated_loudness(as_written(samples))
    assert sound.integrated_lkfs == pytest.approx(expected, abs=0.1)
    assert sound.loudness_range_lu is not None and sound.loudness_range_lu > 0


def test_loudness_does_not_depend_on_how_the_sound_is_cut_into_chunks(tmp_path, monkeypatch):
    path = write(tmp_path / "speech.mov", audio=programme(48000, 2))
    _, whole = analyse(path)
    monkeypatch.setattr(quality, "AUDIO_CHUNK_S", 0.137)
    _, pieces = analyse(path)
    assert pieces.integrated_lkfs == pytest.approx(whole.integrated_lkfs, abs=0.01)
    assert pieces.true_peak_dbtp == pytest.approx(whole.true_peak_dbtp, abs=0.05)


def test_true_peak_finds_the_peak_between_samples(tmp_path):
    """A sine at a quarter of the sample rate, 45° off: every sample sits 3 dB under the crest."""
    rate, amplitude = 48000, 0.7
    t = np.arange(rate * 3)
    wave = amplitude * np.sin(np.pi / 2 * t + np.pi / 4)
    _, sound = analyse(write(tmp_path / "peak.mov", audio=np.stack([wave, wave], axis=1), rate=rate))
    crest = 20 * np.log10(amplitude)
    sample_peak = 20 * np.log10(np.abs(as_written(wave)).max())
    assert sample_peak == pytest.approx(crest - 3.0, abs=0.1)
    assert sound.true_peak_dbtp == pytest.approx(crest, abs=0.3)


def test_silence_in_the_middle_is_found_with_its_times(tmp_path):
    rate = 48000
    t = np.arange(int(7 * rate)) / rate
    wave = 0.2 * np.sin(2 * np.pi * 440 * t)
    wave[int(2.0 * rate) : int(5.5 * rate)] = 0.0
    _, sound = analyse(write(tmp_path / "gap.mov", audio=np.stack([wave, wave], axis=1)))
    assert len(sound.silence) == 1
    gap = sound.silence[0]
    assert gap.start_s == pytest.approx(2.0, abs=0.15)
    assert gap.end_s == pytest.approx(5.5, abs=0.15)


def test_a_short_pause_is_not_silence(tmp_path):
    rate = 48000
    t = np.arange(int(6 * rate)) / rate
    wave = 0.2 * np.sin(2 * np.pi * 440 * t)
    wave[int(2.0 * rate) : int(3.2 * rate)] = 0.0  # 1.2 s: a breath, not a fault
    _, sound = analyse(write(tmp_path / "pause.mov", audio=np.stack([wave, wave], axis=1)))
    assert sound.silence == []


def test_clipped_sound_is_counted(tmp_path):
    rate = 48000
    t = np.arange(int(3 * rate)) / rate
    wave = np.clip(1.6 * np.sin(2 * np.pi * 220 * t), -1.0, 1.0)
    _, sound = analyse(write(tmp_path / "clipped.mov", audio=np.stack([wave, wave], axis=1)))
    assert sound.clipped_ratio > 0.1
    clean = 0.5 * np.sin(2 * np.pi * 220 * t)
    _, sound = analyse(write(tmp_path / "clean.mov", audio=np.stack([clean, clean], axis=1)))
    assert sound.clipped_samples == 0


def test_digital_silence_has_no_programme_loudness(tmp_path):
    _, sound = analyse(write(tmp_path / "mute.mov", audio=np.zeros((48000 * 3, 2))))
    assert sound.integrated_lkfs is None
    assert sound.true_peak_dbtp is None
    assert len(sound.silence) == 1


def _texture(index: int, size: tuple[int, int] = (640, 360)) -> np.ndarray:
    width, height = size
    rng = np.random.default_rng(index)
    base = rng.integers(30, 220, size=(height, width)).astype(np.float32)
    base = ndimage.uniform_filter(base, 2)
    return base.astype(np.uint8)


def test_a_blurred_picture_is_flagged_and_a_sharp_one_is_not(tmp_path):
    """Out of focus: the shapes and their contrast stay, the fine strokes are gone."""
    scene = [corpus.moving(i, 640, 360) for i in range(100)]
    picture, _ = analyse(write(tmp_path / "sharp.mov", picture=scene.__getitem__, seconds=4))
    assert picture.blurry == []

    def soft(index: int) -> np.ndarray:
        return ndimage.gaussian_filter(scene[index].astype(np.float32), 3).astype(np.uint8)

    picture, _ = analyse(write(tmp_path / "soft.mov", picture=soft, seconds=4))
    assert picture.blurry and picture.blurry[0].length_s >= 3.0
    assert picture.sharpness is not None


def test_a_letterboxed_film_is_seen(tmp_path):
    """A 2.39:1 picture inside 16:9: black bars above and below."""

    def film(index: int) -> np.ndarray:
        frame = np.full((360, 640), 16, dtype=np.uint8)
        frame[46:314] = _texture(index)[46:314]
        return frame

    picture, _ = analyse(write(tmp_path / "scope.mov", picture=film, seconds=2))
    assert picture.letterbox and not picture.pillarbox
    left, top, width, height = picture.active_box
    assert (left, width) == (0, 640)
    assert 40 <= top <= 50 and 260 <= height <= 272


def test_a_720p_picture_on_a_1080p_timeline_is_found_upscaled(tmp_path):
    def upscaled(index: int) -> np.ndarray:
        small = Image.fromarray(corpus.moving(index, 1280, 720))
        return np.asarray(small.resize((1920, 1080), Image.Resampling.BICUBIC))

    picture, _ = analyse(write(tmp_path / "up.mov", picture=upscaled, size=(1920, 1080), seconds=1))
    assert picture.effective_height is not None and picture.effective_height <= 720
    native, _ = analyse(
        write(tmp_path / "native.mov", picture=lambda i: corpus.moving(i, 1920, 1080), size=(1920, 1080),
              seconds=1)
    )
    assert native.effective_height is None


def test_sound_shorter_than_the_picture_is_reported(tmp_path):
    rate = 48000
    t = np.arange(3 * rate) / rate
    wave = 0.1 * np.sin(2 * np.pi * 440 * t)
    path = write(tmp_path / "short-sound.mov", audio=np.stack([wave, wave], axis=1), picture=_texture,
                 seconds=6)
    report = inspect(path, CHONGQING)
    line = next(line for line in report.lines if line.check == "loudness.length")
    assert line.outcome == Outcome.WARN
    assert "3.0" in line.message


def test_a_long_file_is_measured_only_up_to_the_bound(tmp_path):
    """Past max_duration_s decoding stops, and both sides say where they stopped."""
    rate = 48000
    t = np.arange(8 * rate) / rate
    wave = 0.1 * np.sin(2 * np.pi * 440 * t)
    path = write(tmp_path / "long.mov", audio=np.stack([wave, wave], axis=1), picture=_texture, seconds=8)
    picture, sound = quality.analyse(str(path), probe(str(path)), max_duration_s=3.0)
    assert picture.last_time_s is not None and picture.last_time_s <= 3.2
    assert sound.last_time_s is not None and sound.last_time_s <= 3.2
    assert picture.frames_decoded <= 3.2 * 25 < 8 * 25
    assert picture.frames_analysed < picture.frames_decoded

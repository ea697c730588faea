"""The speech meter on the sound scenes.py draws: talk over a music bed, silence, no sound at all."""

from __future__ import annotations

import numpy as np
import pytest

from guangying.inspection import quality
from guangying.inspection.probe import probe
from guangying.inspection.reading.plan import ReadingPlan
from guangying.inspection.reading.speech import SpeechMeter

from . import scenes

RATE = scenes.RATE
TALK = [(1.0, 3.5), (5.0, 6.0), (8.0, 11.0)]


def spans(sound: np.ndarray, rate: int = RATE, chunk: int = 1024,
          t0: float = 0.0) -> list[tuple[float, float]]:
    meter = SpeechMeter()
    for start in range(0, sound.shape[1], chunk):
        meter.feed(np.ascontiguousarray(sound[:, start:start + chunk], np.float32), rate, t0 + start / rate)
    return [(s.start_s, s.end_s) for s in meter.spans()]


def near(found: list[tuple[float, float]], expected: list[tuple[float, float]], slack: float = 0.6) -> bool:
    return len(found) == len(expected) and all(
        abs(a - c) <= slack and abs(b - d) <= slack for (a, b), (c, d) in zip(found, expected, strict=True))


def _talk(music: bool = True) -> np.ndarray:
    return scenes._sound(scenes.Scene(seconds=12, speech=TALK, music=music))


def test_talk_over_the_music_bed_and_alone():
    assert near(spans(_talk()), TALK)
    assert near(spans(_talk(music=False)), TALK)


def test_music_bed_silence_and_noise_are_not_speech():
    assert spans(scenes._sound(scenes.Scene(seconds=12))) == []
    assert spans(scenes._sound(scenes.Scene(seconds=12, music=False))) == []
    noise = np.random.default_rng(3).normal(0, 0.05, 12 * RATE)
    assert spans(np.stack([noise, noise])) == []


def _melody(seconds: float = 12.0) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    notes = np.array([262, 294, 330, 349, 392, 440, 494, 523])[(t * 2).astype(int) % 8]
    phase = 2 * np.pi * np.cumsum(notes) / RATE
    swell = 0.6 + 0.4 * np.exp(-((t * 2) % 1) * 3)
    hiss = np.random.default_rng(5).normal(0, 0.001, t.size)
    return 0.15 * sum(np.sin(k * phase) / k for k in range(1, 6)) * swell + hiss


def test_talk_over_music_as_loud_as_the_voice():
    """The level test alone hears nothing here: the melody keeps the voice band busy all along."""
    melody = _melody()
    assert spans(np.stack([melody, melody])) == []
    mix = melody + _talk(music=False)[0]
    assert near(spans(np.stack([mix, mix])), TALK)


def test_times_start_where_the_sound_starts_and_chunks_do_not_matter():
    sound = _talk()
    assert spans(sound, chunk=4096) == spans(sound, chunk=1000)
    shifted = spans(sound, t0=2.0)
    assert near(shifted, [(a + 2.0, b + 2.0) for a, b in TALK])


def test_another_sample_rate_and_an_empty_meter():
    sound = _talk()[:, ::2]  # 24 kHz
    assert near(spans(sound, rate=RATE // 2), TALK)
    assert SpeechMeter().spans() == []
    short = _talk()[:, : RATE // 20]  # less than one step
    assert spans(short) == []


@pytest.mark.parametrize("music", [True, False])
def test_through_the_decode_pass(music):
    texts, talk = scenes.subtitle_track(["我们在这里讲述百年党史的故事", "红色基因代代相传"])
    path = str(scenes.make(scenes.Scene(seconds=6.5, width=640, height=360, texts=texts, speech=talk,
                                        music=music), "speech"))
    picture, _sound = quality.analyse(path, probe(path), reading=ReadingPlan(subtitles=True))
    found = [(s.start_s, s.end_s) for s in picture.text.speech]
    assert near(found, [(0.6, 3.1), (3.6, 6.1)], slack=0.3)


def test_a_file_without_sound_has_no_speech(tmp_path):
    import av

    path = tmp_path / "mute.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        for index in range(50):
            frame = av.VideoFrame.from_ndarray(np.full((180, 320, 3), 90, np.uint8), format="rgb24")
            frame.pts = index
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    picture, sound = quality.analyse(str(path), probe(str(path)), reading=ReadingPlan(subtitles=True))
    assert sound is None and picture.text.speech == []

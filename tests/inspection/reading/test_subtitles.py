"""The subtitle reader and the subtitle rule, on real videos drawn by scenes.py."""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from pathlib import Path

import av
import numpy as np
import pytest

from guangying.inspection import quality
from guangying.inspection.probe import probe
from guangying.inspection.reading.findings import Span, TextFindings
from guangying.inspection.reading.plan import ReadingPlan
from guangying.inspection.reading.subtitles import judge_subtitles, text_rows
from guangying.rulesets import load_preset

from .scenes import Scene, Text, make, subtitle_track

SIMPLIFIED = ["我们在这里讲述百年党史的故事", "红色基因代代相传", "青年一代有理想有担当",
              "让我们一起走进历史"]
TRADITIONAL = ["我們在這裡講述百年黨史的故事", "紅色基因代代相傳", "青年一代有理想有擔當",
               "讓我們一起走進歷史"]
MIXED = [SIMPLIFIED[0], TRADITIONAL[1], SIMPLIFIED[2], TRADITIONAL[3]]


def _scene(lines: list[str], *, width: int = 640, height: int = 360, background: str = "moving",
           extra: list[Text] | None = None, music: bool = True, **style: object) -> Scene:
    texts, speech = subtitle_track(lines, **style)
    return Scene(seconds=3.0 * len(lines) + 0.5, width=width, height=height, background=background,
                 texts=texts + (extra or []), speech=speech, music=music)


SCENES = {
    "white": _scene(SIMPLIFIED, width=1280, height=720),
    "yellow": _scene(SIMPLIFIED, background="pan", colour=(255, 225, 0)),
    "strip": _scene(SIMPLIFIED, outline=None, strip=True, font="serif"),
    "top": _scene(SIMPLIFIED, where="top", font="sans-bold", size=0.06),
    "portrait": _scene(SIMPLIFIED, width=720, height=1280, where=[0.5, 0.7], size=0.04, font="sans"),
    "small": _scene(SIMPLIFIED, size=0.035, outline_px=1),
    "faint": _scene(SIMPLIFIED, opacity=0.75, background="pan"),
    "still": _scene(SIMPLIFIED, background="still"),
    "dark-thin": _scene(SIMPLIFIED, background="dark", outline_px=1, colour=(235, 235, 235)),
    "traditional": _scene(TRADITIONAL),
    "mixed": _scene(MIXED),
    "silent": _scene(SIMPLIFIED, music=False),
}


def _no_subtitles(**kwargs: object) -> Scene:
    _texts, speech = subtitle_track(SIMPLIFIED)
    return Scene(seconds=12.5, width=640, height=360, speech=speech, **kwargs)  # type: ignore[arg-type]


SCENES["none"] = _no_subtitles()
SCENES["title"] = _no_subtitles(texts=[Text("红色记忆", where="top", size=0.08),
                                       Text("百年党史微课堂", where="bottom", size=0.05)])
_half_texts, _half_speech = subtitle_track(SIMPLIFIED)
SCENES["half"] = Scene(seconds=12.5, width=640, height=360, texts=_half_texts[:2], speech=_half_speech)
SCENES["silent"] = Scene(seconds=12.5, width=640, height=360, texts=subtitle_track(SIMPLIFIED)[0],
                         music=False)
SCENES["short-title"] = Scene(seconds=8.0, width=640, height=360, speech=[(1.0, 7.0)],
                              texts=[Text("百年党史微课堂", where="bottom", size=0.06)])

HUBEI = "hubei-2026-weiguang"  # subtitles required, Simplified
CHONGQING = "chongqing-2026-hongse"  # subtitles not required; if any, Simplified


def rule(preset: str, **changes: object):
    found = next(r for r in load_preset(preset).technical if r.check == "subtitles")
    return found.model_copy(update=changes) if changes else found


@cache
def read(path: str, evidence: bool = True) -> tuple[object, TextFindings]:
    media = probe(path)
    picture, _sound = quality.analyse(path, media, evidence=evidence,
                                      reading=ReadingPlan(subtitles=True, script=True))
    assert picture is not None and picture.text is not None
    return media, picture.text


def read_scene(name: str) -> tuple[object, TextFindings]:
    return read(str(make(SCENES[name], f"subtitles-{name}")))


def lines_of(preset: str, name: str, **changes: object) -> dict[str | None, object]:
    media, text = read_scene(name)
    return {v.check: v for v in judge_subtitles(rule(preset, **changes), text, media)}


def _similar_text(a: str, b: str) -> float:
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a, b).ratio()


# ---- the reader ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["white", "yellow", "strip", "top", "portrait", "small", "faint", "still",
                                  "dark-thin"])
def test_burned_in_simplified_lines_are_read_with_their_times(name):
    _media, text = read_scene(name)
    assert not text.problems
    texts = [c.text for c in text.captions]
    assert len(texts) == len(SIMPLIFIED), texts
    for caption, expected, start in zip(text.captions, SIMPLIFIED, np.arange(len(SIMPLIFIED)) * 3 + 0.5,
                                        strict=True):
        assert _similar_text(caption.text, expected) >= 0.85, (caption.text, expected)
        assert abs(caption.start_s - start) <= 0.4
        assert abs(caption.end_s - (start + 2.7)) <= 0.4
    # OCR once per line, with few retries: never per picture.
    assert text.ocr_calls <= 2 * len(SIMPLIFIED) + 2


SECOND = ["新时代的青年接过接力棒", "从此中国革命面貌焕然一新", "这座旧址见证了峥嵘岁月",
          "统一战线是重要法宝"]
ENGLISH = ["We tell the story of a century here", "The red gene is passed down", "Young people have ideals",
           "Let us walk into history"]


@pytest.mark.parametrize("second", [SECOND, ENGLISH], ids=["two-chinese-lines", "bilingual"])
def test_two_line_subtitles_are_one_caption_each(second):
    lines = [f"{a}\n{b}" for a, b in zip(SIMPLIFIED, second, strict=True)]
    _media, text = read(str(make(_scene(lines), "subtitles-two-lines")))
    assert len(text.captions) == 4
    for caption, first, other in zip(text.captions, SIMPLIFIED, second, strict=True):
        assert _similar_text(caption.text.replace(" ", ""), (first + other).replace(" ", "")) >= 0.85


def test_a_box_of_several_lines_is_cut_where_the_strokes_thin_out():
    mask = np.zeros((40, 100), bool)
    mask[2:14, 5:95:2] = True  # first line
    mask[15, 50] = True  # a stray stroke between the lines is not a line
    mask[22:36, 5:80:2] = True  # second line
    assert text_rows(mask) == [(2, 14), (22, 36)]
    assert text_rows(np.zeros((20, 50), bool)) == []


def test_lines_that_follow_each_other_without_a_gap():
    texts, speech = subtitle_track(SIMPLIFIED, gap=0.0)
    _media, text = read(str(make(Scene(seconds=12.5, width=640, height=360, texts=texts, speech=speech),
                                 "subtitles-no-gap")))
    assert [c.text for c in text.captions] == SIMPLIFIED
    for caption, start in zip(text.captions, (0.5, 3.5, 6.5, 9.5), strict=True):
        assert abs(caption.start_s - start) <= 0.4 and abs(caption.end_s - (start + 3.0)) <= 0.4


def test_the_band_is_where_the_lines_are():
    _media, top = read_scene("top")
    assert all(c.box[1] < 0.2 * top.height for c in top.captions)
    _media, portrait = read_scene("portrait")
    assert (portrait.width, portrait.height) == (720, 1280)
    assert all(0.6 * 1280 < c.box[1] < 0.8 * 1280 for c in portrait.captions)


def test_examples_are_kept_only_with_evidence():
    path = str(make(SCENES["yellow"], "subtitles-yellow"))
    _media, text = read(path)
    assert sum(c.jpeg_base64 is not None for c in text.captions) >= 3
    assert text.subtitle_samples
    _media, bare = read(path, evidence=False)
    assert [c.text for c in bare.captions] == [c.text for c in text.captions]
    assert not any(c.jpeg_base64 for c in bare.captions) and not bare.subtitle_samples


def test_a_title_that_stays_is_not_a_subtitle():
    for name in ("title", "short-title"):
        _media, text = read_scene(name)
        assert text.captions == [], name


def test_a_line_shown_again_reuses_its_reading():
    lines = [SIMPLIFIED[0], SIMPLIFIED[1], SIMPLIFIED[0], SIMPLIFIED[1]]
    path = str(make(_scene(lines), "subtitles-again"))
    _media, text = read(path)
    assert [c.text for c in text.captions] == lines
    assert text.ocr_calls <= 3


# ---- the rule ----------------------------------------------------------------------------------

def _outcomes(preset: str, name: str, **changes: object) -> dict[str | None, str]:
    return {check: v.outcome for check, v in lines_of(preset, name, **changes).items()}


def test_full_simplified_subtitles_pass():
    verdicts = lines_of(HUBEI, "white")
    main, script = verdicts[None], verdicts["subtitles.script"]
    assert main.outcome == "pass" and script.outcome == "pass"
    assert main.params["coverage"] >= 0.9 and main.params["captions"] == 4
    assert "覆盖率" in main.actual and "%" in main.actual and "coverage" not in main.actual
    assert main.evidence and main.evidence[0].jpeg_base64
    assert _outcomes(CHONGQING, "white") == {None: "pass", "subtitles.script": "pass"}


def test_traditional_and_mixed_subtitles_fail_the_script_line_with_examples():
    for name in ("traditional", "mixed"):
        for preset in (HUBEI, CHONGQING):
            verdicts = lines_of(preset, name)
            assert verdicts[None].outcome == "pass"
            script = verdicts["subtitles.script"]
            assert script.outcome == "fail", (name, preset, script.actual)
            assert "紅色基因代代相傳" in script.message and "秒" in script.message
            assert script.label == "字幕简繁" and script.message_en
    assert "混用" in lines_of(HUBEI, "mixed")["subtitles.script"].actual
    assert _outcomes(HUBEI, "traditional", script="traditional") == {None: "pass", "subtitles.script": "pass"}
    assert _outcomes(HUBEI, "traditional", script="any") == {None: "pass"}


def test_no_subtitles_fail_where_required_and_pass_where_not():
    verdicts = lines_of(HUBEI, "none")
    assert list(verdicts) == [None]
    assert verdicts[None].outcome == "fail"
    assert "未发现字幕" in verdicts[None].actual and "0:03.6" in verdicts[None].message
    assert any(e.jpeg_base64 for e in verdicts[None].evidence)
    chongqing = lines_of(CHONGQING, "none")[None]
    assert chongqing.outcome == "pass" and chongqing.actual == "无字幕，本活动不要求"
    assert _outcomes(HUBEI, "title") == {None: "fail"}


def test_subtitles_on_half_the_speech():
    verdicts = lines_of(HUBEI, "half")
    main = verdicts[None]
    assert main.outcome == "fail" and 0.35 <= main.params["coverage"] <= 0.6
    assert "0:06.2" in main.message and "0:09.6" in main.message  # the longest stretches without
    assert _outcomes(HUBEI, "half", min_coverage=0.4)[None] == "pass"
    assert _outcomes(CHONGQING, "half")[None] == "pass"


def test_no_speech_judges_on_presence():
    assert _outcomes(HUBEI, "silent") == {None: "pass", "subtitles.script": "pass"}
    assert "未检测到对白" in lines_of(HUBEI, "silent")[None].actual


def _with_soft_track(source: Path, target: Path, cues: list[tuple[float, float, str]]) -> Path:
    """The scene's streams copied, with a mov_text subtitle track added (as a muxer writes it)."""
    with av.open(str(source)) as inp, av.open(str(target), "w") as out:
        streams = {s.index: out.add_stream_from_template(s) for s in inp.streams
                   if s.type in ("video", "audio")}
        text_stream = out.add_stream("mov_text")
        text_stream.metadata["language"] = "chi"
        from tests.inspection.samples import ASS_HEADER

        text_stream.codec_context.subtitle_header = ASS_HEADER
        text_stream.codec_context.time_base = Fraction(1, 1000)
        for packet in inp.demux():
            if packet.dts is None or packet.stream.index not in streams:
                continue
            packet.stream = streams[packet.stream.index]
            out.mux(packet)
        for start, end, line in cues:
            cue = av.subtitles.subtitle.SubtitleSet.create(
                ("0,0,Default,,0,0,0,," + line).encode(), 0, int((end - start) * 1000), pts=int(start * 1000))
            packet = text_stream.codec_context.encode_subtitle(cue)
            packet.stream = text_stream
            packet.time_base = Fraction(1, 1000)
            packet.pts = packet.dts = int(start * 1000)
            out.mux(packet)
    return target


def test_a_soft_subtitle_track_counts_when_it_is_chinese(tmp_path):
    source = make(SCENES["none"], "subtitles-none")
    cues = [(0.5 + 3 * i, 3.2 + 3 * i, line) for i, line in enumerate(SIMPLIFIED)]
    chinese = _with_soft_track(source, tmp_path / "soft.mp4", cues)
    media, text = read(str(chinese))
    assert [t for _a, _b, t in media.subtitles[0].text] == SIMPLIFIED
    verdicts = {v.check: v for v in judge_subtitles(rule(HUBEI), text, media)}
    assert verdicts[None].outcome == "pass" and verdicts[None].params["soft_cues"] == 4
    assert verdicts["subtitles.script"].outcome == "pass"

    traditional = [(a, b, t) for (a, b, _s), t in zip(cues, TRADITIONAL, strict=True)]
    media, text = read(str(_with_soft_track(source, tmp_path / "soft-tw.mp4", traditional)))
    verdicts = {v.check: v for v in judge_subtitles(rule(HUBEI), text, media)}
    assert verdicts["subtitles.script"].outcome == "fail" and "软字幕" in verdicts["subtitles.script"].message

    english = [(a, b, f"Line {i} of the story") for i, (a, b, _t) in enumerate(cues)]
    media, text = read(str(_with_soft_track(source, tmp_path / "soft-en.mp4", english)))
    assert [v.outcome for v in judge_subtitles(rule(HUBEI), text, media)] == ["fail"]


# ---- bad input ---------------------------------------------------------------------------------

def _plain_video(path: Path, frames: int, picture) -> Path:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 640, 360, "yuv420p"
        for index in range(frames):
            frame = av.VideoFrame.from_ndarray(picture(index), format="rgb24")
            frame.pts = index
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def test_black_frames_have_no_subtitles(tmp_path):
    path = _plain_video(tmp_path / "black.mp4", 100, lambda i: np.zeros((360, 640, 3), np.uint8))
    media, text = read(str(path))
    assert text.captions == [] and text.ocr_calls == 0 and not text.problems
    # No speech heard and no subtitles: a person decides; a rule that does not require them passes.
    assert [v.outcome for v in judge_subtitles(rule(HUBEI), text, media)] == ["review"]
    assert [v.outcome for v in judge_subtitles(rule(CHONGQING), text, media)] == ["pass"]


def test_a_one_frame_video(tmp_path):
    """The probe refuses a single picture; the reader given one picture alone reads nothing."""
    from guangying.inspection.probe import ProbeError
    from guangying.inspection.reading.reader import PictureReader

    from .scenes import _frames

    scene = Scene(seconds=0.04, width=640, height=360, texts=[Text(SIMPLIFIED[0])])
    picture = next(_frames(scene))[1]
    path = _plain_video(tmp_path / "one.mp4", 1, lambda i: picture)
    with pytest.raises(ProbeError):
        probe(str(path))
    media = probe(str(make(SCENES["none"], "subtitles-none")))
    reader = PictureReader(ReadingPlan(subtitles=True, script=True), media)
    luma = np.ascontiguousarray(picture.mean(axis=2).astype(np.uint8))
    small = luma[::4, ::4].copy()
    reader.look(0.0, luma, small, False)
    text = reader.finish([])
    assert text.captions == [] and not text.problems and text.ocr_calls == 0
    assert judge_subtitles(rule(HUBEI), text, media)[0].outcome == "review"


def _findings(captions=(), speech=((0.0, 10.0),), problems=()) -> TextFindings:
    from guangying.inspection.reading.findings import Caption

    return TextFindings(width=640, height=360, duration_s=10.0,
                        captions=[Caption(start_s=a, end_s=b, text=t, score=s, box=(100, 300, 200, 20))
                                  for a, b, t, s in captions],
                        speech=[Span(a, b) for a, b in speech], problems=list(problems))


class _Media:
    subtitles: list = []


def test_unreliable_reading_goes_to_a_person():
    poor = _findings([(0.0, 4.0, "我们在这里讲述", 0.55), (4.0, 9.0, "红色基因代代相传", 0.6)])
    assert [v.outcome for v in judge_subtitles(rule(HUBEI), poor, _Media())] == ["review", "review"]
    broken = _findings(problems=["SubtitleReader: ValueError: bad"])
    assert [v.outcome for v in judge_subtitles(rule(HUBEI), broken, _Media())] == ["review"]
    assert [v.outcome for v in judge_subtitles(rule(CHONGQING), broken, _Media())] == ["review"]
    assert judge_subtitles(rule(HUBEI), None, _Media()) == []


def test_coverage_counts_only_the_speech_time():
    findings = _findings([(0.0, 3.0, "我们在这里讲述", 0.95), (20.0, 30.0, "红色基因代代相传", 0.95)],
                         speech=[(1.0, 5.0), (6.0, 8.0)])
    main = judge_subtitles(rule(HUBEI), findings, _Media())[0]
    assert main.params["coverage"] == pytest.approx(2 / 6, abs=0.01)
    assert main.outcome == "fail" and "0:03.0–0:05.0" in main.message and "0:06.0–0:08.0" in main.message


# ---- through the engine ------------------------------------------------------------------------

# Both presets make the subtitles a review rule: a fault the reader finds goes to the organiser.
@pytest.mark.parametrize(("name", "preset", "expected"), [
    ("white", HUBEI, {"subtitles": "pass", "subtitles.script": "pass"}),
    ("traditional", CHONGQING, {"subtitles": "pass", "subtitles.script": "review"}),
    ("none", HUBEI, {"subtitles": "review"}),
    ("none", CHONGQING, {"subtitles": "pass"}),
    ("half", HUBEI, {"subtitles": "review", "subtitles.script": "pass"}),
])
def test_the_engine_reports_the_subtitle_lines(name, preset, expected):
    from guangying.inspection.engine import inspect

    report = inspect(make(SCENES[name], f"subtitles-{name}"), load_preset(preset),
                     entrant="中共长川市委统战部", title="百年党史", declares_ai=False, mode="full")
    lines = {line.check: line for line in report.lines if line.check.startswith("subtitles")}
    assert {check: str(line.outcome) for check, line in lines.items()} == expected
    if name == "white":
        assert lines["subtitles"].params["coverage"] >= 0.9
        assert lines["subtitles"].evidence[0].jpeg_base64
        assert lines["subtitles.script"].label == "字幕简繁"


def test_lines_that_differ_in_one_word_are_read_apart_at_1080p():
    """Openers and closers as in a documentary: the cache must not take one line for the other."""
    lines = ["一九二一年七月，先辈们在这里点燃了革命的火种", "一九三五年一月，先辈们在这里点燃了革命的火种",
             "一九二一年七月，先辈们在这里点燃了革命的火种"]
    texts, speech = subtitle_track(lines, font="sans", size=0.05)
    path = make(Scene(seconds=9.5, width=1920, height=1080, texts=texts, speech=speech), "subtitles-1080p")
    _media, text = read(str(path))
    assert [c.text for c in text.captions] == lines  # one caption per line, the comma inside it
    # Once per distinct line, and once more at most for a line first seen with a piece missing.
    assert text.ocr_calls <= 4


def test_an_ocr_failure_is_a_problem_not_a_silent_pass():
    """A reading job that raises: the reader says so, and the rule goes to a person."""
    from guangying.inspection.reading.reader import PictureReader

    path = str(make(SCENES["yellow"], "subtitles-yellow"))
    media = probe(path)

    class Broken(PictureReader):
        def submit(self, job, *args):
            def fail(*_args):
                raise RuntimeError("model file unreadable")

            return super().submit(fail, *args)

    reader = Broken(ReadingPlan(subtitles=True, script=True), media)
    with av.open(path) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index % 5 == 0:
                small = frame.reformat(width=480, height=270, format="gray").to_ndarray()
                reader.look(float(frame.time), frame.to_ndarray(format="gray"), small, False)
    text = reader.finish([Span(0.5, 12.0)])
    assert text.captions == [] and any("model file unreadable" in p for p in text.problems)
    assert [v.outcome for v in judge_subtitles(rule(HUBEI), text, media)] == ["review"]


def test_subtitles_without_chinese_are_not_chinese_subtitles():
    path = make(_scene(ENGLISH), "subtitles-english")
    media, text = read(str(path))
    assert len(text.captions) == 4 and "story" in text.captions[0].text
    verdicts = {v.check: v for v in judge_subtitles(rule(HUBEI), text, media)}
    assert verdicts[None].outcome == "fail" and "不是中文" in verdicts[None].actual
    assert verdicts["subtitles.script"].outcome == "review"  # no Chinese characters to judge
    chongqing = {v.check: v.outcome for v in judge_subtitles(rule(CHONGQING), text, media)}
    assert chongqing == {None: "pass", "subtitles.script": "review"}

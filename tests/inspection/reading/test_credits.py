"""End credits read from real videos: the unit named, not named, named wrongly, scrolling, busy."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import av
import numpy as np
import pytest

from guangying.inspection.engine import inspect
from guangying.inspection.probe import probe
from guangying.inspection.quality import analyse
from guangying.inspection.reading import ReadingPlan
from guangying.inspection.reading.credits import MAX_READS, frame_text, judge_end_credits
from guangying.inspection.reading.findings import ReadFrame, TextFindings, TextLine
from guangying.inspection.reading.reader import PictureReader
from guangying.rulesets import load_preset
from guangying.rulesets.schema import EndCreditsRule
from tests.inspection.reading.scenes import Scene, Text, make

UNIT = "中共长川市委统战部"
CREDITS = "出品单位\n中共长川市委\n统一战线工作部\n\n摄制  长川市融媒体中心"


def rule(window_s: float = 20, severity: str = "hard") -> EndCreditsRule:
    return EndCreditsRule(check="end_credits", must_name_entrant=True, window_s=window_s, severity=severity)


def read(path: Path, window_s: float = 20) -> TextFindings:
    media = probe(str(path))
    picture, _sound = analyse(str(path), media, reading=ReadingPlan(credits_window_s=window_s))
    assert picture is not None and picture.text is not None
    return picture.text


def programme(credits: str, *, seconds: float = 12, credits_from: float = 7, **style) -> Scene:
    """A programme: a title card, then the credits to the end."""
    return Scene(seconds=seconds, width=960, height=540, texts=[
        Text("红色光影 英雄重庆", 0.5, credits_from - 1, where="center", size=0.08),
        Text(credits, credits_from, seconds + 1, **{"where": "center", "size": 0.05, **style}),
    ])


@pytest.fixture(scope="module")
def static_credits() -> TextFindings:
    return read(make(programme(CREDITS), "credits-static"), window_s=6)


def test_static_credits_name_the_unit(static_credits: TextFindings) -> None:
    text = static_credits
    assert text.credits_from_s == pytest.approx(6.0, abs=0.1)
    assert all(frame.time_s >= 5.9 for frame in text.credits)
    [verdict] = judge_end_credits(rule(6), text, UNIT)
    assert verdict.outcome == "pass", verdict.actual
    assert "长川市委统战部" in verdict.actual
    [evidence] = verdict.evidence
    assert evidence.time_s >= 7 and evidence.jpeg_base64
    assert verdict.params["time_s"] >= 7


def test_unchanged_credits_are_not_read_twice_and_few_pictures_are_kept(static_credits: TextFindings) -> None:
    # The background moves, so the card is read about once a second: never more than the cap.
    assert 3 <= len(static_credits.credits) <= 8
    assert sum(1 for f in static_credits.credits if f.jpeg_base64) <= 3


@pytest.mark.parametrize("entrant", [
    "长川市委统战部", "中共长川市委员会统一战线工作部", "中国共产党长川市委员会统战部"])
def test_the_form_may_spell_the_unit_otherwise(static_credits: TextFindings, entrant: str) -> None:
    assert judge_end_credits(rule(6), static_credits, entrant)[0].outcome == "pass"


def test_another_unit_fails_and_shows_the_text_found(static_credits: TextFindings) -> None:
    [verdict] = judge_end_credits(rule(6), static_credits, "长川市委宣传部")
    assert verdict.outcome == "fail"
    assert "出品单位" in verdict.message and "长川市融媒体中心" in verdict.message
    assert verdict.evidence and all(e.jpeg_base64 for e in verdict.evidence)
    # The reader says the rule is broken; the Judge makes of it what the severity says (test_checks).
    assert judge_end_credits(rule(6, "review"), static_credits, "长川市委宣传部")[0].outcome == "fail"


def read_for(path: Path, entrant: str, window_s: float = 20) -> TextFindings:
    media = probe(str(path))
    plan = ReadingPlan(credits_window_s=window_s, entrant=entrant)
    picture, _sound = analyse(str(path), media, reading=plan)
    assert picture is not None and picture.text is not None
    return picture.text


def test_told_the_unit_the_reader_stops_at_the_first_read_naming_it(static_credits: TextFindings) -> None:
    text = read_for(make(programme(CREDITS), "credits-static"), UNIT, window_s=6)
    # Read from the end backwards: the card is on screen there, so one read finds the unit.
    assert len(text.credits) == 1 < len(static_credits.credits)
    [verdict] = judge_end_credits(rule(6), text, UNIT)
    assert verdict.outcome == "pass" and verdict.evidence[0].jpeg_base64


def test_told_another_unit_the_whole_window_is_read(static_credits: TextFindings) -> None:
    text = read_for(make(programme(CREDITS), "credits-static"), "长川市委宣传部", window_s=6)
    assert len(text.credits) == len(static_credits.credits)
    assert judge_end_credits(rule(6), text, "长川市委宣传部")[0].outcome == "fail"


def test_the_plan_carries_the_unit_only_where_credits_are_read() -> None:
    hubei, chongqing = load_preset("hubei-2026-weiguang"), load_preset("chongqing-2026-hongse")
    assert ReadingPlan.for_rules(hubei, UNIT).entrant == UNIT
    assert ReadingPlan.for_rules(chongqing, UNIT).entrant is None
    assert ReadingPlan.from_json(ReadingPlan.for_rules(hubei, UNIT).to_json()).entrant == UNIT


def test_a_near_miss_unit_is_named_in_the_report() -> None:
    text = read(make(programme("出品单位\n中共长山市委统战部"), "credits-nearmiss"), window_s=6)
    [verdict] = judge_end_credits(rule(6), text, UNIT)
    assert verdict.outcome == "fail"
    assert "长山市委统战部" in verdict.actual and verdict.params["similar"] == "长山市委统战部"


def test_prefix_left_out_and_short_form_on_screen() -> None:
    text = read(make(programme("联合出品\n长川市委统战部", credits_from=8), "credits-short"), window_s=5)
    assert judge_end_credits(rule(5), text, "中共长川市委员会统一战线工作部")[0].outcome == "pass"
    assert judge_end_credits(rule(5), text, "中共长川区委统战部")[0].outcome == "fail"


def test_scrolling_credits() -> None:
    lines = ("出品单位\n中共长川市委\n统一战线工作部\n\n摄制\n长川市融媒体中心\n\n剪辑  张三\n\n"
             "鸣谢\n长川市档案馆")
    scene = Scene(seconds=12, width=960, height=540, texts=[
        Text("正片", 0, 2, where="center", size=0.1),
        Text(lines, 2, 13, size=0.05, scroll=0.22)])
    text = read(make(scene, "credits-scroll"), window_s=10)
    [verdict] = judge_end_credits(rule(10), text, UNIT)
    assert verdict.outcome == "pass", verdict.actual
    seen = " ".join(frame_text(f) for f in text.credits)
    assert "长川市档案馆" in seen.replace(" ", "")  # the last lines are read too
    assert len(text.credits) <= MAX_READS


def test_credits_on_a_busy_panning_picture() -> None:
    scene = programme("出品\n中共长川市委统战部", outline=None, colour=(255, 255, 230), size=0.045)
    scene = replace(scene, background="pan", seed=7)
    text = read(make(scene, "credits-busy"), window_s=6)
    assert judge_end_credits(rule(6), text, UNIT)[0].outcome == "pass"


def test_no_credits_at_all() -> None:
    scene = Scene(seconds=8, width=640, height=360, texts=[Text("正片", 0, 3, where="center", size=0.1)])
    text = read(make(scene, "credits-none"), window_s=4)
    [verdict] = judge_end_credits(rule(4), text, UNIT)
    assert verdict.outcome == "fail"
    assert "未识别到文字" in verdict.actual and "4 秒" in verdict.actual


def test_a_video_shorter_than_the_window_is_read_whole() -> None:
    scene = Scene(seconds=5, width=640, height=360,
                  texts=[Text("中共长川市委统战部 出品", 2, 6, where="center")])
    text = read(make(scene, "credits-shortvideo"), window_s=20)
    assert text.credits_from_s == 0
    assert judge_end_credits(rule(20), text, UNIT)[0].outcome == "pass"


def test_black_pictures_are_not_read() -> None:
    scene = Scene(seconds=6, width=640, height=360, background="dark",
                  texts=[Text("正片", 0, 2, where="center", size=0.1)])
    text = read(make(scene, "credits-dark"), window_s=3)
    # The dark background still has shapes: it is read, and has no text.
    assert judge_end_credits(rule(3), text, UNIT)[0].outcome == "fail"


def _feed(path: Path, reader: PictureReader, every: int = 5) -> None:
    """The decode pass's calls, made by hand: every fifth picture, as quality.analyse does at 25 fps."""
    with av.open(str(path)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index % every:
                continue
            luma = frame.to_ndarray(format="gray")
            small = luma[::2, ::2]
            reader.look(float(frame.time), luma, np.ascontiguousarray(small), bool(luma.max() < 33))


def test_unknown_duration_reads_the_last_window_from_the_buffer() -> None:
    path = make(programme(CREDITS), "credits-static")
    media = replace(probe(str(path)), duration_s=None)
    media.main_video.duration_s = None
    reader = PictureReader(ReadingPlan(credits_window_s=6), media)
    assert reader.duration_s is None
    _feed(path, reader)
    text = reader.finish([])
    assert text.credits_from_s == pytest.approx(5.8, abs=0.3)
    assert judge_end_credits(rule(6), text, UNIT)[0].outcome == "pass"


def test_a_duration_longer_than_the_picture_still_reads_its_end() -> None:
    path = make(programme(CREDITS), "credits-static")
    media = replace(probe(str(path)), duration_s=40.0)  # the sound runs on after the picture
    reader = PictureReader(ReadingPlan(credits_window_s=6), media)
    _feed(path, reader)
    text = reader.finish([])
    assert text.credits and judge_end_credits(rule(6), text, UNIT)[0].outcome == "pass"


def test_a_two_picture_video() -> None:
    # One picture is refused by the probe as a still; two are the shortest video there is.
    scene = Scene(seconds=0.08, width=640, height=360, texts=[Text("中共长川市委统战部", where="center")])
    text = read(make(scene, "credits-twoframes"), window_s=20)
    assert len(text.credits) == 1
    assert judge_end_credits(rule(), text, UNIT)[0].outcome == "pass"


# ---- the judge on its own


def frames(*texts: str, start: float = 10.0) -> TextFindings:
    out = TextFindings(width=1280, height=720, duration_s=20.0, credits_from_s=start)
    for i, text in enumerate(texts):
        lines = [TextLine(part, 0.9, (100, 100 + 50 * k, 400, 40)) for k, part in enumerate(text.split("\n"))]
        out.credits.append(ReadFrame(time_s=start + i, lines=lines))
    return out


def test_a_name_scrolled_across_two_reads() -> None:
    text = frames("出品单位\n中共长川市委", "统一战线工作部\n剪辑 张三")
    [verdict] = judge_end_credits(rule(), text, UNIT)
    assert verdict.outcome == "pass" and verdict.params["time_s"] == 10.0


def test_two_columns_read_row_by_row() -> None:
    frame = ReadFrame(time_s=1.0, lines=[
        TextLine("统战部", 0.9, (520, 302, 200, 40)),
        TextLine("出品：中共长川市委", 0.9, (100, 300, 400, 40))])
    assert frame_text(frame) == "出品：中共长川市委 统战部"


def test_no_unit_name_or_unread_credits_go_to_a_person() -> None:
    text = frames("出品单位\n中共长川市委统战部")
    assert judge_end_credits(rule(), text, None)[0].outcome == "review"
    assert judge_end_credits(rule(), text, "  ")[0].outcome == "review"
    assert judge_end_credits(rule(), None, UNIT) == []  # not read: the Judge asks a person
    failed = frames()
    failed.problems = ["CreditsReader: RuntimeError: onnx"]
    assert judge_end_credits(rule(), failed, UNIT)[0].outcome == "review"


def test_a_rule_that_asks_for_nothing_passes() -> None:
    relaxed = EndCreditsRule(check="end_credits", must_name_entrant=False, severity="hard")
    assert judge_end_credits(relaxed, None, UNIT)[0].outcome == "pass"


# ---- through the engine


def test_engine_end_to_end() -> None:
    path = make(programme(CREDITS), "credits-static")
    rules = load_preset("hubei-2026-weiguang")
    good = inspect(path, rules, entrant=UNIT, title="t", mode="full")
    line = next(item for item in good.lines if item.check == "end_credits")
    assert line.outcome == "pass", (line.actual, line.message)
    assert line.evidence and line.evidence[0].jpeg_base64
    other = inspect(path, rules, entrant="长山市委统战部", title="t", mode="full")
    line = next(item for item in other.lines if item.check == "end_credits")
    assert line.outcome == "review" and "长山市委统战部" in line.message  # severity review in the preset

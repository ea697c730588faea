"""AI-content labels: the explicit label read from real videos, the implicit one from their metadata."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guangying.inspection.engine import inspect
from guangying.inspection.probe import probe
from guangying.inspection.quality import analyse
from guangying.inspection.reading import ReadingPlan
from guangying.inspection.reading.findings import ReadFrame, TextFindings, TextLine
from guangying.inspection.reading.labels import (
    explicit_label,
    implicit_labels,
    is_label,
    judge_ai_label,
    looks_like_label,
    parse_aigc,
)
from guangying.rulesets import load_preset
from guangying.rulesets.schema import AiLabelRule
from tests.inspection.reading.scenes import Scene, Text, make
from tests.inspection.samples import AIGC_VALUE

CHONGQING = AiLabelRule(check="ai_label", severity="hard", ai_allowed=True, label_required_when_ai=True,
                        explicit=True, implicit=True, declare=True)
HUBEI = AiLabelRule(check="ai_label", severity="warn", ai_allowed=True, label_required_when_ai=False,
                    explicit=False, implicit=False, declare=False)


def scene(*texts: Text, metadata: dict[str, str] | None = None, width: int = 960, height: int = 540) -> Scene:
    return Scene(seconds=6, width=width, height=height, metadata=metadata or {},
                 texts=[Text("第一章 红岩", 1, 5.5, where="center", size=0.1), *texts])


def read(path: Path) -> tuple[TextFindings, object]:
    media = probe(str(path))
    picture, _sound = analyse(str(path), media, reading=ReadingPlan(opening_s=10))
    assert picture is not None and picture.text is not None
    return picture.text, media


def judged(rule: AiLabelRule, path: Path, declares_ai: bool | None = True):
    text, media = read(path)
    [verdict] = judge_ai_label(rule, text, media, declares_ai, decoded=True)
    return verdict, text


WITH_AIGC = {"AIGC": AIGC_VALUE}
TOP8 = Text("本视频由人工智能生成", 0, 3, where="top", size=0.08)


# ---- the words


@pytest.mark.parametrize("text", [
    "本视频由人工智能生成", "AI生成", "内容由AI合成", "ＡＩ生成", "本片部分画面由 AI 生成", "AIGC合成内容"])
def test_label_wordings(text: str) -> None:
    assert is_label(text)


@pytest.mark.parametrize("text", ["人工智能", "生成", "MAIN生成", "第一章 红岩", ""])
def test_not_labels(text: str) -> None:
    assert not is_label(text)


def test_half_a_label_is_for_a_person() -> None:
    assert looks_like_label("人工智熊生或") and looks_like_label("AI")
    assert not looks_like_label("第一章 红岩")


# ---- explicit labels in real videos


def test_a_large_label_at_the_top_for_three_seconds_passes() -> None:
    path = make(scene(TOP8, metadata=WITH_AIGC), "ai-top8")
    verdict, text = judged(CHONGQING, path)
    assert verdict.outcome == "pass", (verdict.actual, verdict.message)
    found = explicit_label(text)
    assert found.where == "top" and 0.065 <= found.height <= 0.085
    assert 2.5 <= found.seconds <= 3.5
    assert verdict.evidence and verdict.evidence[0].jpeg_base64 and verdict.evidence[0].time_s == 0
    assert "本视频由人工智能生成" in verdict.actual


def test_full_width_ai_at_the_bottom() -> None:
    label = Text("ＡＩ生成", 0.5, 4, where="bottom", size=0.07)
    path = make(scene(label, metadata=WITH_AIGC), "ai-fullwidth")
    verdict, text = judged(CHONGQING, path)
    assert verdict.outcome == "pass", (verdict.actual, verdict.message)
    assert explicit_label(text).where == "bottom"


def test_a_label_at_the_limit_is_for_a_person() -> None:
    # Text(size=0.05) is a line 5% high: its characters (font size) are about 4.4%, just under the limit.
    path = make(scene(Text("AI生成", 0, 3, where="bottom", size=0.05), metadata=WITH_AIGC), "ai-bottom5")
    verdict, text = judged(CHONGQING, path)
    assert verdict.outcome == "review", verdict.actual
    assert 0.04 <= explicit_label(text).height < 0.05
    assert "字高" in verdict.message


def test_a_small_label_fails_with_its_height() -> None:
    label = Text("内容由AI合成", 0, 3, where="bottom", size=0.03)
    path = make(scene(label, metadata=WITH_AIGC), "ai-small3")
    verdict, text = judged(CHONGQING, path)
    assert verdict.outcome == "fail"
    assert explicit_label(text).height < 0.04
    assert "字高约" in verdict.message and "5%" in verdict.message


def test_a_short_label_fails_with_its_duration() -> None:
    path = make(scene(Text("内容由AI合成", 0, 1, where="top", size=0.08), metadata=WITH_AIGC), "ai-short1")
    verdict, text = judged(CHONGQING, path)
    assert verdict.outcome == "fail"
    assert explicit_label(text).seconds < 1.75
    assert "持续约" in verdict.message and "2 秒" in verdict.message


def test_a_label_on_two_lines_in_portrait() -> None:
    label = Text("本视频内容\n由人工智能生成", 0, 4, where="top", size=0.07, font="sans")
    path = make(scene(label, metadata=WITH_AIGC, width=540, height=960), "ai-portrait")
    verdict, _text = judged(CHONGQING, path)
    assert verdict.outcome == "pass", (verdict.actual, verdict.message)


def test_no_label_when_ai_is_declared_fails() -> None:
    path = make(scene(), "ai-none")
    verdict, text = judged(CHONGQING, path)
    assert verdict.outcome == "fail"
    assert "开头未见" in verdict.actual and "元数据中没有" in verdict.actual
    assert "隐式标识" in verdict.message and "显式标识" in verdict.message
    assert verdict.evidence and verdict.evidence[0].jpeg_base64  # what the opening looks like
    # Not declared and nothing found: nothing to label.
    [quiet] = judge_ai_label(CHONGQING, text, probe(str(path)), False, decoded=True)
    assert quiet.outcome == "pass"
    [unknown] = judge_ai_label(CHONGQING, text, probe(str(path)), None, decoded=True)
    assert unknown.outcome == "pass"


def test_an_explicit_label_without_metadata_fails_on_the_implicit_part() -> None:
    path = make(scene(TOP8), "ai-top8-nometa")
    verdict, _text = judged(CHONGQING, path)
    assert verdict.outcome == "fail"
    assert "AIGC 隐式标识" in verdict.message and "显式标识不符合" not in verdict.message


def test_form_says_no_ai_but_the_file_says_ai() -> None:
    path = make(scene(TOP8, metadata=WITH_AIGC), "ai-top8")
    verdict, _text = judged(CHONGQING, path, declares_ai=False)
    assert verdict.outcome == "review"
    assert "声明未使用 AI" in verdict.message and "主办方" in verdict.message


def test_hubei_reports_what_it_finds_as_information() -> None:
    path = make(scene(TOP8, metadata=WITH_AIGC), "ai-top8")
    verdict, _ = judged(HUBEI, path, declares_ai=None)
    assert verdict.outcome == "warn" and "展播平台" in verdict.message
    verdict, _ = judged(HUBEI, make(scene(), "ai-none"), declares_ai=None)
    assert verdict.outcome == "pass"


def test_unreliable_reading_is_never_a_silent_pass() -> None:
    text = TextFindings(width=960, height=540, opening=[
        ReadFrame(0.0, [TextLine("本视频由人工智熊生或", 0.6, (100, 20, 400, 40))]),
        ReadFrame(1.0, [TextLine("本视频由人工智熊生或", 0.6, (100, 20, 400, 40))])])
    media = probe(str(make(scene(metadata=WITH_AIGC), "ai-meta-only")))
    [verdict] = judge_ai_label(CHONGQING, text, media, True, decoded=True)
    assert verdict.outcome == "review" and "人工核对" in verdict.message
    failed = TextFindings(width=960, height=540, problems=["OpeningReader: RuntimeError: onnx"])
    [verdict] = judge_ai_label(CHONGQING, failed, media, True, decoded=True)
    assert verdict.outcome == "review"
    [verdict] = judge_ai_label(CHONGQING, None, media, True, decoded=True)  # the opening not read at all
    assert verdict.outcome == "review"


# ---- implicit labels


def test_parse_a_valid_label() -> None:
    label = parse_aigc(AIGC_VALUE)
    assert label.valid and label.label == "1"
    assert parse_aigc(AIGC_VALUE.replace('"Label":"1"', '"Label":"3"')).label == "3"


@pytest.mark.parametrize(("raw", "problem"), [
    ("not json", "不是 JSON"),
    ('["Label", "1"]', "不是 JSON 对象"),
    ('{"Label":"1"}', "缺少字段 ContentProducer"),
    (AIGC_VALUE.replace('"Label":"1"', '"Label":"4"'), "Label 值「4」无效"),
    (AIGC_VALUE.replace('"Label":"1"', '"Label":""'), "无效"),
    (AIGC_VALUE.replace('"ProduceID":"gy-test-0001"', '"ProduceID":7'), "字段不是文字：ProduceID"),
])
def test_malformed_labels(raw: str, problem: str) -> None:
    label = parse_aigc(raw)
    assert not label.valid
    assert any(problem in p for p in label.problems), label.problems


def metadata_mode(path: Path, declares_ai: bool | None = True, rule: AiLabelRule = CHONGQING):
    [verdict] = judge_ai_label(rule, None, probe(str(path)), declares_ai, decoded=False)
    return verdict


def test_metadata_mode_judges_the_implicit_label_and_waits_for_the_picture() -> None:
    verdict = metadata_mode(make(scene(metadata=WITH_AIGC), "ai-meta-only"))
    assert verdict.outcome == "review"
    assert "Label=1" in verdict.actual and "待完整检查" in verdict.actual
    assert "完整检查" in verdict.message
    verdict = metadata_mode(make(scene(), "ai-none"))
    assert verdict.outcome == "fail" and "隐式标识" in verdict.message
    assert metadata_mode(make(scene(), "ai-none"), declares_ai=False).outcome == "pass"


def test_malformed_metadata_label() -> None:
    broken = json.dumps({"Label": "9", "ContentProducer": "x"})
    verdict = metadata_mode(make(scene(metadata={"AIGC": broken}), "ai-meta-broken"))
    assert verdict.outcome == "fail"
    assert "格式不符" in verdict.actual and "Label 值「9」无效" in verdict.actual


def test_two_labels_in_one_file(tmp_path: Path) -> None:
    second = AIGC_VALUE.replace("0001", "0002")
    source = make(scene(metadata={"AIGC": AIGC_VALUE, "AIGX": second}), "ai-meta-two")
    data = source.read_bytes()
    assert data.count(b"mdtaAIGX") == 1
    path = tmp_path / "two.mp4"
    path.write_bytes(data.replace(b"mdtaAIGX", b"mdtaAIGC"))
    found = implicit_labels(probe(str(path)))
    assert found.duplicated and not found.valid
    verdict = metadata_mode(path)
    assert verdict.outcome == "fail" and "2 个 AIGC 隐式标识" in verdict.actual
    assert "只能有一个" in verdict.message
    # Hubei asks for no label, but a label there must still be well formed.
    assert metadata_mode(path, declares_ai=None, rule=HUBEI).outcome == "warn"


# ---- through the engine


def test_engine_chongqing() -> None:
    rules = load_preset("chongqing-2026-hongse")
    good = make(scene(TOP8, metadata=WITH_AIGC), "ai-top8")
    report = inspect(good, rules, entrant="长川市委统战部", title="红岩", declares_ai=True, mode="full")
    line = next(item for item in report.lines if item.check == "ai_label")
    assert line.outcome == "pass", (line.actual, line.message)
    assert line.evidence and line.evidence[0].jpeg_base64
    flagged = inspect(good, rules, entrant="长川市委统战部", title="红岩", declares_ai=False, mode="full")
    line = next(item for item in flagged.lines if item.check == "ai_label")
    assert line.outcome == "review" and "主办方" in line.message
    headers = inspect(good, rules, entrant="长川市委统战部", title="红岩", declares_ai=True, mode="metadata")
    line = next(item for item in headers.lines if item.check == "ai_label")
    assert line.outcome == "review" and "待完整检查" in line.actual
    bare = make(scene(), "ai-none")
    report = inspect(bare, rules, entrant="长川市委统战部", title="红岩", declares_ai=True, mode="full")
    line = next(item for item in report.lines if item.check == "ai_label")
    assert line.outcome == "review" and "显式标识" in line.message  # the preset's severity is review


def test_a_black_opening_and_a_two_picture_video() -> None:
    dark = Scene(seconds=4, width=640, height=360, background="dark", texts=[])
    verdict, text = judged(CHONGQING, make(dark, "ai-dark"))
    assert verdict.outcome == "fail" and not explicit_label(text).found
    tiny = Scene(seconds=0.08, width=640, height=360, texts=[Text("AI生成", where="center", size=0.1)],
                 metadata=WITH_AIGC)
    verdict, text = judged(CHONGQING, make(tiny, "ai-twoframes"))
    assert explicit_label(text).found
    assert verdict.outcome == "fail" and "持续约" in verdict.message  # on screen 0.08 s

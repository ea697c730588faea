"""Simplified or Traditional, decided on strings: the pure part of the subtitle script line."""

from __future__ import annotations

import pytest

from guangying.inspection.reading.script import count_script, judge_script

SIMPLIFIED = [(0.5, "我们在这里讲述百年党史的故事"), (3.5, "红色基因代代相传"),
              (6.5, "青年一代有理想有担当"), (9.5, "让我们一起走进历史")]
TRADITIONAL = [(0.5, "我們在這裡講述百年黨史的故事"), (3.5, "紅色基因代代相傳"),
               (6.5, "青年一代有理想有擔當"), (9.5, "讓我們一起走進歷史")]


def outcome(lines, want="simplified", **kwargs):
    verdict = judge_script(lines, want, **kwargs)
    return verdict.outcome if verdict else None


def test_counts_only_the_characters_that_tell_the_scripts_apart():
    assert count_script("我们在这里").traditional == 0 and count_script("我们在这里").simplified == 3
    assert count_script("我們在這裡").traditional == 3 and count_script("我們在這裡").simplified == 0
    both = count_script("皇后的中国人")  # 后 is a Traditional character too in 皇后; 国 is Simplified
    assert both.traditional == 0 and both.simplified == 1 and both.han == 6
    assert count_script("Hello, 2026！，。").han == 0


def test_simplified_passes_and_traditional_fails():
    verdict = judge_script(SIMPLIFIED, "simplified")
    assert verdict.outcome == "pass" and verdict.check == "subtitles.script"
    assert verdict.params["traditional_only"] == 0 and verdict.actual_en
    failed = judge_script(TRADITIONAL, "simplified")
    assert failed.outcome == "fail" and "字幕为繁体中文" in failed.actual
    assert "0.5 秒「我們在這裡講述百年黨史的故事」" in failed.message
    assert "0.5 s" in failed.message_en
    assert outcome(TRADITIONAL, "traditional") == "pass"
    assert outcome(SIMPLIFIED, "traditional") == "fail"


def test_mixed_lines_fail():
    mixed = [SIMPLIFIED[0], TRADITIONAL[1], SIMPLIFIED[2], TRADITIONAL[3]]
    verdict = judge_script(mixed, "simplified")
    assert verdict.outcome == "fail" and "混用" in verdict.actual
    assert "紅色基因代代相傳" in verdict.message and "我们在这里" not in verdict.message
    # Two short Traditional lines among Simplified ones: still plainly mixed.
    assert outcome([*SIMPLIFIED[:2], (12.0, "謝謝"), (13.0, "開會")]) == "fail"


def test_an_ocr_slip_or_a_name_does_not_fail_simplified_text():
    slip = [*SIMPLIFIED[:3], (9.5, "让我們一起走进历史")]  # one character read in its other form
    assert outcome(slip) == "pass"
    name = [*SIMPLIFIED, (12.5, "歌手邓丽君的老师張先生为我们演唱")]
    assert outcome(name) == "pass"
    # A line that is a name alone goes to a person rather than fail the work.
    assert outcome([*SIMPLIFIED, (12.5, "鄧麗君")]) == "review"


def test_text_without_telling_characters():
    verdict = judge_script([(1.0, "中国人的天空"), (2.0, "皇后")], "simplified")
    assert verdict.outcome == "pass"
    same = judge_script([(1.0, "天空中的人")], "simplified")
    assert same.outcome == "pass" and "简繁写法相同" in same.actual


@pytest.mark.parametrize("lines", [[], [(1.0, "")], [(1.0, "   ")]])
def test_nothing_to_judge(lines):
    assert judge_script(lines, "simplified") is None


def test_latin_and_punctuation_only_go_to_a_person():
    assert outcome([(1.0, "Hello world"), (2.0, "……！")]) == "review"


def test_any_script_gives_no_line():
    assert judge_script(TRADITIONAL, "any") is None


def test_poor_reading_turns_a_decision_into_review():
    assert outcome(TRADITIONAL, reliable=False) == "review"
    assert outcome(SIMPLIFIED, reliable=False) == "review"


def test_soft_subtitle_lines_have_no_time():
    verdict = judge_script([(None, "我們在這裡講述百年黨史的故事"), (None, "紅色基因代代相傳")], "simplified")
    assert verdict.outcome == "fail" and "软字幕「" in verdict.message


def test_strokes_read_from_texture_are_not_subtitles():
    from guangying.inspection.reading.subtitles import is_stroke_noise

    for noise in ("一", "二", "一二", "口", " 丨 "):
        assert is_stroke_noise(noise), noise
    for line in ("一封家书", "二十年", "我们", "日出", "土地上的人"):
        assert not is_stroke_noise(line), line

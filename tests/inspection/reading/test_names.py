"""Unit names in recognised text: every usual spelling matches, no other unit ever does."""

from __future__ import annotations

import pytest

from guangying.inspection.reading.names import (
    allowed_errors,
    canonical,
    find_name,
    name_core,
    normalise,
    similar_name,
    tolerant_positions,
)

UNIT = "中共长川市委统战部"


def test_normalise_drops_spaces_breaks_and_punctuation_of_both_widths() -> None:
    assert normalise("中共 长川市委\n统战部，（出品）: ＡＢ１") == "中共长川市委统战部出品AB1"


def test_canonical_short_forms() -> None:
    assert canonical("中国共产党长川市委员会统一战线工作部") == "中共长川市委统战部"
    assert name_core("中共长川市委员会") == "长川市委"
    assert name_core(" 长川市委统战部 ") == "长川市委统战部"


@pytest.mark.parametrize("text", [
    "中共长川市委统战部",
    "长川市委统战部",  # 「中共」 left out on screen
    "中共长川市委员会统一战线工作部",  # long forms
    "中共长川市委\n统一战线工作部",  # split over two lines
    "出品单位：中共长川市委 统战部 联合出品",
    "出品单位\n中 共 长 川 市 委\n统战部",
    "中共长川市委统战邵",  # one OCR error on an institutional word
    "长川市委统l战部",  # OCR noise between two characters
    "中共长川市委统部",  # a character lost inside an institutional word
])
def test_the_unit_is_found_in_its_spellings(text: str) -> None:
    assert find_name(UNIT, text), text


@pytest.mark.parametrize("name", [
    "长川市委统战部", "中共长川市委员会统一战线工作部", "中国共产党长川市委员会统一战线工作部"])
def test_the_form_may_spell_the_name_either_way(name: str) -> None:
    assert find_name(name, "出品：中共长川市委统战部")
    assert find_name(name, "中共长川市委员会\n统一战线工作部")


@pytest.mark.parametrize("text", [
    "中共长山市委统战部",  # another city, one character away
    "中共长川区委统战部",  # another level
    "中共长川县委统战部",
    "中共长川市委宣传部",  # another department
    "中共长川市委统战局",
    "中共长川市委统战",  # cut short: never a deletion at the name's end
    "川市委统战部",
    "",
])
def test_near_misses_never_match(text: str) -> None:
    assert find_name(UNIT, text) is None, text


def test_a_near_miss_is_named_for_the_report() -> None:
    near = similar_name(UNIT, "出品单位 中共长山市委统战部")
    assert near is not None and near.found == "长山市委统战部"
    assert similar_name(UNIT, "中共长川市委统战部") is None  # a match is no near miss
    assert similar_name(UNIT, "剪辑 张三") is None


def test_place_names_made_of_institutional_characters_stay_strict() -> None:
    # 台 is an institutional character (电视台) but here it is the place: 泰州 is another city.
    assert find_name("台州市委宣传部", "泰州市委宣传部") is None
    assert find_name("台州市委宣传部", "台州市委宣传邵")
    assert tolerant_positions("台州市委宣传部") == [False, False, False, True, True, True, True]


def test_error_budget_is_about_one_in_eight() -> None:
    assert allowed_errors("长川") == 0
    assert allowed_errors("长川市委统战部") == 1
    assert allowed_errors("长川市融媒体中心长川市委统战部") == 2
    # Short names must match exactly.
    assert find_name("长川台", "长川合") is None


def test_names_without_a_level() -> None:
    assert find_name("光明日报社", "光明日报社 联合摄制")
    assert find_name("光明日报社", "光明日报杜") is None  # 社 is the name's last character
    assert find_name("光明日报社", "光明日根社") is None


def test_empty_and_tiny_names() -> None:
    assert find_name("", "长川市委统战部") is None
    assert find_name("中共", "中共长川市委") is None
    assert find_name("   ", "") is None

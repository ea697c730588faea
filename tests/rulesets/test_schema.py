"""A rule set is refused with a Chinese message naming the place, or accepted whole."""

import copy
import enum
import json
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from guangying.rulesets import (
    CHECK_IDS,
    MAX_TEXT_BYTES,
    AspectRatioRule,
    ContainerRule,
    FileNaming,
    ResolutionRule,
    RuleSet,
    RuleSetError,
    blank_ruleset_text,
    dump_ruleset,
    load_preset,
    parse_ruleset,
    parse_ruleset_text,
    preset_text,
)
from guangying.rulesets.errors import problems_from_validation

HUBEI = "hubei-2026-weiguang"
CHONGQING = "chongqing-2026-hongse"


@pytest.fixture
def hubei() -> dict[str, Any]:
    return copy.deepcopy(dump_ruleset(load_preset(HUBEI)))


@pytest.fixture
def chongqing() -> dict[str, Any]:
    return copy.deepcopy(dump_ruleset(load_preset(CHONGQING)))


def refused(source: str | bytes | dict[str, Any]) -> list[str]:
    with pytest.raises(RuleSetError) as caught:
        if isinstance(source, dict):
            parse_ruleset(source)
        else:
            parse_ruleset_text(source)  # type: ignore[arg-type]
    assert caught.value.messages, "a refusal must say why"
    assert str(caught.value) == "\n".join(caught.value.messages)
    return caught.value.messages


def technical(data: dict[str, Any], check: str) -> dict[str, Any]:
    return next(rule for rule in data["technical"] if rule["check"] == check)


def field(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(f for f in data["form"]["fields"] if f["key"] == key)


# --------------------------------------------------------------------------
# Text that is not a rule set at all


@pytest.mark.parametrize("text", ["", "   \n\n  "])
def test_empty_text(text: str) -> None:
    assert refused(text) == ["规则集为空"]


def test_text_with_only_comments() -> None:
    assert refused("# 还没写\n# 以后再说\n") == ["规则集为空（只有注释）"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [("- 甲\n- 乙\n", "列表"), ("42\n", "数字"), ("就一句话\n", "一段文本"), ("true\n", "true/false")],
)
def test_non_mapping_yaml(text: str, kind: str) -> None:
    assert refused(text) == [f"规则集应为一个映射（「键: 值」的形式），实际是{kind}"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: [甲, 乙\n", "第 2 行：YAML 格式错误：方括号列表写法有误：项之间用逗号分隔，并以 ] 结束"),
        (
            "title: 甲: 乙\n",
            "第 1 行：YAML 格式错误：此处不能出现「键: 值」：可能是缩进不对，或值里有冒号而没加引号",
        ),
        ("quota:\n\tmin: 5\n", "第 2 行：YAML 格式错误：不能用 Tab 缩进，请改用空格"),
        ("title: '没有闭合\n", "第 2 行：YAML 格式错误：引号或括号没有闭合"),
        ("a:\n  - b\n c: 1\n", "第 3 行：YAML 格式错误：缩进不一致"),
        ("title: @微光\n", "第 1 行：YAML 格式错误：「@」不能作为值的开头，请给值加引号"),
        (
            'title: "C:\\q"\n',
            "第 1 行：YAML 格式错误：双引号文本中有无效的转义字符（反斜杠 \\ 请写成 \\\\，或改用单引号）",
        ),
        ("a: 1\n---\nb: 2\n", "第 2 行：YAML 格式错误：只能有一个 YAML 文档（不要写第二个 ---）"),
    ],
)
def test_yaml_syntax_errors_give_the_line(text: str, message: str) -> None:
    assert refused(text) == [message]


def test_a_key_written_twice_is_refused_not_silently_overwritten() -> None:
    assert refused("title: 甲\nshort_title: 乙\ntitle: 丙\n") == [
        "第 3 行：键「title」重复出现（第一次在第 1 行）"
    ]


def test_anchors_and_aliases_are_refused() -> None:
    laughs = 'a: &a ["哈", "哈"]\nb: &b [*a, *a]\nc: [*b, *b]\n'
    assert refused(laughs) == ["第 1 行：不支持 YAML 锚点和别名（& 与 *），请把内容直接写出来"]


def test_yaml_tags_are_refused() -> None:
    assert refused("title: !!python/object/apply:os.system ['echo hi']\n") == [
        "第 1 行：不支持 YAML 标签（tag:yaml.org,2002:python/object/apply:os.system），"
        "只能写普通的文本、数字、列表和映射"
    ]


def test_non_text_keys_are_refused() -> None:
    assert refused("2026: 微光\n") == ["第 1 行：键应为文本（收到「2026」）；数字或 true/false 作键请加引号"]


def test_control_characters_in_the_text() -> None:
    assert refused("title: 微\x00光\n") == ["第 1 行：含有 YAML 不允许的控制字符 U+0000，请删除"]


def test_deep_nesting_is_refused() -> None:
    assert refused("a: " + "[" * 200 + "]" * 200 + "\n") == ["第 1 行：嵌套层级过深（超过 40 层）"]


def test_text_over_256_kib_is_refused() -> None:
    assert refused("#" * (MAX_TEXT_BYTES + 1)) == ["规则集文本过大：257 KiB，上限为 256 KiB"]
    text = "# " + "光" * (100 * 1024) + "\n"
    assert refused(text) == ["规则集文本过大：301 KiB，上限为 256 KiB"]
    assert refused(text.encode()) == ["规则集文本过大：301 KiB，上限为 256 KiB"]


def test_text_of_exactly_256_kib_is_read() -> None:
    text = preset_text(HUBEI)
    padding = MAX_TEXT_BYTES - len(text.encode()) - 2
    text += "#" + "x" * padding + "\n"
    assert len(text.encode()) == MAX_TEXT_BYTES
    assert parse_ruleset_text(text) == load_preset(HUBEI)


def test_bytes_must_be_utf8() -> None:
    assert refused("title: 微光".encode("gb18030")) == [
        "规则集文本应为 UTF-8 编码（请用 UTF-8 保存后再上传）"
    ]


def test_utf8_bytes_with_a_bom_are_read() -> None:
    assert parse_ruleset_text(b"\xef\xbb\xbf" + preset_text(HUBEI).encode()) == load_preset(HUBEI)


def test_yaml_1_1_surprises_stay_text(hubei: dict[str, Any]) -> None:
    # YAML 1.1 reads 16:9 as the number 969 and `no` as false.
    text = preset_text(HUBEI).replace('allowed: ["16:9"]', "allowed: [16:9]")
    assert parse_ruleset_text(text) == load_preset(HUBEI)
    text = preset_text(HUBEI).replace("  allowed: false                    #", "  allowed: no  #")
    line = next(i for i, s in enumerate(text.split("\n")) if s.startswith("  allowed: no")) + 1
    assert refused(text) == [f"第 {line} 行：「series.allowed」：应为 true 或 false（收到「no」）"]


# --------------------------------------------------------------------------
# JSON


def test_json_is_read(chongqing: dict[str, Any]) -> None:
    text = json.dumps(chongqing, ensure_ascii=False, indent=2)
    assert parse_ruleset_text(text) == load_preset(CHONGQING)


def test_json_indented_with_tabs_is_read(chongqing: dict[str, Any]) -> None:
    text = json.dumps(chongqing, ensure_ascii=False, indent="\t")
    assert parse_ruleset_text(text) == load_preset(CHONGQING)


def test_broken_json_gives_line_and_column() -> None:
    assert refused('{\n\t"title": "微光",\n\t"quota": {"min": 5 "max": 8}\n}') == [
        "第 3 行：JSON 格式错误（第 21 列）"
    ]


# --------------------------------------------------------------------------
# Keys, types and values


def test_unknown_top_level_key(hubei: dict[str, Any]) -> None:
    hubei["titel"] = "微光"
    (message,) = refused(hubei)
    assert message.startswith(
        "「titel」：不认识的键，是否应为「title」？此处可用的键：schema_version、title、"
    )


def test_unknown_nested_key_suggests_the_right_one(hubei: dict[str, Any]) -> None:
    hubei["quota"]["mxa"] = 8
    assert refused(hubei) == ["「quota.mxa」：不认识的键，是否应为「max」？此处可用的键：min、max、note"]


def test_unknown_key_in_a_technical_rule_names_the_rules_keys(hubei: dict[str, Any]) -> None:
    hubei["technical"][0]["min_sec"] = 120
    assert refused(hubei) == [
        "「technical[0].min_sec」：不认识的键，是否应为「min_s」？"
        "此处可用的键：severity、source、note、check、min_s、max_s、per"
    ]


def test_unknown_key_without_a_near_miss(hubei: dict[str, Any]) -> None:
    hubei["series"]["zzz"] = 1
    assert refused(hubei) == ["「series.zzz」：不认识的键。此处可用的键：allowed、max_episodes、note"]


def test_missing_required_keys(hubei: dict[str, Any]) -> None:
    del hubei["notice"]["issued"]
    del hubei["title"]
    assert refused(hubei) == ["「title」：缺少必填项", "「notice.issued」：缺少必填项"]


def test_missing_key_in_text_points_at_its_parent() -> None:
    text = preset_text(HUBEI).replace("  issued: 2026-04-22", "  # issued: 2026-04-22")
    line = preset_text(HUBEI).split("\n").index("notice:") + 1
    assert refused(text) == [f"第 {line} 行：「notice.issued」：缺少必填项"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("八", "「quota.max」：应为整数（收到「八」）"),
        ("8", "「quota.max」：应为整数（收到「8」）"),
        (True, "「quota.max」：应为整数（收到「true」）"),
        (8.5, "「quota.max」：应为整数（收到「8.5」）"),
        (0, "「quota.max」：应为不小于 1 的数（收到「0」）"),
        ([8], "「quota.max」：应为整数（收到一个列表）"),
    ],
)
def test_wrong_types_for_an_integer(hubei: dict[str, Any], value: Any, message: str) -> None:
    hubei["quota"]["max"] = value
    assert refused(hubei) == [message]


def test_wrong_types_elsewhere(hubei: dict[str, Any]) -> None:
    hubei["short_title"] = 2026
    hubei["phases"] = "全年"
    hubei["notice"]["showcase_platforms"] = {"鄂统云": True}
    hubei["series"]["allowed"] = "yes"
    hubei["entrants"] = ["unit"]
    technical(hubei, "duration")["max_s"] = "五分钟"
    assert refused(hubei) == [
        "「short_title」：应为文本（收到「2026」；纯数字的文本请加引号）",
        "「notice.showcase_platforms」：应为列表（每项一行，以「- 」开头）（收到一个映射）",
        "「phases」：应为列表（每项一行，以「- 」开头）（收到「全年」）",
        "「entrants」：应为映射（「键: 值」的形式）（收到一个列表）",
        "「series.allowed」：应为 true 或 false（收到「yes」）",
        "「technical[0].max_s」：应为数字（收到「五分钟」）",
    ]


def test_not_a_number(hubei: dict[str, Any]) -> None:
    technical(hubei, "duration")["max_s"] = float("nan")
    assert refused(hubei) == ["「technical[0].max_s」：应为有限的数字，不能是 inf 或 nan"]


def test_literal_choices(hubei: dict[str, Any]) -> None:
    hubei["entrants"]["kinds"] = ["company"]
    technical(hubei, "loudness")["severity"] = "fatal"
    assert refused(hubei) == [
        "「entrants.kinds[0]」：应为以下之一：unit、individual（收到「company」）",
        "「technical[9].severity」：应为以下之一：hard、warn、review（收到「fatal」）",
    ]


def test_schema_version_must_be_1() -> None:
    text = preset_text(HUBEI).replace("schema_version: 1", "schema_version: 2")
    assert refused(text) == ["第 6 行：「schema_version」：应为以下之一：1（收到「2」）"]


def test_empty_and_over_long_text(hubei: dict[str, Any]) -> None:
    hubei["title"] = "   "
    hubei["short_title"] = "光" * 61
    assert refused(hubei) == ["「title」：不能为空", "「short_title」：不能超过 60 个字符（现有 61 个）"]


def test_empty_lists_where_one_item_is_needed(hubei: dict[str, Any]) -> None:
    hubei["entrants"]["kinds"] = []
    hubei["review"]["rounds"] = []
    assert refused(hubei) == ["「entrants.kinds」：至少需要一项", "「review.rounds」：至少需要一项"]


def test_too_many_items(hubei: dict[str, Any]) -> None:
    hubei["phases"] = hubei["phases"] * 7
    assert refused(hubei) == ["「phases」：最多 20 项（现有 21 项）"]


def test_many_errors_are_capped(hubei: dict[str, Any]) -> None:
    hubei["notice"]["showcase_platforms"] = [1] * 30
    hubei["content_rules"] = [{"key": "甲"}] * 30
    messages = refused(hubei)
    assert len(messages) == 51
    assert messages[-1].startswith("……另有 ") and messages[-1].endswith(" 处错误未列出")


def test_errors_carry_path_and_line() -> None:
    text = preset_text(HUBEI).replace("  max: 8", "  max: 3")
    with pytest.raises(RuleSetError) as caught:
        parse_ruleset_text(text)
    (problem,) = caught.value.problems
    assert problem.path == "quota.min"
    assert (
        problem.line
        == preset_text(HUBEI)
        .split("\n")
        .index("  min: 5                            # 四、（一）3.「每个单位报送5—8件」")
        + 1
    )
    assert problem.text == "「quota.min」（5）不能大于「quota.max」（3）"


# --------------------------------------------------------------------------
# Relations between values


def test_quota_min_above_max(hubei: dict[str, Any]) -> None:
    hubei["quota"] = {"min": 9, "max": 8}
    assert refused(hubei) == ["「quota.min」（9）不能大于「quota.max」（8）"]


def test_min_above_max_in_text_names_the_line() -> None:
    lines = preset_text(HUBEI).split("\n")
    min_line = next(i for i, line in enumerate(lines) if line.startswith("  min: 5")) + 1
    text = preset_text(HUBEI).replace("  max: 8", "  max: 3")
    assert refused(text) == [f"第 {min_line} 行：「quota.min」（5）不能大于「quota.max」（3）"]


def test_duration_min_above_max(hubei: dict[str, Any]) -> None:
    technical(hubei, "duration").update(min_s=300, max_s=120)
    assert refused(hubei) == ["「technical[0].min_s」（300）不能大于「technical[0].max_s」（120）"]


def test_duration_needs_a_bound(hubei: dict[str, Any]) -> None:
    technical(hubei, "duration").update(min_s=None, max_s=None)
    assert refused(hubei) == ["「technical[0].min_s」和「technical[0].max_s」至少要填一个"]


def test_negative_duration(hubei: dict[str, Any]) -> None:
    technical(hubei, "duration")["min_s"] = -1
    assert refused(hubei) == ["「technical[0].min_s」：应为大于 0 的数（收到「-1」）"]


def test_people_min_items_above_max(hubei: dict[str, Any]) -> None:
    field(hubei, "creators").update(min_items=3, max_items=2)
    assert refused(hubei) == ["「form.fields[1].min_items」（3）不能大于「form.fields[1].max_items」（2）"]


def test_frame_rate_bounds(chongqing: dict[str, Any]) -> None:
    technical(chongqing, "frame_rate")["max_fps"] = 24
    assert refused(chongqing) == ["「technical[4].min_fps」（25）不能大于「technical[4].max_fps」（24）"]


def test_phase_ending_before_it_starts(hubei: dict[str, Any]) -> None:
    hubei["phases"][0]["ends"] = "2026-03-01"
    assert refused(hubei) == ["「phases[0].ends」（2026-03-01）不能早于「phases[0].starts」（2026-04-01）"]


def test_phase_without_dates_is_fine(hubei: dict[str, Any]) -> None:
    hubei["phases"][2].update(starts=None, ends=None)
    assert parse_ruleset(hubei).phases[2].starts is None


def test_submission_opening_after_it_closes(hubei: dict[str, Any]) -> None:
    hubei["submission"]["opens"] = "2026-08-01"
    assert refused(hubei) == ["「submission.opens」（2026-08-01）不能晚于「submission.closes」（2026-07-31）"]


def test_duplicate_phase_keys(hubei: dict[str, Any]) -> None:
    hubei["phases"][2]["key"] = "creation"
    assert refused(hubei) == ["「phases[2].key」：「creation」与「phases[0].key」重复"]


def test_series_not_allowed_but_episodes_given(hubei: dict[str, Any]) -> None:
    hubei["series"]["max_episodes"] = 3
    assert refused(hubei) == [
        "「series.allowed」为 false（不允许系列作品）时，「series.max_episodes」只能为 1 或不填（收到 3）"
    ]


def test_series_needs_episode_in_file_name(chongqing: dict[str, Any]) -> None:
    chongqing["file_naming"]["template"] = "{entrant}+{title}"
    assert refused(chongqing) == [
        "「file_naming.template」：允许系列作品（「series.allowed」为 true）时，"
        "文件名模板须含 {episode}，否则同一作品各集的文件同名"
    ]


def test_entrant_kinds(hubei: dict[str, Any]) -> None:
    hubei["entrants"]["kinds"] = ["unit", "unit"]
    assert refused(hubei) == ["「entrants.kinds[1]」：「unit」与「entrants.kinds[0]」重复"]
    hubei["entrants"] = {"kinds": ["unit"], "individual_requires_unit": True}
    assert refused(hubei) == [
        "「entrants.individual_requires_unit」只在「entrants.kinds」含 individual"
        "（允许个人参加）时才能为 true"
    ]


def test_cloud_link_method_needs_its_terms(chongqing: dict[str, Any]) -> None:
    chongqing["submission"]["cloud_link"] = None
    assert refused(chongqing) == [
        "「submission.methods」含 cloud_link 时须填写「submission.cloud_link」（网盘链接的要求）"
    ]
    chongqing["submission"]["methods"] = ["upload"]
    assert parse_ruleset(chongqing).submission.cloud_link is None


# --------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30", "「notice.issued」：日期「2026-02-30」不存在"),
        ("tomorrow", "「notice.issued」：应为日期，格式如 2026-07-31（收到「tomorrow」）"),
        ("2026/04/22", "「notice.issued」：应为日期，格式如 2026-07-31（收到「2026/04/22」）"),
        (20260422, "「notice.issued」：应为日期，格式如 2026-07-31（收到「20260422」）"),
        (0, "「notice.issued」：应为日期，格式如 2026-07-31（收到「0」）"),
        ("1926-04-22", "「notice.issued」：日期「1926-04-22」的年份应在 2000—2100 之间"),
        (None, "「notice.issued」：应为日期，格式如 2026-07-31（收到空值）"),
    ],
)
def test_bad_dates(hubei: dict[str, Any], value: Any, message: str) -> None:
    hubei["notice"]["issued"] = value
    assert refused(hubei) == [message]


def test_bad_date_in_text_is_reported_at_its_place() -> None:
    text = preset_text(HUBEI).replace("closes: 2026-07-31", "closes: 2026-07-32")
    line = next(i for i, s in enumerate(text.split("\n")) if "closes: 2026-07-32" in s) + 1
    assert refused(text) == [f"第 {line} 行：「submission.closes」：日期「2026-07-32」不存在"]


def test_a_date_with_a_time_is_refused(hubei: dict[str, Any]) -> None:
    hubei["submission"]["closes"] = datetime(2026, 7, 31, 18, 0)
    assert refused(hubei) == ["「submission.closes」：应为日期（不含时间），格式如 2026-07-31"]


# --------------------------------------------------------------------------
# Form and documents


def test_duplicate_field_keys(hubei: dict[str, Any]) -> None:
    hubei["form"]["fields"][3]["key"] = "synopsis"
    assert refused(hubei) == ["「form.fields[3].key」：「synopsis」与「form.fields[2].key」重复"]


def test_form_without_a_title_field(hubei: dict[str, Any]) -> None:
    hubei["form"]["fields"] = [f for f in hubei["form"]["fields"] if f["key"] != "title"]
    hubei["documents"][0]["layout"] = []
    assert refused(hubei) == [
        "「form.fields」须包含作品名称字段：key 为 title、type 为 text"
        "（文件命名、汇总表和展播都要用到作品名称）"
    ]


def test_title_field_must_be_text(hubei: dict[str, Any]) -> None:
    field(hubei, "title")["type"] = "textarea"
    assert refused(hubei) == ["「form.fields[0].type」：作品名称字段 title 的类型应为 text（收到 textarea）"]


def test_unknown_field_type(hubei: dict[str, Any]) -> None:
    field(hubei, "script")["type"] = "file"
    (message,) = refused(hubei)
    assert message == (
        "「form.fields[3].type」：应为以下之一：text、textarea、phone、url、choice、people、broadcast、"
        "duration（收到「file」）"
    )


def test_choice_needs_options_and_only_choice_has_them(hubei: dict[str, Any]) -> None:
    field(hubei, "contact_name")["type"] = "choice"
    assert refused(hubei) == ["「form.fields[4].options」：choice 类型的字段须列出可选项"]
    field(hubei, "contact_name").update(type="text", options=["甲"])
    assert refused(hubei) == ["「form.fields[4].options」只适用于 choice 类型，不适用于 text"]


def test_people_needs_columns(hubei: dict[str, Any]) -> None:
    field(hubei, "creators")["columns"] = []
    assert refused(hubei) == [
        "「form.fields[1].columns」：people 类型的字段须列出各栏（如 姓名、职务、联系方式）"
    ]


def test_max_chars_only_for_typed_text(hubei: dict[str, Any]) -> None:
    field(hubei, "creators")["max_chars"] = 10
    assert refused(hubei) == [
        "「form.fields[1].max_chars」只适用于 text、textarea、phone、url 类型，不适用于 people"
    ]


def test_upload_document_without_formats(hubei: dict[str, Any]) -> None:
    hubei["documents"][1]["formats"] = []
    assert refused(hubei) == [
        "「documents[1].formats」：需要上传的文件须列出可接受的格式（如 pdf、jpg、png）"
    ]


def test_document_format_outside_the_list(hubei: dict[str, Any]) -> None:
    hubei["documents"][1]["formats"] = ["pdf", "exe"]
    assert refused(hubei) == [
        "「documents[1].formats[1]」：应为以下之一：pdf、jpg、png、docx、doc、txt（收到「exe」）"
    ]


def test_document_size_limits(hubei: dict[str, Any]) -> None:
    hubei["documents"][1]["max_size_mb"] = 500
    assert refused(hubei) == ["「documents[1].max_size_mb」：应为不大于 200 的数（收到「500」）"]


def test_layout_refers_to_existing_fields(hubei: dict[str, Any]) -> None:
    hubei["documents"][0]["layout"][4]["sources"] = ["form.scrpit"]
    assert refused(hubei) == ["「documents[0].layout[4].sources[0]」：表单中没有字段「scrpit」"]


def test_layout_source_must_be_known(hubei: dict[str, Any]) -> None:
    hubei["documents"][0]["layout"][1]["sources"] = ["entrant.password"]
    (message,) = refused(hubei)
    assert message.startswith(
        "「documents[0].layout[1].sources」：不认识的数据来源「entrant.password」；"
        "应为 form.<字段标识> 或 entrant、"
    )


def test_layout_only_for_generated_documents(hubei: dict[str, Any]) -> None:
    hubei["documents"][1]["layout"] = hubei["documents"][0]["layout"]
    assert refused(hubei) == ["「documents[1].layout」只适用于平台生成的文件（source: generated）"]


# --------------------------------------------------------------------------
# Technical rules


def test_unknown_check_id(hubei: dict[str, Any]) -> None:
    hubei["technical"][2]["check"] = "bitrate"
    assert refused(hubei) == [
        "「technical[2].check」：不认识的检查项「bitrate」；可用：" + "、".join(CHECK_IDS)
    ]


def test_missing_check_id(hubei: dict[str, Any]) -> None:
    del hubei["technical"][2]["check"]
    assert refused(hubei) == ["「technical[2]」：缺少「check」（检查项标识）"]


def test_each_check_at_most_once(hubei: dict[str, Any]) -> None:
    hubei["technical"].append({"check": "duration", "severity": "warn", "max_s": 600})
    assert refused(hubei) == ["「technical[13].check」：「duration」与「technical[0].check」重复"]


def test_resolution_needs_exactly_one_form(hubei: dict[str, Any]) -> None:
    technical(hubei, "resolution")["min_short_side"] = 1080
    assert refused(hubei) == ["「technical[4].exact」和「technical[4].min_short_side」须填且只填一个"]
    technical(hubei, "resolution").update(exact=None, min_short_side=None)
    assert refused(hubei) == ["「technical[4].exact」和「technical[4].min_short_side」须填且只填一个"]


def test_resolution_exact_needs_two_numbers(hubei: dict[str, Any]) -> None:
    technical(hubei, "resolution")["exact"] = [1920]
    assert refused(hubei) == ["「technical[4].exact[1]」：缺少必填项"]
    technical(hubei, "resolution")["exact"] = "1920*1080"
    assert refused(hubei) == ["「technical[4].exact」：应为列表，如 [1920, 1080]（收到「1920*1080」）"]


def test_exact_resolution_must_fit_the_aspect_ratio(hubei: dict[str, Any]) -> None:
    technical(hubei, "resolution")["exact"] = [1440, 1080]
    assert refused(hubei) == [
        "「technical[4].exact」（1440×1080）不符合「technical[5].allowed」中的任何宽高比"
    ]


def test_aspect_ratio_spelling_and_orientation(hubei: dict[str, Any]) -> None:
    technical(hubei, "aspect_ratio")["allowed"] = ["16/9"]
    assert refused(hubei) == ['「technical[5].allowed」：宽高比「16/9」应写成「宽:高」，如 "16:9"（加引号）']
    technical(hubei, "aspect_ratio")["allowed"] = ["16:9", "9:16"]
    assert refused(hubei) == [
        "「technical[5].allowed[1]」（9:16）与「technical[5].orientation」（landscape）不符"
    ]


def test_container_extensions_must_belong_to_the_container(hubei: dict[str, Any]) -> None:
    technical(hubei, "container")["extensions"] = ["mp4", "avi"]
    assert refused(hubei) == [
        "「technical[1].extensions[1]」：扩展名「avi」不属于所允许的封装格式；可用：mp4、m4v"
    ]


def test_container_extensions_default_from_the_containers(chongqing: dict[str, Any]) -> None:
    del technical(chongqing, "container")["extensions"]
    rs = parse_ruleset(chongqing)
    assert rs.video_extensions == ["mpg", "mpeg", "mp4", "mov"]
    assert rs == load_preset(CHONGQING)


def test_codec_names_are_normalised(hubei: dict[str, Any]) -> None:
    technical(hubei, "video_codec")["allowed"] = ["H.264"]
    assert parse_ruleset(hubei) == load_preset(HUBEI)
    technical(hubei, "video_codec")["allowed"] = ["h264; rm -rf /"]
    assert refused(hubei) == ["「technical[2].allowed[0]」：编码名「h264;rmrf/」不合规，应如 h264、hevc、aac"]


def test_ai_label_required_needs_a_kind_of_label(chongqing: dict[str, Any]) -> None:
    technical(chongqing, "ai_label").update(explicit=False, implicit=False)
    assert refused(chongqing) == [
        "「technical[8].label_required_when_ai」为 true 时，"
        "「technical[8].explicit」和「technical[8].implicit」至少一个为 true"
    ]


def test_every_check_id_has_a_rule_type(hubei: dict[str, Any]) -> None:
    hubei["technical"] = [{"check": check, "severity": "warn"} for check in CHECK_IDS]
    messages = refused(hubei)
    assert not any("不认识的检查项" in m for m in messages)


# --------------------------------------------------------------------------
# Hostile strings


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("微光\u202e映同心", "「title」：含有不可见字符或控制字符 U+202E，请删除"),
        ("微光\u200b映同心", "「title」：含有不可见字符或控制字符 U+200B，请删除"),
        ("微光\x00映同心", "「title」：含有不可见字符或控制字符 U+0000，请删除"),
        ("微光\x1b[31m映同心", "「title」：含有不可见字符或控制字符 U+001B，请删除"),
        ("微光\n映同心", "「title」：应为单行文本，不能换行"),
        ("光" * 201, "「title」：不能超过 200 个字符（现有 201 个）"),
    ],
)
def test_hostile_titles(hubei: dict[str, Any], value: str, message: str) -> None:
    hubei["title"] = value
    assert refused(hubei) == [message]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("../../etc/passwd", "「timezone」：时区「../../etc/passwd」不合规，应如 Asia/Shanghai"),
        ("/etc/localtime", "「timezone」：时区「/etc/localtime」不合规，应如 Asia/Shanghai"),
        ("Asia/Beijing", "「timezone」：没有名为「Asia/Beijing」的时区，应如 Asia/Shanghai"),
        ("asia/shanghai", "「timezone」：没有名为「asia/shanghai」的时区，应如 Asia/Shanghai"),
    ],
)
def test_hostile_timezones(hubei: dict[str, Any], value: str, message: str) -> None:
    hubei["timezone"] = value
    assert refused(hubei) == [message]


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "{entrant.__class__}",
            "「file_naming.template」：不认识的占位符「{entrant.__class__}」；"
            "只能使用 {entrant}、{title}、{episode}",
        ),
        (
            "{title!r}",
            "「file_naming.template」：不认识的占位符「{title!r}」；只能使用 {entrant}、{title}、{episode}",
        ),
        (
            "{title:>999999}",
            "「file_naming.template」：不认识的占位符「{title:>999999}」；"
            "只能使用 {entrant}、{title}、{episode}",
        ),
        (
            "{0}-{title}",
            "「file_naming.template」：不认识的占位符「{0}」；只能使用 {entrant}、{title}、{episode}",
        ),
        (
            "{entrant-{title}",
            "「file_naming.template」：花括号不成对；只能使用占位符 {entrant}、{title}、{episode}，"
            "字面的花括号请写成 {{ 或 }}",
        ),
        (
            "{entrant}-{title",
            "「file_naming.template」：花括号不成对；只能使用占位符 {entrant}、{title}、{episode}，"
            "字面的花括号请写成 {{ 或 }}",
        ),
        ("../{entrant}/{title}", "「file_naming.template」：文件名中不能有字符 /"),
    ],
)
def test_hostile_file_name_templates(hubei: dict[str, Any], template: str, message: str) -> None:
    hubei["file_naming"]["template"] = template
    assert refused(hubei) == [message]


def test_must_match_needs_its_placeholder(hubei: dict[str, Any]) -> None:
    hubei["file_naming"]["template"] = "{title}"
    assert refused(hubei) == [
        "「file_naming.must_match[0]」要求文件名含 entrant，但「file_naming.template」中没有 {entrant}"
    ]


def test_document_body_placeholders(hubei: dict[str, Any]) -> None:
    hubei["documents"][1]["body"] = "本单位报送作品《{title.__globals__}》"
    assert refused(hubei) == [
        "「documents[1].body」：不认识的占位符「{title.__globals__}」；只能使用 {entrant}、{title}"
    ]


@pytest.mark.parametrize(
    ("key", "shown"),
    [("Title", "Title"), ("作品名称", "作品名称"), ("../x", "../x"), ("a b", "a b"), ("", "")],
)
def test_hostile_keys(hubei: dict[str, Any], key: str, shown: str) -> None:
    hubei["form"]["fields"][3]["key"] = key
    assert refused(hubei) == [
        f"「form.fields[3].key」：标识「{shown}」不合规：应以小写英文字母开头，"
        "只含小写字母、数字和下划线，最长 40 个字符（如 contact_phone）"
    ]


def test_long_received_values_are_shortened_in_messages(hubei: dict[str, Any]) -> None:
    hubei["entrants"]["kinds"] = ["x" * 1000]
    (message,) = refused(hubei)
    assert message == "「entrants.kinds[0]」：应为以下之一：unit、individual（收到「" + "x" * 40 + "…」）"


def test_html_in_text_is_kept_verbatim(hubei: dict[str, Any]) -> None:
    # Escaping is the templates' job; the rule set keeps what was written.
    hubei["summary"] = "<script>alert(1)</script>"
    assert parse_ruleset(hubei).summary == "<script>alert(1)</script>"


def test_text_is_normalised(hubei: dict[str, Any]) -> None:
    hubei["short_title"] = "  微光映同心\u3000 "
    hubei["summary"] = "第一段\r\n第二段\n"
    rs = parse_ruleset(hubei)
    assert rs.short_title == "微光映同心"
    assert rs.summary == "第一段\n第二段"


# --------------------------------------------------------------------------
# Errors as objects


def test_rule_set_error_is_an_exception_with_messages() -> None:
    error = RuleSetError("规则集为空")
    assert isinstance(error, Exception)
    assert error.messages == ["规则集为空"]
    assert error.problems[0].text == "规则集为空"


# --------------------------------------------------------------------------
# Derived values


def test_submission_times_are_aware_and_inclusive(hubei: dict[str, Any]) -> None:
    rs = parse_ruleset(hubei)
    shanghai = timezone(timedelta(hours=8))
    assert rs.submission_closes_at == datetime(2026, 7, 31, 23, 59, 59, 999999, tzinfo=shanghai)
    assert rs.submission_opens_at == datetime(2026, 4, 1, 0, 0, tzinfo=shanghai)
    hubei["submission"]["opens"] = None
    hubei["timezone"] = "Europe/London"
    rs = parse_ruleset(hubei)
    assert rs.submission_opens_at is None
    assert rs.submission_closes_at == datetime(2026, 7, 31, 22, 59, 59, 999999, tzinfo=UTC)


def test_lookups(hubei: dict[str, Any]) -> None:
    rs = parse_ruleset(hubei)
    assert rs.admits("unit") and not rs.admits("individual") and not rs.admits("")
    assert rs.form_field("synopsis") is not None and rs.form_field("synopsis").max_chars == 200
    assert rs.form_field("nope") is None
    assert isinstance(rs.technical_rule("container"), ContainerRule)
    assert rs.technical_rule("frame_rate") is None
    assert rs.phase("review") is not None and rs.phase("review").label == "遴选评审阶段"
    assert rs.category("direction") is not None
    assert rs.document("info_sheet") is not None


def test_video_extensions_without_a_container_rule(hubei: dict[str, Any]) -> None:
    hubei["technical"] = [t for t in hubei["technical"] if t["check"] != "container"]
    assert parse_ruleset(hubei).video_extensions == []


def test_rule_sets_are_frozen(hubei: dict[str, Any]) -> None:
    rs = parse_ruleset(hubei)
    with pytest.raises(Exception, match="frozen"):
        rs.title = "改了"  # type: ignore[misc]


def test_aspect_ratio_match() -> None:
    rule = AspectRatioRule(
        check="aspect_ratio", severity="hard", allowed=["16:9", "4:3", "9:16"], orientation="any"
    )
    assert rule.match(1920, 1080) == "16:9"
    assert rule.match(1080, 1920) == "9:16"
    assert rule.match(1440, 1080) == "4:3"
    assert rule.match(1920, 1088) == "16:9"  # within 1 %
    assert rule.match(2560, 1080) is None
    assert rule.match(0, 1080) is None


def test_resolution_accepts() -> None:
    exact = ResolutionRule(check="resolution", severity="hard", exact=(1920, 1080))
    assert exact.accepts(1920, 1080) and not exact.accepts(1080, 1920) and not exact.accepts(3840, 2160)
    minimum = ResolutionRule(check="resolution", severity="hard", min_short_side=1080)
    assert minimum.accepts(1080, 1920) and minimum.accepts(3840, 2160)
    assert not minimum.accepts(1280, 720)


def test_file_naming() -> None:
    naming = FileNaming(template="{entrant}+{title}{episode}", must_match=["entrant", "title"])
    assert naming.render(entrant="长川市委统战部", title="同心路") == "长川市委统战部+同心路"
    assert naming.render(entrant="长川", title="同心/路", episode=2) == "长川+同心_路（第2集）"
    assert naming.missing_parts("长川市委统战部+同心路.mp4", entrant="长川市委统战部", title="同心路") == []
    assert (
        naming.missing_parts(
            "长川市委统战部 + 同心路（第１集）.MOV", entrant="长川市委统战部", title="同心路"
        )
        == []
    )
    assert naming.missing_parts("同心路.mp4", entrant="长川市委统战部", title="同心路") == ["entrant"]
    assert naming.missing_parts("final_v3.mp4", entrant="长川", title="同心路") == ["entrant", "title"]


def test_episode_format_needs_n(chongqing: dict[str, Any]) -> None:
    chongqing["file_naming"]["episode_format"] = "第几集"
    assert refused(chongqing) == ["「file_naming.episode_format」：应含占位符 {n}（集数），如「（第{n}集）」"]


# --------------------------------------------------------------------------
# Dump, parse, blank


@pytest.mark.parametrize("key", [HUBEI, CHONGQING])
def test_dump_is_json_and_round_trips(key: str) -> None:
    rs = load_preset(key)
    data = dump_ruleset(rs)
    assert json.loads(json.dumps(data)) == data
    assert parse_ruleset(data) == rs
    assert parse_ruleset(json.loads(json.dumps(data))) == rs
    assert data["submission"]["closes"] == rs.submission.closes.isoformat()


def test_blank_rule_set_is_valid_and_commented() -> None:
    text = blank_ruleset_text(today=date(2026, 9, 1))
    assert "# " in text and "请填写活动全称" in text
    rs = parse_ruleset_text(text)
    assert isinstance(rs, RuleSet)
    assert rs.submission.closes == date(2026, 10, 31)
    assert rs.form_field("title") is not None
    assert parse_ruleset(dump_ruleset(rs)) == rs


def test_blank_rule_set_defaults_to_today() -> None:
    rs = parse_ruleset_text(blank_ruleset_text())
    assert rs.submission.closes == date.today() + timedelta(days=60)


def test_the_package_imports_no_django() -> None:
    code = (
        "import sys, guangying.rulesets as r; r.load_preset('hubei-2026-weiguang'); "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'rest_framework')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


# --------------------------------------------------------------------------
# Every pydantic error type the schema can raise, in Chinese


class _Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class _Lax(BaseModel):
    """Lax types the rule set avoids, so their messages are tested here."""

    model_config = ConfigDict(extra="forbid")
    count: int = 0
    ratio: float = 0
    flag: bool = False
    day: date = date(2026, 1, 1)
    table: dict[str, int] = {}
    colour: _Colour = _Colour.RED
    name: str = Field(default="甲", min_length=2)
    code: str = Field(default="ab", pattern=r"^[a-z]+$")
    small: int = Field(default=0, lt=10)
    odd: int = 1

    @field_validator("odd")
    @classmethod
    def _odd(cls, value: int) -> int:
        if value % 2 == 0:
            raise ValueError("应为奇数")
        return value


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"count": "十"}, "「count」：应为整数（收到「十」）"),
        ({"ratio": "一半"}, "「ratio」：应为数字（收到「一半」）"),
        ({"flag": "也许"}, "「flag」：应为 true 或 false（收到「也许」）"),
        ({"day": "明天"}, "「day」：应为日期，格式如 2026-07-31（收到「明天」）"),
        ({"table": [1]}, "「table」：应为映射（「键: 值」的形式）（收到一个列表）"),
        ({"colour": "green"}, "「colour」：应为以下之一：red、blue（收到「green」）"),
        ({"name": "乙"}, "「name」：至少应有 2 个字符"),
        ({"code": "AB"}, "「code」：格式不正确（收到「AB」）"),
        ({"small": 10}, "「small」：应为小于 10 的数（收到「10」）"),
        ({"odd": 2}, "「odd」：应为奇数"),
        ({"count": 1.5}, "「count」：应为整数，不能有小数（收到「1.5」）"),
    ],
)
def test_pydantic_error_types_in_chinese(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _Lax.model_validate(data)
    assert [p.text for p in problems_from_validation(caught.value, _Lax)] == [message]


def test_unknown_error_types_fall_back_to_a_generic_message() -> None:
    class Strange(BaseModel):
        value: uuid.UUID

    with pytest.raises(ValidationError) as caught:
        Strange.model_validate({"value": "不是编号"})
    (problem,) = problems_from_validation(caught.value, Strange)
    assert problem.text == "「value」：取值不符合要求（uuid_parsing）"

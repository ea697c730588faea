"""Reading rule sets from text, shipping the presets, writing them back.

The YAML reader is deliberately narrower than PyYAML's default:

* no anchors or aliases — a few lines of aliases expand into gigabytes
  (the "billion laughs") and hand-written rule sets never need them;
* no tags (``!!python/...``, ``!!timestamp``) — only plain data;
* a key written twice is an error, where YAML would silently keep the last;
* only ``true``/``false`` are booleans and ``16:9`` stays text (YAML 1.1
  reads ``no`` as false and ``16:9`` as the number 969);
* dates stay text, so a wrong date is reported at its place by the schema
  instead of failing the whole parse.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import ValidationError
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.error import MarkedYAMLError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader, ReaderError
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from guangying.rulesets.errors import (
    Loc,
    Problem,
    RuleSetError,
    UnknownPresetError,
    problems_from_validation,
)
from guangying.rulesets.schema import RuleSet

MAX_TEXT_BYTES = 256 * 1024
MAX_DEPTH = 40

_PRESET_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")


# --------------------------------------------------------------------------
# YAML


class _Refused(MarkedYAMLError):
    """A construct the rule-set reader does not accept, with its place."""


class _Resolver(BaseResolver):
    yaml_implicit_resolvers: dict[Any, Any] = {}


_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)


class _Loader(Reader, Scanner, Parser, Composer, SafeConstructor, _Resolver):
    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        _Resolver.__init__(self)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(
                problem="不支持 YAML 锚点和别名（& 与 *），请把内容直接写出来",
                problem_mark=event.start_mark,
            )
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            raise _Refused(
                problem=f"不支持 YAML 标签（{tag}），只能写普通的文本、数字、列表和映射",
                problem_mark=event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(problem=f"嵌套层级过深（超过 {MAX_DEPTH} 层）", problem_mark=event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: dict[str, int] = {}
        for key_node, _value in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                shown = key_node.value if isinstance(key_node, ScalarNode) else "列表或映射"
                raise _Refused(
                    problem=f"键应为文本（收到「{shown}」）；数字或 true/false 作键请加引号",
                    problem_mark=key_node.start_mark,
                )
            if key_node.value in seen:
                raise _Refused(
                    problem=f"键「{key_node.value}」重复出现（第一次在第 {seen[key_node.value]} 行）",
                    problem_mark=key_node.start_mark,
                )
            seen[key_node.value] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: Any) -> int:
        text = str(self.construct_scalar(node))
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-")
        try:
            if digits.startswith("0o"):
                return sign * int(digits[2:], 8)
            if digits.startswith("0x"):
                return sign * int(digits[2:], 16)
            return sign * int(digits, 10)
        except ValueError:
            raise _Refused(problem="数值过大", problem_mark=node.start_mark) from None


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


# PyYAML's English problems, as an organiser would understand them.
_YAML_PROBLEMS: list[tuple[str, str]] = [
    ("found character '\\t' that cannot start any token", "不能用 Tab 缩进，请改用空格"),
    ("found character '\\t'", "不能用 Tab 缩进，请改用空格"),
    ("mapping values are not allowed here", "此处不能出现「键: 值」：可能是缩进不对，或值里有冒号而没加引号"),
    ("could not find expected ':'", "缺少冒号「:」，或引号没有闭合"),
    ("found unexpected end of stream", "引号或括号没有闭合"),
    ("found unknown escape character", "双引号文本中有无效的转义字符（反斜杠 \\ 请写成 \\\\，或改用单引号）"),
    ("expected <block end>", "缩进不一致"),
    ("did not find expected key", "缩进不一致，或列表项与键混在同一层"),
    ("did not find expected '-' indicator", "缩进不一致：列表项应以「- 」开头并对齐"),
    ("expected ',' or ']'", "方括号列表写法有误：项之间用逗号分隔，并以 ] 结束"),
    ("expected ',' or '}'", "花括号映射写法有误：项之间用逗号分隔，并以 } 结束"),
    ("found character '@' that cannot start any token", "「@」不能作为值的开头，请给值加引号"),
    ("found character '`' that cannot start any token", "「`」不能作为值的开头，请给值加引号"),
    ("found character '%' that cannot start any token", "「%」不能作为值的开头，请给值加引号"),
    ("expected a single document", "只能有一个 YAML 文档（不要写第二个 ---）"),
    ("while scanning an alias", "不支持 YAML 锚点和别名（& 与 *），以 * 或 & 开头的值请加引号"),
    ("while scanning an anchor", "不支持 YAML 锚点和别名（& 与 *），以 * 或 & 开头的值请加引号"),
    ("while scanning a simple key", "缺少冒号「:」"),
    ("while scanning a quoted scalar", "引号没有闭合"),
    ("while parsing a flow", "方括号或花括号写法有误"),
]


def _yaml_problem(exc: yaml.YAMLError, text: str) -> Problem:
    if isinstance(exc, ReaderError):
        line = text[: exc.position].count("\n") + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        return Problem("", f"含有 YAML 不允许的控制字符 U+{ord(char):04X}，请删除", line)
    if isinstance(exc, MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or ""
        if re.search(r"[\u4e00-\u9fff]", problem):
            return Problem("", problem, line)
        full = f"{exc.context or ''} {problem}"
        for english, chinese in _YAML_PROBLEMS:
            if english in full:
                return Problem("", f"YAML 格式错误：{chinese}", line)
        return Problem("", "YAML 格式错误：请检查这一行附近的缩进、冒号和引号", line)
    return Problem("", "YAML 格式错误：请检查缩进、冒号和引号")


def _node_line(root: Node | None, loc: Loc) -> int | None:
    """The line where a path's value is written, or its nearest written parent.

    ``None`` for the document as a whole: "line 1" would only mislead.
    """
    node = root
    line: int | None = None
    for part in loc:
        found: Node | None = None
        if isinstance(node, MappingNode) and isinstance(part, str):
            for key_node, value_node in node.value:
                if key_node.value == part:
                    line = key_node.start_mark.line + 1
                    found = value_node
                    break
        elif isinstance(node, SequenceNode) and isinstance(part, int):
            if 0 <= part < len(node.value):
                found = node.value[part]
                line = found.start_mark.line + 1
        if found is None:
            break
        node = found
    return line


def _decode(text: str | bytes) -> str:
    if isinstance(text, bytes | bytearray):
        if len(text) > MAX_TEXT_BYTES:
            raise _too_large(len(text))
        try:
            return bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise RuleSetError("规则集文本应为 UTF-8 编码（请用 UTF-8 保存后再上传）") from None
    if not isinstance(text, str):
        raise RuleSetError(f"规则集应为文本（收到 {type(text).__name__}）")
    return text.removeprefix("\ufeff")


def _too_large(size: int) -> RuleSetError:
    kib = -(-size // 1024)  # rounded up: one byte over the limit must not read as "256 KiB"
    return RuleSetError(f"规则集文本过大：{kib} KiB，上限为 {MAX_TEXT_BYTES // 1024} KiB")


def _read_json(text: str) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                raise RuleSetError(f"JSON 中键「{key}」在同一层重复出现")
            result[key] = value
        return result

    return json.loads(text, object_pairs_hook=pairs)


def _read(text: str) -> tuple[Any, Node | None]:
    """Parse YAML (or JSON) into plain data and the node tree for line numbers."""
    loader: _Loader | None = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
        return data, node
    except yaml.YAMLError as exc:
        yaml_error = exc
    except RecursionError:
        raise RuleSetError(f"嵌套层级过深（超过 {MAX_DEPTH} 层）") from None
    finally:
        if loader is not None:
            loader.dispose()
    # JSON is YAML, but PyYAML trips on some valid JSON (tabs in
    # indentation); give JSON its own chance before reporting.
    if not isinstance(yaml_error, _Refused) and text.lstrip().startswith(("{", "[")):
        try:
            return _read_json(text), None
        except json.JSONDecodeError as exc:
            problem = Problem("", f"JSON 格式错误（第 {exc.colno} 列）", exc.lineno)
            raise RuleSetError.from_problems([problem]) from None
        except RecursionError:
            raise RuleSetError(f"嵌套层级过深（超过 {MAX_DEPTH} 层）") from None
    raise RuleSetError.from_problems([_yaml_problem(yaml_error, text)]) from None


_KIND_NAMES = {list: "列表", str: "一段文本", int: "数字", float: "数字", bool: "true/false"}


def parse_ruleset_text(text: str) -> RuleSet:
    """Validate a rule set written as YAML (or JSON, which is YAML too)."""
    text = _decode(text)
    size = len(text.encode("utf-8"))
    if size > MAX_TEXT_BYTES:
        raise _too_large(size)
    if not text.strip():
        raise RuleSetError("规则集为空")
    data, node = _read(text)
    if data is None:
        raise RuleSetError("规则集为空（只有注释）")
    return _validate(data, node)


def parse_ruleset(data: dict[str, Any]) -> RuleSet:
    """Validate a rule set already parsed into plain data (e.g. from the database)."""
    return _validate(data, None)


def _validate(data: Any, node: Node | None) -> RuleSet:
    if not isinstance(data, dict):
        kind = _KIND_NAMES.get(type(data), type(data).__name__)
        raise RuleSetError(f"规则集应为一个映射（「键: 值」的形式），实际是{kind}")
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation(exc, RuleSet, lambda loc: _node_line(node, loc))
        raise RuleSetError.from_problems(problems) from None


def dump_ruleset(rs: RuleSet) -> dict[str, Any]:
    """The rule set as JSON-ready data; ``parse_ruleset`` reads it back unchanged."""
    return rs.model_dump(mode="json")


# --------------------------------------------------------------------------
# Presets


@dataclass(frozen=True)
class PresetInfo:
    """What the "new campaign" page lists for a shipped notice."""

    key: str
    title: str
    short_title: str
    organiser: str
    summary: str


def _presets_dir() -> Any:
    return resources.files("guangying.rulesets").joinpath("presets")


def _preset_keys() -> list[str]:
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in _presets_dir().iterdir()
        if entry.name.endswith(".yaml") and _PRESET_KEY.fullmatch(entry.name.removesuffix(".yaml"))
    )


def preset_text(key: str) -> str:
    """The preset exactly as shipped, comments included, for the editor."""
    if not isinstance(key, str) or not _PRESET_KEY.fullmatch(key) or key not in _preset_keys():
        shown = key if isinstance(key, str) and len(key) <= 80 else "…"
        raise UnknownPresetError(f"没有名为「{shown}」的预置规则集；可用：{'、'.join(_preset_keys())}")
    return _presets_dir().joinpath(f"{key}.yaml").read_text(encoding="utf-8")


@cache
def _load_preset(key: str) -> RuleSet:
    return parse_ruleset_text(preset_text(key))


def load_preset(key: str) -> RuleSet:
    """A shipped notice as a validated rule set.

    A copy each time: the models are frozen but their lists are not, and a
    caller appending to one must not change the preset for everyone else.
    """
    if not isinstance(key, str) or not _PRESET_KEY.fullmatch(key):
        preset_text(key)
    return _load_preset(key).model_copy(deep=True)


def list_presets() -> list[PresetInfo]:
    infos = []
    for key in _preset_keys():
        rs = load_preset(key)
        infos.append(PresetInfo(key, rs.title, rs.short_title, rs.organiser, rs.summary))
    return infos


# --------------------------------------------------------------------------
# Starting from scratch


_BLANK = """\
# 新建征集活动的规则集。以「#」开头的行是说明，不影响内容。
# 可以照着预置的湖北、重庆两个通知来写；保存时会逐项检查并用中文指出问题。
schema_version: 1
title: 请填写活动全称
short_title: 请填写简称
organiser: 请填写主办单位
summary: ""
notice:
  issued: {today}          # 通知印发日期
  issuer: 请填写发文单位
  contact_note: 见通知原文  # 不要在此填写个人姓名和电话
  showcase_platforms: []     # 展播平台，如 - 某某网站
timezone: Asia/Shanghai
phases:
  - key: submission
    label: 作品征集
    kind: submission
    starts: {today}
    ends: {closes}
submission:
  opens: {today}
  closes: {closes}           # 截止日当天 24 时前均可提交
  methods: [upload]
entrants:
  kinds: [unit]              # unit 单位；individual 个人
  individual_requires_unit: false
quota:                       # 每个参赛主体的作品数；不限就留空
  min:
  max:
categories: []
series:
  allowed: false             # 是否允许系列作品（多集）
form:
  fields:                    # 必须有 key 为 title 的作品名称
    - key: title
      label: 作品名称
      type: text
    - key: synopsis
      label: 作品简介
      type: textarea
      max_chars: 200
    - key: contact_name
      label: 联系人
      type: text
    - key: contact_phone
      label: 联系电话
      type: phone
documents: []
file_naming:
  template: "{{entrant}}-{{title}}"  # 可用占位符：{{entrant}} {{title}} {{episode}}
  must_match: [title]
technical:                   # 技术指标；不需要的整项删掉即可
  - check: duration
    severity: hard           # hard 不符合则不能提交；warn 只提醒；review 交人工判断
    max_s: 300
    per: work
  - check: container
    severity: hard
    allowed: [mp4]
  - check: loudness
    severity: warn
content_rules: []
review:
  rounds:
    - key: first
      label: 初审
  criteria: []
  outcomes: [优秀作品]
rights: ""
"""


def blank_ruleset_text(today: date | None = None) -> str:
    """A minimal valid rule set to start from, closing sixty days after ``today``."""
    today = today or date.today()
    return _BLANK.format(today=today.isoformat(), closes=(today + timedelta(days=60)).isoformat())

"""Why a rule set was refused, in Chinese, naming the place.

Organisers edit rule sets by hand; an English pydantic trace would leave
them stuck. Every problem names its place as a dotted path
(「technical[2].min_s」) and, for text, the line, so the editor can point at it.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Union

from pydantic import BaseModel, ValidationError

from guangying.rulesets.schema import _describe, _show

Loc = tuple[str | int, ...]

MAX_MESSAGES = 50


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a rule set."""

    path: str
    text: str
    line: int | None = None

    @property
    def message(self) -> str:
        return f"第 {self.line} 行：{self.text}" if self.line else self.text


class RuleSetError(Exception):
    """A rule set that cannot be used, with every reason found."""

    def __init__(self, messages: Sequence[str] | str, problems: Sequence[Problem] = ()) -> None:
        if isinstance(messages, str):
            messages = [messages]
        self.messages: list[str] = list(messages)
        self.problems: list[Problem] = list(problems) or [Problem("", m) for m in self.messages]
        super().__init__("\n".join(self.messages))

    @classmethod
    def from_problems(cls, problems: Sequence[Problem]) -> RuleSetError:
        problems = list(problems)
        messages = [p.message for p in problems[:MAX_MESSAGES]]
        if len(problems) > MAX_MESSAGES:
            messages.append(f"……另有 {len(problems) - MAX_MESSAGES} 处错误未列出")
        return cls(messages, problems)

    def __str__(self) -> str:
        return "\n".join(self.messages)


class UnknownPresetError(RuleSetError, KeyError):
    """No preset by that key; a KeyError too, for callers that look up by key."""


# --------------------------------------------------------------------------
# Paths


def format_path(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_PATH_TOKEN = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def parse_path(path: str) -> Loc:
    parts: list[str | int] = []
    for match in _PATH_TOKEN.finditer(path):
        parts.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
    return tuple(parts)


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) == 1:
                annotation = members[0]
                continue
        return annotation


def _union_tags(annotation: Any) -> dict[str, type[BaseModel]] | None:
    """The members of a union tagged by ``check``, keyed by tag."""
    if typing.get_origin(annotation) not in (Union, types.UnionType):
        return None
    tags: dict[str, type[BaseModel]] = {}
    for member in typing.get_args(annotation):
        if not (isinstance(member, type) and issubclass(member, BaseModel)):
            return None
        field = member.model_fields.get("check")
        if field is None or typing.get_origin(field.annotation) is not Literal:
            return None
        for tag in typing.get_args(field.annotation):
            tags[tag] = member
    return tags


def resolve(root: type[BaseModel], loc: Loc) -> tuple[Loc, Any]:
    """Drop union tags from a pydantic location and find the type it names.

    pydantic puts the tag of a discriminated union into the location
    (``technical.2.duration.min_s``); the organiser wrote no such key.
    """
    out: list[str | int] = []
    annotation: Any = root
    for part in loc:
        annotation = _unwrap(annotation)
        tags = _union_tags(annotation)
        if tags is not None:
            if isinstance(part, str) and part in tags:
                annotation = tags[part]
                continue
            annotation = None
        out.append(part)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part) if isinstance(part, str) else None
            annotation = field.annotation if field else None
        elif typing.get_origin(annotation) is list and isinstance(part, int):
            annotation = typing.get_args(annotation)[0]
        elif typing.get_origin(annotation) is tuple and isinstance(part, int):
            args = typing.get_args(annotation)
            annotation = args[part] if part < len(args) else None
        else:
            annotation = None
    return tuple(out), _unwrap(annotation)


# --------------------------------------------------------------------------
# pydantic errors in Chinese


def _choices(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" as 「a、b、c」."""
    found = re.findall(r"'([^']*)'", expected)
    return "、".join(found) if found else expected


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


_REF = re.compile(r"\{@([^{}]*)\}")

_SIMPLE: dict[str, str] = {
    "missing": "缺少必填项",
    "int_type": "应为整数{got}",
    "int_parsing": "应为整数{got}",
    "int_from_float": "应为整数，不能有小数{got}",
    "float_type": "应为数字{got}",
    "float_parsing": "应为数字{got}",
    "finite_number": "应为有限的数字，不能是 inf 或 nan",
    "bool_type": "应为 true 或 false{got}",
    "bool_parsing": "应为 true 或 false{got}",
    "string_type": "应为文本{got}",
    "string_pattern_mismatch": "格式不正确{got}",
    "list_type": "应为列表（每项一行，以「- 」开头）{got}",
    "tuple_type": "应为列表，如 [1920, 1080]{got}",
    "set_type": "应为列表{got}",
    "dict_type": "应为映射（「键: 值」的形式）{got}",
    "model_type": "应为映射（「键: 值」的形式）{got}",
    "model_attributes_type": "应为映射（「键: 值」的形式）{got}",
    "date_type": "应为日期，格式如 2026-07-31{got}",
    "date_parsing": "应为日期，格式如 2026-07-31{got}",
    "date_from_datetime_parsing": "应为日期，格式如 2026-07-31{got}",
    "date_from_datetime_inexact": "应为日期（不含时间），格式如 2026-07-31{got}",
    "union_tag_not_found": "缺少「check」（检查项标识）",
    "int_too_long": "数值过大",
    "recursion_loop": "结构中有循环引用",
}


def _translate(error: dict[str, Any], fields_here: Sequence[str] | None) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    got = f"（收到{_describe(value)}）"
    if kind == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
        return f"应为文本（收到「{value}」；纯数字的文本请加引号）"
    if kind in _SIMPLE:
        return _SIMPLE[kind].format(got=got if kind != "missing" else "")
    if kind == "extra_forbidden":
        if not fields_here:
            return "不认识的键（键名写错了？）"
        name = error["loc"][-1] if error["loc"] else ""
        close = difflib.get_close_matches(str(name), list(fields_here), n=1, cutoff=0.6)
        hint = f"，是否应为「{close[0]}」？" if close else "。"
        return f"不认识的键{hint}此处可用的键：" + "、".join(fields_here)
    if kind == "greater_than":
        return f"应为大于 {_number(ctx.get('gt'))} 的数{got}"
    if kind == "greater_than_equal":
        return f"应为不小于 {_number(ctx.get('ge'))} 的数{got}"
    if kind == "less_than":
        return f"应为小于 {_number(ctx.get('lt'))} 的数{got}"
    if kind == "less_than_equal":
        return f"应为不大于 {_number(ctx.get('le'))} 的数{got}"
    # Length limits on cleaned text come back as generic too_short/too_long.
    is_text = isinstance(value, str)
    if kind == "string_too_short" or (kind == "too_short" and is_text):
        minimum = ctx.get("min_length", 1)
        return "不能为空" if minimum == 1 else f"至少应有 {minimum} 个字符"
    if kind == "string_too_long" or (kind == "too_long" and is_text):
        length = ctx.get("actual_length", len(str(value)))
        return f"不能超过 {ctx.get('max_length')} 个字符（现有 {length} 个）"
    if kind == "too_short":
        minimum = ctx.get("min_length", 1)
        return "至少需要一项" if minimum == 1 else f"至少需要 {minimum} 项"
    if kind == "too_long":
        return f"最多 {ctx.get('max_length')} 项（现有 {ctx.get('actual_length')} 项）"
    if kind in ("literal_error", "enum"):
        return f"应为以下之一：{_choices(str(ctx.get('expected', '')))}{got}"
    if kind == "union_tag_invalid":
        return (
            f"不认识的检查项「{_show(str(ctx.get('tag', '')))}」；"
            f"可用：{_choices(str(ctx.get('expected_tags', '')))}"
        )
    if kind in ("value_error", "assertion_error"):
        cause = ctx.get("error")
        text = str(cause) if cause is not None else str(error.get("msg", ""))
        return text.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return f"取值不符合要求（{kind}）"


LineFinder = Callable[[Loc], int | None]


def problems_from_validation(
    exc: ValidationError, root: type[BaseModel], lines: LineFinder | None = None
) -> list[Problem]:
    problems: list[Problem] = []
    for error in exc.errors(include_url=False):
        raw_loc = tuple(error["loc"])
        loc, _ = resolve(root, raw_loc)
        fields_here: list[str] | None = None
        if error["type"] == "extra_forbidden":
            _, parent = resolve(root, raw_loc[:-1])
            if isinstance(parent, type) and issubclass(parent, BaseModel):
                fields_here = list(parent.model_fields)
        if error["type"] == "union_tag_invalid":
            loc = (*loc, "check")
        text = _translate(error, fields_here)
        line_loc = loc
        refs = _REF.findall(text)
        if refs:
            line_loc = (*loc, *parse_path(refs[0]))
            text = _REF.sub(lambda m, base=loc: format_path((*base, *parse_path(m.group(1)))), text)
            if not text.startswith("「"):
                text = f"「{format_path(loc)}」：{text}" if loc else text
        elif loc:
            text = f"「{format_path(loc)}」：{text}"
        else:
            text = f"规则集：{text}"
        problems.append(Problem(format_path(line_loc), text, lines(line_loc) if lines else None))
    return problems

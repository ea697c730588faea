"""The rule set of one call for entries, as data.

Everything that differs between two notices lives here, so that the web
application and the inspection engine never branch on a campaign's name.
Models are frozen and refuse unknown keys: a misspelt key in an organiser's
YAML would otherwise be ignored and the rule it meant to set silently lost.

Validators raise ``ValueError`` with Chinese text. A text may point at other
places with ``{@relative.path}``; :mod:`guangying.rulesets.errors` expands
those to full paths, so a message can name both fields of a conflict.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    field_validator,
    model_validator,
)

# --------------------------------------------------------------------------
# Scalar types


# Characters that hide or reorder text without being visible. In a title or
# a rule they could make the organiser read something other than what the
# entrant or the public sees.
_INVISIBLE = frozenset(
    [
        *range(0x200B, 0x2010),  # zero-width spaces and joiners, LRM/RLM
        *range(0x202A, 0x202F),  # bidirectional embeddings and overrides
        *range(0x2060, 0x2065),  # word joiner, invisible operators
        *range(0x2066, 0x2070),  # bidirectional isolates
        0xFEFF,  # byte-order mark
        0x2028,  # line separator
        0x2029,  # paragraph separator
        0x00AD,  # soft hyphen
    ]
)


def _bad_char(char: str, *, multiline: bool) -> bool:
    if char == "\n":
        return not multiline
    code = ord(char)
    if code in _INVISIBLE:
        return True
    return unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn")


def _clean(value: Any, *, multiline: bool) -> Any:
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
    for char in text:
        if _bad_char(char, multiline=multiline):
            if char == "\n":
                raise ValueError("应为单行文本，不能换行")
            raise ValueError(f"含有不可见字符或控制字符 U+{ord(char):04X}，请删除")
    return text


def _single_line(value: Any) -> Any:
    return _clean(value, multiline=False)


def _multi_line(value: Any) -> Any:
    return _clean(value, multiline=True)


Label = Annotated[str, BeforeValidator(_single_line), Field(min_length=1, max_length=100)]
"""A name shown in lists and tables: one line, never empty."""

Title = Annotated[str, BeforeValidator(_single_line), Field(min_length=1, max_length=200)]
ShortText = Annotated[str, BeforeValidator(_single_line), Field(max_length=300)]
LongText = Annotated[str, BeforeValidator(_multi_line), Field(max_length=10_000)]
Paragraph = Annotated[str, BeforeValidator(_multi_line), Field(min_length=1, max_length=10_000)]

_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")


def _key(value: Any) -> Any:
    if isinstance(value, str) and not _KEY.fullmatch(value):
        raise ValueError(
            f"标识「{_show(value)}」不合规：应以小写英文字母开头，"
            "只含小写字母、数字和下划线，最长 40 个字符（如 contact_phone）"
        )
    return value


Key = Annotated[str, Strict(), BeforeValidator(_key)]
"""A stable identifier stored in the database and used in URLs and reports."""

Flag = Annotated[bool, Strict()]
Int = Annotated[int, Strict()]
PositiveInt = Annotated[int, Strict(), Field(ge=1)]
Seconds = Annotated[float, Strict(), Field(gt=0, le=86_400)]


def _iso_date(value: Any) -> Any:
    # Only YYYY-MM-DD: pydantic would also take 1700000000 as a Unix time,
    # and a typo'd number would become a date in 1970.
    if isinstance(value, datetime):
        raise ValueError("应为日期（不含时间），格式如 2026-07-31")
    if isinstance(value, date):
        parsed = value
    elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"日期「{_show(value)}」不存在") from None
    else:
        raise ValueError(f"应为日期，格式如 2026-07-31（收到{_describe(value)}）")
    if not 2000 <= parsed.year <= 2100:
        raise ValueError(f"日期「{parsed.isoformat()}」的年份应在 2000—2100 之间")
    return parsed


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def _show(value: str, limit: int = 40) -> str:
    """A received string made safe and short enough to quote in a message."""
    text = value if len(value) <= limit else value[:limit] + "…"
    return "".join(f"\\u{ord(c):04x}" if _bad_char(c, multiline=False) else c for c in text)


def _describe(value: Any) -> str:
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return f"「{'true' if value else 'false'}」"
    if isinstance(value, str):
        return f"「{_show(value)}」"
    if isinstance(value, int | float):
        return f"「{value}」"
    if isinstance(value, dict):
        return "一个映射"
    if isinstance(value, list | tuple):
        return "一个列表"
    return f"「{_show(str(value))}」"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _duplicates(values: Sequence[Any], path: str) -> None:
    """Refuse a repeated value; ``path`` has ``{i}`` where the index goes."""
    first: dict[Any, int] = {}
    for index, value in enumerate(values):
        if value in first:
            here = path.format(i=index)
            there = path.format(i=first[value])
            raise ValueError(f"「{{@{here}}}」：「{_show(str(value))}」与「{{@{there}}}」重复")
        first[value] = index


_FORMATTER = string.Formatter()


def _placeholders(template: str, allowed: Iterable[str]) -> set[str]:
    """Names used by a ``{name}`` template, refusing anything but plain names.

    Attribute access, indexing and format specs would let an edited rule set
    reach into the objects the template is filled from.
    """
    allowed = tuple(allowed)
    names = "、".join("{" + name + "}" for name in allowed)
    try:
        parts = list(_FORMATTER.parse(template))
    except ValueError:
        raise ValueError(f"花括号不成对；只能使用占位符 {names}，字面的花括号请写成 {{{{ 或 }}}}") from None
    used: set[str] = set()
    for _literal, field_name, spec, conversion in parts:
        if field_name is None:
            continue
        if field_name not in allowed or spec or conversion:
            shown = _show(
                "{"
                + field_name
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
            raise ValueError(f"不认识的占位符「{shown}」；只能使用 {names}")
        used.add(field_name)
    return used


# --------------------------------------------------------------------------
# The notice and the calendar


class Notice(_Model):
    """The document the campaign comes from, as the public page cites it."""

    issued: IsoDate
    issuer: Title
    # Contacts named in a notice are real people; presets point to the
    # notice instead of copying their names and phone numbers.
    contact_note: LongText = ""
    showcase_platforms: list[Label] = Field(default_factory=list, max_length=30)
    showcase_events: list[Label] = Field(default_factory=list, max_length=30)
    theme: ShortText = ""
    audience: LongText = ""
    basis: LongText = ""
    final_interpretation: ShortText = ""


PhaseKind = Literal["submission", "review", "showcase", "other"]


class Phase(_Model):
    """One stage of the campaign's calendar.

    A notice may announce a stage without a date (「报名截止后」); the stage
    is kept with ``None`` dates rather than invented ones.
    """

    key: Key
    label: Label
    kind: PhaseKind = "other"
    starts: IsoDate | None = None
    ends: IsoDate | None = None
    note: LongText = ""

    @model_validator(mode="after")
    def _order(self) -> Phase:
        if self.starts and self.ends and self.ends < self.starts:
            raise ValueError(
                f"「{{@ends}}」（{self.ends.isoformat()}）不能早于"
                f"「{{@starts}}」（{self.starts.isoformat()}）"
            )
        return self


class CloudLink(_Model):
    """A cloud-drive link that may stand in for an upload too large to send."""

    min_validity_days: PositiveInt = 30
    providers: list[Label] = Field(default_factory=list, max_length=10)
    requires_code: Flag = True
    note: LongText = ""


SubmissionMethod = Literal["upload", "cloud_link"]


class Submission(_Model):
    opens: IsoDate | None = None
    # Inclusive: notices say 「7月31日前」 and mean the whole of that day.
    closes: IsoDate
    methods: list[SubmissionMethod] = Field(default_factory=lambda: ["upload"], min_length=1)
    cloud_link: CloudLink | None = None
    note: LongText = ""

    @model_validator(mode="after")
    def _consistent(self) -> Submission:
        if self.opens and self.opens > self.closes:
            raise ValueError(
                f"「{{@opens}}」（{self.opens.isoformat()}）不能晚于"
                f"「{{@closes}}」（{self.closes.isoformat()}）"
            )
        _duplicates(self.methods, "methods[{i}]")
        if "cloud_link" in self.methods and self.cloud_link is None:
            raise ValueError("「{@methods}」含 cloud_link 时须填写「{@cloud_link}」（网盘链接的要求）")
        if self.cloud_link is not None and "cloud_link" not in self.methods:
            raise ValueError("填写了「{@cloud_link}」，但「{@methods}」中没有 cloud_link")
        return self


EntrantKind = Literal["unit", "individual"]


class Entrants(_Model):
    kinds: list[EntrantKind] = Field(min_length=1)
    # Chongqing's 登记表 asks 「个人（姓名）及单位」: individuals enter
    # through, and are counted with, a unit.
    individual_requires_unit: Flag = False
    note: LongText = ""

    @model_validator(mode="after")
    def _consistent(self) -> Entrants:
        _duplicates(self.kinds, "kinds[{i}]")
        if self.individual_requires_unit and "individual" not in self.kinds:
            raise ValueError(
                "「{@individual_requires_unit}」只在「{@kinds}」含 individual（允许个人参加）时才能为 true"
            )
        return self


class Quota(_Model):
    """Works per entrant; ``None`` where the notice states no bound."""

    min: PositiveInt | None = None
    max: PositiveInt | None = None
    note: LongText = ""

    @model_validator(mode="after")
    def _order(self) -> Quota:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"「{{@min}}」（{self.min}）不能大于「{{@max}}」（{self.max}）")
        return self


class CategoryOption(_Model):
    key: Key
    label: Label
    description: LongText = ""
    children: list[ShortText] = Field(default_factory=list, max_length=50)


class Category(_Model):
    """A way the notice sorts works: a topic direction, a theme, a form.

    ``reference_only`` marks lists the notice offers as guidance
    (「以上选题仅供参考」, 「推荐作品类别」): a work outside them is still
    admissible, so nothing may refuse it for that.
    """

    key: Key
    label: Label
    required: Flag = False
    multiple: Flag = False
    reference_only: Flag = False
    options: list[CategoryOption] = Field(min_length=1, max_length=100)
    note: LongText = ""

    @model_validator(mode="after")
    def _unique(self) -> Category:
        _duplicates([o.key for o in self.options], "options[{i}].key")
        return self


class Series(_Model):
    """Whether a work may be a series of episodes, each checked on its own."""

    allowed: Flag = False
    max_episodes: PositiveInt | None = None
    note: LongText = ""

    @model_validator(mode="after")
    def _consistent(self) -> Series:
        if not self.allowed and self.max_episodes not in (None, 1):
            raise ValueError(
                f"「{{@allowed}}」为 false（不允许系列作品）时，"
                f"「{{@max_episodes}}」只能为 1 或不填（收到 {self.max_episodes}）"
            )
        return self


# --------------------------------------------------------------------------
# The entry form


FieldType = Literal["text", "textarea", "phone", "url", "choice", "people", "broadcast", "duration"]
"""How a form field is entered.

``people`` is a repeatable group of columns (主创人员: 姓名/职务/联系方式);
``broadcast`` is 播出情况: 已播出/未播出 and, once broadcast, the platform
and link with the most views; ``duration`` is the running time the entrant
states, which the check compares with the measured one.
"""

_CHAR_LIMITED = ("text", "textarea", "phone", "url")


class Column(_Model):
    key: Key
    label: Label
    max_chars: PositiveInt | None = None
    required: Flag = True


class FormField(_Model):
    """One row of the notice's entry form.

    ``max_chars`` counts characters as Word's 字数统计 does; printed tables
    show the limit after the label as the notices do (「作品简介（150字以内）」),
    so ``label`` carries the bare name only.
    """

    key: Key
    label: Label
    type: FieldType
    required: Flag = True
    max_chars: Annotated[int, Strict(), Field(ge=1, le=100_000)] | None = None
    help: LongText = ""
    options: list[Label] = Field(default_factory=list, max_length=50)
    columns: list[Column] = Field(default_factory=list, max_length=10)
    min_items: Annotated[int, Strict(), Field(ge=0)] | None = None
    max_items: PositiveInt | None = None

    @model_validator(mode="after")
    def _consistent(self) -> FormField:
        kind = self.type
        if self.max_chars is not None and kind not in _CHAR_LIMITED:
            raise ValueError(f"「{{@max_chars}}」只适用于 text、textarea、phone、url 类型，不适用于 {kind}")
        if kind == "choice":
            if not self.options:
                raise ValueError("「{@options}」：choice 类型的字段须列出可选项")
            _duplicates(self.options, "options[{i}]")
        elif self.options:
            raise ValueError(f"「{{@options}}」只适用于 choice 类型，不适用于 {kind}")
        if kind == "people":
            if not self.columns:
                raise ValueError("「{@columns}」：people 类型的字段须列出各栏（如 姓名、职务、联系方式）")
            _duplicates([c.key for c in self.columns], "columns[{i}].key")
            if self.min_items is not None and self.max_items is not None and self.min_items > self.max_items:
                raise ValueError(
                    f"「{{@min_items}}」（{self.min_items}）不能大于「{{@max_items}}」（{self.max_items}）"
                )
        else:
            for name in ("columns", "min_items", "max_items"):
                if getattr(self, name) not in (None, []):
                    raise ValueError(f"「{{@{name}}}」只适用于 people 类型，不适用于 {kind}")
        return self


class Form(_Model):
    fields: list[FormField] = Field(min_length=1, max_length=60)
    note: LongText = ""

    @model_validator(mode="after")
    def _consistent(self) -> Form:
        _duplicates([f.key for f in self.fields], "fields[{i}].key")
        for index, field in enumerate(self.fields):
            if field.key == "title":
                if field.type != "text":
                    raise ValueError(
                        f"「{{@fields[{index}].type}}」：作品名称字段 title 的类型应为 text"
                        f"（收到 {field.type}）"
                    )
                break
        else:
            raise ValueError(
                "「{@fields}」须包含作品名称字段：key 为 title、type 为 text"
                "（文件命名、汇总表和展播都要用到作品名称）"
            )
        return self

    def get(self, key: str) -> FormField | None:
        return next((f for f in self.fields if f.key == key), None)


# --------------------------------------------------------------------------
# Documents


DocumentFormat = Literal["pdf", "jpg", "png", "docx", "doc", "txt"]

# Values a printed table can be filled from besides the form's own fields.
LAYOUT_SOURCES: dict[str, str] = {
    "entrant": "参赛主体（单位名称；或个人姓名及所在单位）",
    "entrant.name": "报送单位名称或报送人姓名",
    "entrant.unit": "所在单位名称",
    "entrant.kind": "参赛主体类别（单位/个人）",
    "submission.date": "报送日期",
    "work.index": "序号",
}
_FORM_SOURCE = re.compile(r"form\.([a-z][a-z0-9_]{0,39})")


class LayoutItem(_Model):
    """A row (or, in a per-entrant list, a column) of a table to print.

    ``sources`` are ``form.<field key>`` or one of :data:`LAYOUT_SOURCES`;
    several values share one cell, as 「报送单位联系人及电话」 does.
    """

    label: Label
    sources: list[ShortText] = Field(min_length=1, max_length=5)

    @field_validator("sources")
    @classmethod
    def _known(cls, sources: list[str]) -> list[str]:
        for source in sources:
            if source not in LAYOUT_SOURCES and not _FORM_SOURCE.fullmatch(source):
                raise ValueError(
                    f"不认识的数据来源「{_show(source)}」；应为 form.<字段标识> 或 "
                    + "、".join(LAYOUT_SOURCES)
                )
        return sources


class DocumentSpec(_Model):
    """A document that accompanies a work or an entrant's whole submission.

    ``generated`` documents are produced by the platform from the form and
    reproduce the notice's table (``layout``); ``upload`` documents come back
    from the entrant, usually signed or stamped. ``body`` is the notice's text
    of a document to print and sign, with ``{entrant}`` and ``{title}``
    filled in by the platform.
    """

    key: Key
    label: Label
    attachment: ShortText = ""
    source: Literal["upload", "generated"]
    required: Flag = True
    formats: list[DocumentFormat] = Field(default_factory=list, max_length=6)
    max_size_mb: Annotated[int, Strict(), Field(ge=1, le=200)] = 20
    per: Literal["work", "entrant"] = "work"
    signature: Literal["none", "stamp", "signature", "stamp_or_signature"] = "none"
    single_page: Flag = False
    layout: list[LayoutItem] = Field(default_factory=list, max_length=40)
    body: LongText = ""
    note: LongText = ""

    @model_validator(mode="after")
    def _consistent(self) -> DocumentSpec:
        _duplicates(self.formats, "formats[{i}]")
        if self.source == "upload":
            if not self.formats:
                raise ValueError("「{@formats}」：需要上传的文件须列出可接受的格式（如 pdf、jpg、png）")
            if self.layout:
                raise ValueError("「{@layout}」只适用于平台生成的文件（source: generated）")
        if self.body:
            try:
                _placeholders(self.body, ("entrant", "title"))
            except ValueError as exc:
                raise ValueError(f"「{{@body}}」：{exc}") from None
        return self


# --------------------------------------------------------------------------
# File naming


_NAMING_PLACEHOLDERS = ("entrant", "title", "episode")
_PATH_CHARS = set('/\\:*?"<>|')


class FileNaming(_Model):
    """How the video file is named, as the notice asks.

    ``{episode}`` expands to ``episode_format`` (e.g. 「（第2集）」) for an
    episode of a series and to nothing for a single video, so one template
    serves both.
    """

    template: Annotated[str, BeforeValidator(_single_line), Field(min_length=1, max_length=200)]
    episode_format: ShortText = "（第{n}集）"
    must_match: list[Literal["entrant", "title"]] = Field(default_factory=list)
    note: LongText = ""

    @field_validator("template")
    @classmethod
    def _template(cls, template: str) -> str:
        _placeholders(template, _NAMING_PLACEHOLDERS)
        literal = "".join(part[0] for part in _FORMATTER.parse(template))
        bad = sorted(_PATH_CHARS & set(literal))
        if bad:
            raise ValueError(f"文件名中不能有字符 {' '.join(bad)}")
        return template

    def in_words(self, english: bool = False, individuals: bool = False) -> str:
        """The template as people read it: 「报送单位名称-作品名称」, not its placeholders."""
        words = ({"entrant": "entrant's name", "title": "title of the work", "episode": " (episode n)"}
                 if english else {"entrant": "报送单位（个人）名称" if individuals else "报送单位名称",
                                  "title": "作品名称", "episode": "（第n集）"})
        return "".join(literal + (words.get(field, "") if field else "")
                       for literal, field, _spec, _conv in _FORMATTER.parse(self.template))

    @field_validator("episode_format")
    @classmethod
    def _episode(cls, value: str) -> str:
        if _placeholders(value, ("n",)) != {"n"}:
            raise ValueError("应含占位符 {n}（集数），如「（第{n}集）」")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> FileNaming:
        _duplicates(self.must_match, "must_match[{i}]")
        used = _placeholders(self.template, _NAMING_PLACEHOLDERS)
        for index, part in enumerate(self.must_match):
            if part not in used:
                raise ValueError(
                    f"「{{@must_match[{index}]}}」要求文件名含 {part}，但「{{@template}}」中没有 {{{part}}}"
                )
        return self

    def render(self, *, entrant: str, title: str, episode: int | None = None) -> str:
        """The file name stem the notice asks for, safe on every file system."""
        suffix = self.episode_format.format(n=episode) if episode is not None else ""
        name = self.template.format(entrant=entrant, title=title, episode=suffix)
        name = "".join("_" if c in _PATH_CHARS or unicodedata.category(c) == "Cc" else c for c in name)
        return name.strip(" .")

    def missing_parts(self, filename: str, *, entrant: str, title: str) -> list[str]:
        """Which of ``must_match`` the file name does not contain.

        Compared after NFKC and without spaces, so full-width brackets and a
        stray space do not fail an otherwise right name.
        """

        def norm(text: str) -> str:
            return "".join(unicodedata.normalize("NFKC", text).split()).casefold()

        stem = norm(filename.rsplit(".", 1)[0] if "." in filename else filename)
        values = {"entrant": entrant, "title": title}
        return [part for part in self.must_match if norm(values[part]) not in stem]


# --------------------------------------------------------------------------
# Technical rules


Severity = Literal["hard", "warn", "review"]
"""What a failed check does.

``hard`` stops submission unless the organiser waives it; ``warn`` is shown
and never blocks; ``review`` hands the machine's evidence to a person (the
organiser's 形式审查), for checks a machine can get wrong, such as reading
text in the picture.
"""


class _Rule(_Model):
    severity: Severity
    source: ShortText = ""
    note: LongText = ""


class DurationRule(_Rule):
    check: Literal["duration"]
    min_s: Seconds | None = None
    max_s: Seconds | None = None
    per: Literal["work", "episode"] = "work"

    @model_validator(mode="after")
    def _consistent(self) -> DurationRule:
        if self.min_s is None and self.max_s is None:
            raise ValueError("「{@min_s}」和「{@max_s}」至少要填一个")
        if self.min_s is not None and self.max_s is not None and self.min_s > self.max_s:
            raise ValueError(f"「{{@min_s}}」（{self.min_s:g}）不能大于「{{@max_s}}」（{self.max_s:g}）")
        return self


ContainerName = Literal["mp4", "mov", "mpeg"]
CONTAINER_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "mp4": ("mp4", "m4v"),
    "mov": ("mov", "qt"),
    "mpeg": ("mpg", "mpeg"),
}
"""File extensions each container is known by (MPEG program streams as .mpg/.mpeg)."""

DEFAULT_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "mp4": ("mp4",),
    "mov": ("mov",),
    "mpeg": ("mpg", "mpeg"),
}


class ContainerRule(_Rule):
    check: Literal["container"]
    allowed: list[ContainerName] = Field(min_length=1)
    # Defaults to the usual extensions of the allowed containers.
    extensions: list[str] = Field(default_factory=list, max_length=10)

    @model_validator(mode="before")
    @classmethod
    def _default_extensions(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("extensions"):
            allowed = data.get("allowed")
            if isinstance(allowed, list) and all(
                isinstance(a, str) and a in DEFAULT_EXTENSIONS for a in allowed
            ):
                data = {**data, "extensions": [e for a in allowed for e in DEFAULT_EXTENSIONS[a]]}
        return data

    @field_validator("extensions")
    @classmethod
    def _lower(cls, extensions: list[str]) -> list[str]:
        return [e.strip().lower().lstrip(".") for e in extensions]

    @model_validator(mode="after")
    def _consistent(self) -> ContainerRule:
        _duplicates(self.allowed, "allowed[{i}]")
        _duplicates(self.extensions, "extensions[{i}]")
        for index, ext in enumerate(self.extensions):
            if not any(ext in CONTAINER_EXTENSIONS[c] for c in self.allowed):
                known = "、".join(e for c in self.allowed for e in CONTAINER_EXTENSIONS[c])
                raise ValueError(
                    f"「{{@extensions[{index}]}}」：扩展名「{_show(ext)}」不属于所允许的封装格式；"
                    f"可用：{known}"
                )
        for index, container in enumerate(self.allowed):
            if not any(e in CONTAINER_EXTENSIONS[container] for e in self.extensions):
                raise ValueError(f"「{{@allowed[{index}]}}」：封装格式 {container} 没有对应的扩展名")
        return self


def _codec(value: Any) -> Any:
    # Notices write 「H.264」; FFmpeg calls it h264.
    if isinstance(value, str):
        value = re.sub(r"[\s.\-]", "", value).lower()
        if not re.fullmatch(r"[a-z0-9_]{1,30}", value):
            raise ValueError(f"编码名「{_show(value)}」不合规，应如 h264、hevc、aac")
    return value


Codec = Annotated[str, BeforeValidator(_codec)]


class VideoCodecRule(_Rule):
    check: Literal["video_codec"]
    allowed: list[Codec] = Field(min_length=1, max_length=10)

    @model_validator(mode="after")
    def _unique(self) -> VideoCodecRule:
        _duplicates(self.allowed, "allowed[{i}]")
        return self


class AudioCodecRule(_Rule):
    check: Literal["audio_codec"]
    allowed: list[Codec] = Field(min_length=1, max_length=10)

    @model_validator(mode="after")
    def _unique(self) -> AudioCodecRule:
        _duplicates(self.allowed, "allowed[{i}]")
        return self


Pixels = Annotated[int, Strict(), Field(ge=16, le=16_384)]


class ResolutionRule(_Rule):
    """Either an exact frame size (w, h) or a minimum for the shorter side.

    「不低于1080P」 is read on the shorter side so that portrait 1080×1920
    passes as landscape 1920×1080 does.
    """

    check: Literal["resolution"]
    exact: tuple[Pixels, Pixels] | None = None
    min_short_side: Pixels | None = None

    @model_validator(mode="after")
    def _one(self) -> ResolutionRule:
        if (self.exact is None) == (self.min_short_side is None):
            raise ValueError("「{@exact}」和「{@min_short_side}」须填且只填一个")
        return self

    def accepts(self, width: int, height: int) -> bool:
        if self.exact is not None:
            return (width, height) == tuple(self.exact)
        return min(width, height) >= (self.min_short_side or 0)


_RATIO = re.compile(r"([1-9][0-9]{0,2}):([1-9][0-9]{0,2})")


class AspectRatioRule(_Rule):
    """Allowed display aspect ratios; ``tolerance`` is relative (0.01 = 1 %)."""

    check: Literal["aspect_ratio"]
    allowed: list[str] = Field(min_length=1, max_length=20)
    orientation: Literal["landscape", "portrait", "any"] = "any"
    tolerance: Annotated[float, Strict(), Field(ge=0, le=0.2)] = 0.01

    @field_validator("allowed")
    @classmethod
    def _ratios(cls, allowed: list[str]) -> list[str]:
        for ratio in allowed:
            if not _RATIO.fullmatch(ratio):
                raise ValueError(f'宽高比「{_show(ratio)}」应写成「宽:高」，如 "16:9"（加引号）')
        return allowed

    @model_validator(mode="after")
    def _consistent(self) -> AspectRatioRule:
        _duplicates(self.allowed, "allowed[{i}]")
        for index, (w, h) in enumerate(self.ratios()):
            if (self.orientation == "landscape" and w < h) or (self.orientation == "portrait" and w > h):
                raise ValueError(
                    f"「{{@allowed[{index}]}}」（{w}:{h}）与「{{@orientation}}」（{self.orientation}）不符"
                )
        return self

    def ratios(self) -> list[tuple[int, int]]:
        pairs = (_RATIO.fullmatch(r) for r in self.allowed)
        return [(int(m.group(1)), int(m.group(2))) for m in pairs if m]

    def match(self, width: int, height: int) -> str | None:
        """The allowed ratio a frame size falls within tolerance of, if any."""
        if width <= 0 or height <= 0:
            return None
        actual = width / height
        for text, (w, h) in zip(self.allowed, self.ratios(), strict=True):
            if abs(actual - w / h) <= self.tolerance * (w / h):
                return text
        return None


class FrameRateRule(_Rule):
    check: Literal["frame_rate"]
    min_fps: Annotated[float, Strict(), Field(gt=0, le=240)]
    max_fps: Annotated[float, Strict(), Field(gt=0, le=240)] | None = None

    @model_validator(mode="after")
    def _order(self) -> FrameRateRule:
        if self.max_fps is not None and self.max_fps < self.min_fps:
            raise ValueError(
                f"「{{@min_fps}}」（{self.min_fps:g}）不能大于「{{@max_fps}}」（{self.max_fps:g}）"
            )
        return self


class SubtitlesRule(_Rule):
    check: Literal["subtitles"]
    required: Flag
    script: Literal["simplified", "traditional", "any"] = "simplified"
    # Share of the speech time that must carry subtitles where they are required: lines between
    # sentences, songs and ambient voices leave some speech without text in well-subtitled work.
    min_coverage: Annotated[float, Strict(), Field(ge=0, le=1)] = 0.6


class EndCreditsRule(_Rule):
    check: Literal["end_credits"]
    must_name_entrant: Flag
    window_s: Seconds = 20


class PictureQualityRule(_Rule):
    check: Literal["picture_quality"]
    clear: Flag
    stable: Flag = False


class LoudnessRule(_Rule):
    """Programme loudness per GY/T 282-2014, measured as ITU-R BS.1770."""

    check: Literal["loudness"]
    target_lkfs: Annotated[float, Strict(), Field(ge=-70, le=0)] = -24
    tolerance_lu: Annotated[float, Strict(), Field(ge=0, le=20)] = 2
    max_true_peak_dbtp: Annotated[float, Strict(), Field(ge=-20, le=3)] = -2


class WatermarkRule(_Rule):
    check: Literal["watermark"]
    allowed: Flag
    allow_entrant_logo: Flag = False


class AdvertisingRule(_Rule):
    check: Literal["advertising"]
    allowed: Flag


class AiLabelRule(_Rule):
    """Use and labelling of AI-generated or synthesised content.

    A file does not tell whether AI was used; ``declare`` asks the entrant,
    and the labels are then looked for: explicit (visible text) and implicit
    (the ``AIGC`` metadata field).
    """

    check: Literal["ai_label"]
    ai_allowed: Flag = True
    label_required_when_ai: Flag = False
    explicit: Flag = False
    implicit: Flag = False
    declare: Flag = False
    standard: ShortText = "《人工智能生成合成内容标识办法》；GB 45438-2025"

    @model_validator(mode="after")
    def _consistent(self) -> AiLabelRule:
        if self.label_required_when_ai:
            if not self.ai_allowed:
                raise ValueError(
                    "「{@ai_allowed}」为 false（不允许使用 AI 生成内容）时，"
                    "「{@label_required_when_ai}」不能为 true"
                )
            if not (self.explicit or self.implicit):
                raise ValueError(
                    "「{@label_required_when_ai}」为 true 时，「{@explicit}」和「{@implicit}」至少一个为 true"
                )
        return self


TechnicalRule = Annotated[
    DurationRule
    | ContainerRule
    | VideoCodecRule
    | AudioCodecRule
    | ResolutionRule
    | AspectRatioRule
    | FrameRateRule
    | SubtitlesRule
    | EndCreditsRule
    | PictureQualityRule
    | LoudnessRule
    | WatermarkRule
    | AdvertisingRule
    | AiLabelRule,
    Field(discriminator="check"),
]

CHECK_IDS: tuple[str, ...] = (
    "duration",
    "container",
    "video_codec",
    "audio_codec",
    "resolution",
    "aspect_ratio",
    "frame_rate",
    "subtitles",
    "end_credits",
    "picture_quality",
    "loudness",
    "watermark",
    "advertising",
    "ai_label",
)
"""Stable check ids: reports and stored waivers refer to rules by these."""


# --------------------------------------------------------------------------
# What people judge


class ContentRule(_Model):
    """A requirement only a person can judge, in the notice's own words."""

    key: Key
    label: Label
    text: Paragraph
    source: ShortText = ""


class ReviewRound(_Model):
    key: Key
    label: Label
    note: LongText = ""
    blind: Flag = False


class Criterion(_Model):
    key: Key
    label: Label
    weight: Annotated[float, Strict(), Field(gt=0, le=100)] = 1
    scale_max: Annotated[int, Strict(), Field(ge=1, le=1000)] = 10
    description: LongText = ""


class Review(_Model):
    rounds: list[ReviewRound] = Field(min_length=1, max_length=10)
    # Empty when the notice leaves judgement to the experts; the organiser
    # then defines criteria for the campaign or scores overall.
    criteria: list[Criterion] = Field(default_factory=list, max_length=30)
    outcomes: list[Label] = Field(default_factory=list, max_length=20)
    note: LongText = ""

    @model_validator(mode="after")
    def _unique(self) -> Review:
        _duplicates([r.key for r in self.rounds], "rounds[{i}].key")
        _duplicates([c.key for c in self.criteria], "criteria[{i}].key")
        _duplicates(self.outcomes, "outcomes[{i}]")
        return self


# --------------------------------------------------------------------------
# The rule set


def _timezone(value: Any) -> Any:
    if isinstance(value, str):
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}", value):
            raise ValueError(f"时区「{_show(value)}」不合规，应如 Asia/Shanghai")
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"没有名为「{_show(value)}」的时区，应如 Asia/Shanghai") from None
    return value


class RuleSet(_Model):
    """Everything one notice asks of entrants, checks, reviewers and the showcase."""

    schema_version: Literal[1]
    title: Title
    short_title: Annotated[str, BeforeValidator(_single_line), Field(min_length=1, max_length=60)]
    organiser: Paragraph
    summary: LongText = ""
    notice: Notice
    timezone: Annotated[str, Strict(), BeforeValidator(_timezone)] = "Asia/Shanghai"
    phases: list[Phase] = Field(default_factory=list, max_length=20)
    submission: Submission
    entrants: Entrants
    quota: Quota = Field(default_factory=Quota)
    categories: list[Category] = Field(default_factory=list, max_length=10)
    series: Series = Field(default_factory=Series)
    form: Form
    documents: list[DocumentSpec] = Field(default_factory=list, max_length=20)
    file_naming: FileNaming
    technical: list[TechnicalRule] = Field(default_factory=list, max_length=len(CHECK_IDS))
    content_rules: list[ContentRule] = Field(default_factory=list, max_length=40)
    review: Review
    rights: LongText = ""

    @model_validator(mode="after")
    def _consistent(self) -> RuleSet:
        _duplicates([p.key for p in self.phases], "phases[{i}].key")
        _duplicates([c.key for c in self.categories], "categories[{i}].key")
        _duplicates([d.key for d in self.documents], "documents[{i}].key")
        _duplicates([r.key for r in self.content_rules], "content_rules[{i}].key")
        _duplicates([r.check for r in self.technical], "technical[{i}].check")
        self._check_layouts()
        if self.series.allowed and "episode" not in _placeholders(
            self.file_naming.template, _NAMING_PLACEHOLDERS
        ):
            raise ValueError(
                "「{@file_naming.template}」：允许系列作品（「{@series.allowed}」为 true）时，"
                "文件名模板须含 {episode}，否则同一作品各集的文件同名"
            )
        self._check_picture_shape()
        return self

    def _check_layouts(self) -> None:
        keys = {f.key for f in self.form.fields}
        for d_index, document in enumerate(self.documents):
            for l_index, item in enumerate(document.layout):
                for s_index, source in enumerate(item.sources):
                    match = _FORM_SOURCE.fullmatch(source)
                    if match and match.group(1) not in keys:
                        raise ValueError(
                            f"「{{@documents[{d_index}].layout[{l_index}].sources[{s_index}]}}」："
                            f"表单中没有字段「{match.group(1)}」"
                        )

    def _check_picture_shape(self) -> None:
        resolution = self.technical_rule("resolution")
        aspect = self.technical_rule("aspect_ratio")
        if not isinstance(resolution, ResolutionRule) or not isinstance(aspect, AspectRatioRule):
            return
        if resolution.exact is not None and aspect.match(*resolution.exact) is None:
            r_index = self.technical.index(resolution)
            a_index = self.technical.index(aspect)
            w, h = resolution.exact
            raise ValueError(
                f"「{{@technical[{r_index}].exact}}」（{w}×{h}）不符合"
                f"「{{@technical[{a_index}].allowed}}」中的任何宽高比"
            )

    # ---- derived values the web side and the inspection engine share

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def submission_closes_at(self) -> datetime:
        """The last instant a submission is accepted: the end of the closing day."""
        return datetime.combine(self.submission.closes, time.max, tzinfo=self.zone)

    @property
    def submission_opens_at(self) -> datetime | None:
        if self.submission.opens is None:
            return None
        return datetime.combine(self.submission.opens, time.min, tzinfo=self.zone)

    def admits(self, kind: str) -> bool:
        return kind in self.entrants.kinds

    def form_field(self, key: str) -> FormField | None:
        return self.form.get(key)

    def technical_rule(self, check: str) -> TechnicalRule | None:
        return next((r for r in self.technical if r.check == check), None)

    def phase(self, key: str) -> Phase | None:
        return next((p for p in self.phases if p.key == key), None)

    def category(self, key: str) -> Category | None:
        return next((c for c in self.categories if c.key == key), None)

    def document(self, key: str) -> DocumentSpec | None:
        return next((d for d in self.documents if d.key == key), None)

    @property
    def required_documents(self) -> list[DocumentSpec]:
        """Documents the entrant must upload; generated ones are the platform's job."""
        return [d for d in self.documents if d.source == "upload" and d.required]

    @property
    def video_extensions(self) -> list[str]:
        """Lower-case extensions the container rule allows; empty if there is no such rule."""
        rule = self.technical_rule("container")
        return list(rule.extensions) if isinstance(rule, ContainerRule) else []

"""Works that arrived by e-mail, taken into the platform from a folder.

Both notices ask for submissions by e-mail (Chongqing: 「统一打包发送至电子邮箱」),
and many units will send them that way whatever the platform offers. The
organiser saves each e-mail's attachments into a folder (one sub-folder per
e-mail, or all in one) and runs ``import-folder``: the files are sorted into
works by the titles in their names and in the filled forms, the forms are read
back into the work's fields, the entrant is found among the campaign's units
(「中共长川市委统一战线工作部」 is 「长川市委统战部」) or created, and nothing is
written until the organiser has seen the plan and confirmed it.

What the import decides:

- a work comes in as 已提交 when its form and files are complete and the e-mail
  arrived by the deadline (``received``), otherwise as a 草稿 the organiser or
  the unit completes; its videos' checks are queued as for any upload and
  their report is there at the formal check;
- a work over its entrant's quota, or received after the deadline, is listed
  and not created;
- a work already there (same entrant, same title) and a file already stored
  (same SHA-256) are left alone, so running the import twice imports nothing
  twice;
- each work is created in one transaction with its files; a failure in one
  leaves the others in.

The folder is the organiser's, but its files came from outside: symbolic
links are never followed, names that carry path separators or control
characters are refused, and every file is sniffed by its content and stored
through the same path as an upload.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guangying.campaigns.models import Campaign, Entrant
from guangying.inspection.reading import names
from guangying.rulesets import DocumentSpec, FormField, RuleSet
from guangying.submissions.models import QUOTA_STATES, Attachment, Episode, Work, WorkHistory, WorkState
from guangying.submissions.readiness import deadline_problems, form_problems, local_deadline, video_rule
from guangying.submissions.sniffing import FORMAT_LABELS, sniff_file
from guangying.submissions.text import clean_text, count_chars
from guangying.submissions.uploads import FileRule, UploadRefused, human_size, store_attachment

from .reading import (
    MAX_FILE_BYTES,
    FormReading,
    FormUnreadable,
    document_text,
    form_document,
    read_form,
    squeeze,
)

MAX_FILES = 5000
MAX_DEPTH = 6
HASH_CHUNK = 1024 * 1024
VIDEO_FORMATS = ("mp4", "mov", "mpeg", "ts", "mkv", "avi", "flv")
SCAN_FORMATS = ("pdf", "jpg", "png")
TEXT_FORMATS = ("docx", "txt")
IGNORED_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}

# Words for a video's text, whatever the notice calls it (文稿, 脚本, 解说词 …).
SCRIPT_WORDS = ("文稿", "脚本", "解说词", "台词", "字幕稿", "文案", "讲稿")
_LABEL_PREFIXES = ("最终视频", "作品", "版权", "最终", "视频")
_LABEL_SUFFIXES = ("内容", "情况", "信息")

# Roles of a file in a work.
VIDEO, FORM, DOCUMENT, SCRIPT_TEXT, SCAN = "video", "form", "document", "script_text", "scan"


class ImportRefused(Exception):
    """The import cannot start at all (no such folder, no such campaign)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------
# What the plan holds


@dataclass
class SourceFile:
    path: Path
    shown: str  # the path below the folder, as the organiser sees it
    group: str  # the e-mail's sub-folder; "" for files at the top
    name: str
    size: int
    format: str
    sha256: str = ""
    role: str = ""
    key: str = ""  # document key, or form field key for a script read into the form
    entrant_hint: str = ""
    title_hint: str = ""
    episode: int | None = None
    reading: FormReading | None = None
    note: str = ""
    already: str = ""  # the title of the work that holds a file with the same SHA-256


@dataclass
class Unmatched:
    shown: str
    reason: str


@dataclass
class PlannedEntrant:
    name: str
    kind: str
    unit: str = ""
    existing: Entrant | None = None
    contact_name: str = ""
    contact_phone: str = ""
    note: str = ""

    @property
    def shown(self) -> str:
        if self.kind == Entrant.Kind.INDIVIDUAL and self.unit:
            return f"{self.name}（{self.unit}）"
        return self.name

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, names.name_core(self.name), names.name_core(self.unit))


@dataclass
class PlannedWork:
    group: str
    title: str
    entrant_name: str = ""
    entrant_kind: str | None = None
    entrant_unit: str = ""
    entrant: PlannedEntrant | None = None
    form: SourceFile | None = None
    form_error: str = ""
    videos: list[SourceFile] = field(default_factory=list)
    documents: dict[str, SourceFile] = field(default_factory=dict)
    script_text: SourceFile | None = None
    form_data: dict[str, Any] = field(default_factory=dict)
    reading_problems: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    state: str = WorkState.DRAFT
    existing: Work | None = None
    refused: str = ""

    @property
    def title_key(self) -> str:
        return squeeze(self.title)

    @property
    def to_create(self) -> bool:
        return self.existing is None and not self.refused and self.entrant is not None

    def files(self) -> list[SourceFile]:
        out = list(self.videos)
        if self.form is not None:
            out.append(self.form)
        out.extend(self.documents.values())
        if self.script_text is not None:
            out.append(self.script_text)
        return out


@dataclass
class ImportPlan:
    campaign: Campaign
    folder: Path
    received: datetime
    works: list[PlannedWork] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    files_seen: int = 0

    @property
    def to_create(self) -> list[PlannedWork]:
        return [w for w in self.works if w.to_create]

    @property
    def new_entrants(self) -> list[PlannedEntrant]:
        seen: dict[tuple[str, str, str], PlannedEntrant] = {}
        for work in self.to_create:
            if work.entrant is not None and work.entrant.existing is None:
                seen.setdefault(work.entrant.key, work.entrant)
        return list(seen.values())


@dataclass
class ImportResult:
    created: list[Work] = field(default_factory=list)
    skipped: list[PlannedWork] = field(default_factory=list)
    failed: list[tuple[PlannedWork, str]] = field(default_factory=list)
    entrants_created: list[Entrant] = field(default_factory=list)


# --------------------------------------------------------------------------
# Finding the campaign and the files


def find_campaign(ident: str) -> Campaign:
    """A campaign by its slug or its number."""
    ident = (ident or "").strip()
    campaign = Campaign.objects.filter(slug=ident).first()
    if campaign is None and ident.isdigit():
        campaign = Campaign.objects.filter(pk=int(ident)).first()
    if campaign is None:
        known = "、".join(Campaign.objects.order_by("slug").values_list("slug", flat=True)[:20])
        raise ImportRefused(
            _("没有找到活动「%(id)s」（请写活动的网址标识或编号）。") % {"id": ident}
            + (_("现有活动：%(list)s") % {"list": known} if known else _("目前还没有任何活动。"))
        )
    return campaign


def _bad_name(name: str) -> str:
    """Why a file's name is refused, or ""."""
    if any("\udc80" <= ch <= "\udcff" for ch in name):
        return _("文件名不是 UTF-8 编码，无法可靠识别，已拒绝")
    if "\\" in name or "/" in name:
        return _("文件名含路径分隔符（可能试图写到别的位置），已拒绝")
    if name in (".", "..") or name.startswith(".."):
        return _("文件名指向上级文件夹，已拒绝")
    if any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\u200d" for ch in name):
        return _("文件名含控制字符或不可见字符，已拒绝")
    return ""


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def scan_folder(folder: Path) -> tuple[list[SourceFile], list[Unmatched]]:
    """Every regular file below ``folder``; symbolic links and odd names are refused, not followed."""
    root = folder.resolve()
    files: list[SourceFile] = []
    unmatched: list[Unmatched] = []

    def visit(directory: Path, depth: int, group: str) -> None:
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as error:
            unmatched.append(Unmatched(_shown(directory, root) + "/", _("无法读取文件夹：%(e)s")
                                       % {"e": error.strerror or error}))
            return
        for entry in entries:
            path = Path(entry.path)
            shown = _shown(path, root)
            if len(files) >= MAX_FILES:
                unmatched.append(Unmatched(shown, _("文件过多（超过 %(n)s 个），其余未读取")
                                           % {"n": MAX_FILES}))
                return
            problem = _bad_name(entry.name)
            if problem:
                unmatched.append(Unmatched(shown, problem))
                continue
            if entry.is_symlink():
                target = Path(os.path.realpath(path))
                if _inside(target, root):
                    reason = _("是符号链接（指向文件夹内的「%(t)s」），已跳过") % {"t": _shown(target, root)}
                else:
                    reason = _("是符号链接，指向导入文件夹以外的位置，已拒绝")
                unmatched.append(Unmatched(shown, reason))
                continue
            if entry.name.lower() in IGNORED_NAMES or entry.name.startswith((".", "~$")):
                unmatched.append(Unmatched(shown, _("系统或 Office 自动生成的隐藏文件，已忽略")))
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError as error:
                unmatched.append(Unmatched(shown, _("无法读取：%(e)s") % {"e": error.strerror or error}))
                continue
            if stat.S_ISDIR(info.st_mode):
                if depth >= MAX_DEPTH:
                    unmatched.append(Unmatched(shown + "/", _("文件夹层级过深，未读取")))
                    continue
                visit(path, depth + 1, group or entry.name)
                continue
            if not stat.S_ISREG(info.st_mode):
                unmatched.append(Unmatched(shown, _("不是普通文件，已拒绝")))
                continue
            files.append(SourceFile(path=path, shown=shown, group=group, name=entry.name,
                                    size=info.st_size, format=""))

    visit(root, 0, "")
    return files, unmatched


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _open(path: Path) -> Any:
    """Open for reading without following a symbolic link put in the file's place since the scan."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    return os.fdopen(descriptor, "rb")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with _open(path) as handle:
        for chunk in iter(lambda: handle.read(HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------
# What a file is, from its name and content


def _keywords(label: str) -> set[str]:
    """The words a file name may use for a document: 「版权承诺书」 → 承诺书, 「最终视频文稿」 → 文稿."""
    words = {label}
    core = label
    for prefix in _LABEL_PREFIXES:
        if core.startswith(prefix) and len(core) - len(prefix) >= 2:
            core = core[len(prefix):]
            words.add(core)
    for suffix in _LABEL_SUFFIXES:
        if core.endswith(suffix) and len(core) - len(suffix) >= 2:
            core = core[: -len(suffix)]
            words.add(core)
    if any(word in label for word in SCRIPT_WORDS):
        words.update(SCRIPT_WORDS)
    return {squeeze(w) for w in words if len(squeeze(w)) >= 2}


@dataclass
class _Slots:
    """Where files can go in this campaign, all read from the rule set."""

    rules: RuleSet
    form: DocumentSpec | None
    form_words: set[str]
    listings: list[tuple[DocumentSpec, set[str]]]  # per-entrant lists the platform makes
    uploads: list[tuple[DocumentSpec, set[str]]]  # per-work documents the entrant sends
    script_field: FormField | None  # a form row that holds the video's script (Hubei)
    script_words: set[str]

    @classmethod
    def of(cls, rules: RuleSet) -> _Slots:
        form = form_document(rules)
        listings = [(d, _keywords(d.label)) for d in rules.documents
                    if d.source == "generated" and d is not form]
        uploads = [(d, _keywords(d.label)) for d in rules.documents
                   if d.source == "upload" and d.per == "work"]
        script_field = next((f for f in rules.form.fields if f.type == "textarea"
                             and any(w in f.label for w in SCRIPT_WORDS)), None)
        return cls(rules=rules, form=form, form_words=_keywords(form.label) if form else set(),
                   listings=listings, uploads=uploads, script_field=script_field,
                   script_words=_keywords(script_field.label) if script_field else set())

    def all_words(self) -> set[str]:
        words = set(self.form_words) | self.script_words
        for _spec, ws in self.listings + self.uploads:
            words |= ws
        return words

    def script_document(self) -> DocumentSpec | None:
        return next((d for d, ws in self.uploads if ws & set(SCRIPT_WORDS)), None)

    def scan_document(self) -> DocumentSpec | None:
        """The one document that comes back as a signed scan (the pledge), if there is one."""
        signed = [d for d, _ws in self.uploads if d.signature != "none"]
        return signed[0] if len(signed) == 1 else None


def _longest_word(name: str, words: set[str]) -> int:
    return max((len(w) for w in words if w in name), default=0)


def _format_label(fmt: str) -> str:
    return str(FORMAT_LABELS.get(fmt, fmt.upper()))


def _formats_label(formats: tuple[str, ...] | list[str]) -> str:
    return "、".join(_format_label(f) for f in formats)


def classify(item: SourceFile, slots: _Slots) -> str:
    """Give the file its role; returns the reason it has none, or ""."""
    rules = slots.rules
    fmt = item.format
    if fmt == "empty":
        return _("空文件（0 字节）")
    if fmt in VIDEO_FORMATS:
        rule = video_rule(rules)
        if fmt not in rule.formats:
            return _("视频格式为 %(found)s，本活动只接受 %(wanted)s") % {
                "found": _format_label(fmt), "wanted": _formats_label(rule.formats)}
        if item.size > rule.max_bytes:
            return _("视频文件过大：%(size)s，上限为 %(limit)s") % {
                "size": human_size(item.size), "limit": human_size(rule.max_bytes)}
        item.role = VIDEO
        return ""
    if fmt == "zip":
        return _("是压缩包，请先解压，再导入其中的文件")
    name = unicodedata.normalize("NFKC", item.name)
    stem = squeeze(name.rsplit(".", 1)[0])
    best: tuple[int, str, Any] = (0, "", None)
    candidates: list[tuple[int, str, Any]] = [
        (_longest_word(stem, slots.form_words), FORM, slots.form),
        (_longest_word(stem, slots.script_words), SCRIPT_TEXT, slots.script_field),
        *((_longest_word(stem, ws), "listing", spec) for spec, ws in slots.listings),
        *((_longest_word(stem, ws), DOCUMENT, spec) for spec, ws in slots.uploads),
    ]
    for candidate in candidates:
        if candidate[0] > best[0]:
            best = candidate
    _length, role, spec = best
    if role == FORM:
        if fmt == "docx":
            item.role, item.key = FORM, spec.key
            return ""
        if fmt == "doc":
            return (_("%(label)s是旧版 Word（.doc）文件，无法读取；请另存为 .docx 后再导入")
                    % {"label": spec.label})
        return _("%(label)s须为 Word（.docx）文件才能读出表中内容（此文件是 %(found)s）") % {
            "label": spec.label, "found": _format_label(fmt)}
    if role == "listing":
        return _("「%(label)s」由平台按已导入的作品生成，无需导入") % {"label": spec.label}
    if role == DOCUMENT:
        if fmt not in spec.formats:
            return _("「%(label)s」须为 %(wanted)s，此文件是 %(found)s") % {
                "label": spec.label, "wanted": _formats_label(spec.formats), "found": _format_label(fmt)}
        if item.size > spec.max_size_mb * 1024 * 1024:
            return _("「%(label)s」文件过大：%(size)s，上限为 %(limit)s") % {
                "label": spec.label, "size": human_size(item.size),
                "limit": human_size(spec.max_size_mb * 1024 * 1024)}
        item.role, item.key = DOCUMENT, spec.key
        return ""
    if role == SCRIPT_TEXT:
        if fmt not in TEXT_FORMATS:
            return _("「%(label)s」只能从 Word（.docx）或文本文件读入，此文件是 %(found)s") % {
                "label": spec.label, "found": _format_label(fmt)}
        item.role, item.key = SCRIPT_TEXT, spec.key
        return ""
    # Nothing in the name says what it is: look at the content.
    if fmt == "docx" and slots.form is not None:
        try:
            reading = read_form(item.path, rules, document_key=slots.form.key)
        except FormUnreadable as error:
            return error.message
        if reading.looks_like_form:
            item.role, item.key, item.reading = FORM, slots.form.key, reading
            return ""
    script = slots.script_document()
    if fmt in ("docx", "txt"):
        if script is not None and fmt in script.formats:
            item.role, item.key = DOCUMENT, script.key
            item.note = _("文件名中没有「文稿」等字样，按「%(label)s」导入") % {"label": script.label}
            return ""
        if slots.script_field is not None and fmt in TEXT_FORMATS:
            item.role, item.key = SCRIPT_TEXT, slots.script_field.key
            item.note = (_("文件名中没有「脚本」等字样，按「%(label)s」读入")
                         % {"label": slots.script_field.label})
            return ""
    if fmt in SCAN_FORMATS and slots.scan_document() is not None:
        item.role = SCAN  # settled once the work is known: the only scan of a one-work e-mail
        return ""
    if fmt in ("doc", "pdf", "jpg", "png", "txt", "docx"):
        return _("无法判断是哪份材料（文件名中没有「%(words)s」等字样）") % {
            "words": "」「".join(d.label for d, _ws in slots.uploads) or _("作品名称")}
    return _("不认识的文件类型（%(found)s）") % {"found": _format_label(fmt)}


# --------------------------------------------------------------------------
# Titles, entrants and episodes in file names

_SEPARATORS = re.compile(r"[\s\-+_—–~|,，;；、【】\[\]]+")
_CN_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
               "十一": 11, "十二": 12, "十三": 13, "十四": 14, "十五": 15, "十六": 16, "十七": 17,
               "十八": 18, "十九": 19, "二十": 20}
_EPISODE = [
    re.compile(r"[(（\[【]?\s*第\s*(\d{1,3}|[一二三四五六七八九十]{1,3})\s*[集期部篇回]\s*[)）\]】]?"),
    re.compile(r"(?:^|(?<=[\s\-_+]))(?:EP|E|Part|P)\s*0*(\d{1,3})\s*$", re.I),
    re.compile(r"[(（\[【]\s*(\d{1,2})\s*[)）\]】]\s*$"),
    re.compile(r"[(（\[【]\s*([上中下])\s*[集篇]?\s*[)）\]】]\s*$"),
]


def pop_episode(text: str) -> tuple[int | None, str]:
    """「一封家书（第2集）」 → (2, 「一封家书」); 「…EP03」, 「…(上)」 likewise."""
    for pattern in _EPISODE:
        match = pattern.search(text)
        if not match:
            continue
        value = match.group(1)
        if value.isdigit():
            number = int(value)
        elif value in "上中下":
            number = "上中下".index(value) + 1 if value != "下" else 2
            if value == "下" and "中" in text:
                number = 3
        else:
            number = _CN_NUMBERS.get(value, 0)
        if number <= 0:
            continue
        return number, (text[: match.start()] + " " + text[match.end():]).strip()
    return None, text


def _matches_entrant(token: str, name: str) -> bool:
    core = names.name_core(name)
    text = names.name_core(token)
    if len(core) < 2 or not text:
        return False
    if core == text:
        return True
    match = names.find(core, text)
    return match is not None and match.start == 0 and match.end == len(text)


@dataclass
class NameParts:
    entrant: str = ""
    entrant_guessed: bool = False
    title: str = ""
    episode: int | None = None


def name_parts(name: str, words: set[str], known: list[str]) -> NameParts:
    """Entrant, title and episode read from a file name such as 「长川市委统战部+一封家书（第2集）.mp4」."""
    name = unicodedata.normalize("NFKC", name)
    stem = (name.rsplit(".", 1)[0] if "." in name else name).strip()
    episode, stem = pop_episode(stem)
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^\s\-+_—–~|,，;；、【】\[\]]+", stem)]
    parts = NameParts(episode=episode)
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        token = stem[start:end]
        # A document's word, alone or stuck to the title: 「作品信息表一封家书」, 「一封家书文稿」.
        for word in sorted(words, key=len, reverse=True):
            squeezed = squeeze(token)
            if squeezed == word:
                token = ""
                break
            if squeezed.startswith(word) or squeezed.endswith(word):
                cut = _cut_word(token, word)
                if cut is not None:
                    shift = max(0, token.find(cut)) if cut else 0
                    start, end = start + shift, start + shift + len(cut)
                    token = cut
        if not squeeze(token):
            continue
        entrant = next((k for k in known if _matches_entrant(token, k)), None)
        if entrant is not None and not parts.entrant:
            parts.entrant = token
            continue
        glued = _glued_entrant(token, known)
        if glued is not None and not parts.entrant:
            parts.entrant = token[:glued]
            kept.append((start + glued, end))
            continue
        kept.append((start, end))
    if not parts.entrant and len(kept) >= 2:
        first_end = kept[0][1]
        separator = stem[first_end:kept[1][0]]
        if separator.strip() in ("-", "+", "—", "–", "_", "--"):
            parts.entrant = stem[kept[0][0]:first_end]
            parts.entrant_guessed = True
            kept = kept[1:]
    if kept:
        parts.title = stem[kept[0][0]:kept[-1][1]].strip(" -+_—–")
        parts.title = re.sub(r"^[《“\"「]+|[》”\"」]+$", "", parts.title).strip()
    return parts


def _cut_word(token: str, word: str) -> str | None:
    """The token without the document word at its start or end (compared squeezed)."""
    for i in range(1, len(token) + 1):
        if squeeze(token[:i]) == word:
            return token[i:]
    for i in range(len(token) - 1, -1, -1):
        if squeeze(token[i:]) == word:
            return token[:i]
    return None


def _glued_entrant(token: str, known: list[str]) -> int | None:
    """Where a known entrant's name ends when the title follows without a separator."""
    for name in known:
        core = names.name_core(name)
        if len(core) < 4 or core not in names.name_core(token):
            continue
        for i in range(len(token) - 1, 1, -1):
            if names.name_core(token[:i]) == core and squeeze(token[i:]):
                return i
    return None


def _edit_distance(a: str, b: str, limit: int = 2) -> int:
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
        previous = current
    return previous[-1]


def same_title(a: str, b: str) -> bool:
    """Titles as units type them twice: full-width or not, a typo in a long title."""
    ka, kb = squeeze(a), squeeze(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    return min(len(ka), len(kb)) >= 4 and _edit_distance(ka, kb, 1) <= 1


# --------------------------------------------------------------------------
# The plan


def _received(value: datetime | None) -> datetime:
    return value or timezone.now()


def _contact(form_data: dict[str, Any], rules: RuleSet) -> tuple[str, str]:
    """The contact person and phone of the form, for a new entrant's record."""
    name = ""
    phone = ""
    for spec in rules.form.fields:
        value = form_data.get(spec.key)
        if not isinstance(value, str):
            continue
        if spec.type == "phone" and not phone:
            phone = value[:30]
        elif spec.key == "contact_name" and not name:
            name = value[:50]
    return name, phone


def plan_import(folder: Path | str, campaign: Campaign, *, received: datetime | None = None) -> ImportPlan:
    """Read the folder and decide everything; writes nothing."""
    folder = Path(folder)
    if not folder.exists():
        raise ImportRefused(_("文件夹不存在：%(p)s") % {"p": folder})
    if not folder.is_dir():
        raise ImportRefused(_("不是文件夹：%(p)s") % {"p": folder})
    rules = campaign.rules
    slots = _Slots.of(rules)
    plan = ImportPlan(campaign=campaign, folder=folder.resolve(), received=_received(received))
    files, plan.unmatched = scan_folder(folder)
    plan.files_seen = len(files) + len(plan.unmatched)
    stored = dict(Attachment.objects.filter(work__campaign=campaign).values_list("sha256", "work__title"))
    by_digest: dict[str, SourceFile] = {}
    usable: list[SourceFile] = []
    for item in files:
        try:
            sniffed = sniff_file(item.path) if item.size else None
            item.format = sniffed.format if sniffed else "empty"
            if sniffed is not None and sniffed.problem:
                plan.unmatched.append(Unmatched(item.shown, sniffed.problem))
                continue
            item.sha256 = _sha256(item.path) if item.size else ""
        except OSError as error:
            plan.unmatched.append(Unmatched(item.shown, _("无法读取：%(e)s")
                                            % {"e": error.strerror or error}))
            continue
        # Kept for sorting: the work it belongs to is then found already there.
        item.already = stored.get(item.sha256, "") if item.sha256 else ""
        if item.sha256 and item.sha256 in by_digest:
            plan.unmatched.append(Unmatched(item.shown, _("与「%(o)s」内容相同，只导入一次")
                                            % {"o": by_digest[item.sha256].shown}))
            continue
        reason = classify(item, slots)
        if reason:
            plan.unmatched.append(Unmatched(item.shown, reason))
            continue
        if item.sha256:
            by_digest[item.sha256] = item
        usable.append(item)

    for item in usable:
        if item.role == FORM and item.reading is None:
            try:
                item.reading = read_form(item.path, rules, document_key=item.key)
            except FormUnreadable as error:
                item.reading = None
                item.note = error.message
    known = [e.name for e in campaign.entrants.all()]
    known += [i.reading.entrant.name for i in usable if i.reading is not None and i.reading.entrant.name]
    words = slots.all_words()
    for item in usable:
        parts = name_parts(item.name, words, known)
        item.entrant_hint, item.title_hint, item.episode = parts.entrant, parts.title, parts.episode
        if parts.entrant_guessed:
            item.note = item.note or _("报送单位按文件名「%(e)s」识别") % {"e": parts.entrant}

    groups: dict[str, list[SourceFile]] = {}
    for item in usable:
        groups.setdefault(item.group, []).append(item)
    for group, items in groups.items():
        _plan_group(plan, group, items, slots)
    _resolve(plan, known)
    return plan


def _find_work(works: list[PlannedWork], title: str, entrant: str) -> PlannedWork | None:
    candidates = [w for w in works if w.title and same_title(w.title, title)]
    if entrant:
        candidates = [w for w in candidates if not w.entrant_name or _same_entrant(w.entrant_name, entrant)]
    exact = [w for w in candidates if squeeze(w.title) == squeeze(title)]
    if len(exact) == 1:
        return exact[0]
    return candidates[0] if len(candidates) == 1 else None


def _same_entrant(a: str, b: str) -> bool:
    return _matches_entrant(a, b) or _matches_entrant(b, a)


def _plan_group(plan: ImportPlan, group: str, items: list[SourceFile], slots: _Slots) -> None:
    """Sort one e-mail's files into works: forms first (their titles are the unit's own), then the rest."""
    works: list[PlannedWork] = []
    for item in (i for i in items if i.role == FORM):
        reading = item.reading
        title = (reading.title if reading else "") or item.title_hint
        entrant = (reading.entrant.name if reading else "") or item.entrant_hint
        existing = _find_work(works, title, entrant) if title else None
        if existing is not None and existing.form is not None:
            plan.unmatched.append(Unmatched(item.shown, _("作品「%(t)s」已有一份%(label)s（%(o)s）")
                                            % {"t": existing.title, "label": slots.form.label,
                                               "o": existing.form.shown}))
            continue
        work = existing or PlannedWork(group=group, title=title)
        if existing is None:
            works.append(work)
        work.form = item
        work.form_error = item.note if reading is None else ""
        if reading is not None:
            work.entrant_name = reading.entrant.name or work.entrant_name or item.entrant_hint
            work.entrant_kind = reading.entrant.kind
            work.entrant_unit = reading.entrant.unit
            work.form_data = {k: v for k, v in reading.values.items() if k != "title"}
            work.reading_problems = list(reading.problems)
        elif item.entrant_hint:
            work.entrant_name = item.entrant_hint

    def place(item: SourceFile) -> PlannedWork | None:
        title = item.title_hint
        if item.role == SCAN:
            # A scan named 「扫描件001」 carries no title: it can only be the one work's.
            named = _find_work(works, title, item.entrant_hint) if title else None
            return named or (works[0] if len(works) == 1 else None)
        if title:
            work = _find_work(works, title, item.entrant_hint)
            if work is not None:
                return work
            untitled = [w for w in works if not w.title]
            if len(untitled) == 1 and len(works) == 1:
                untitled[0].title = title
                return untitled[0]
            if item.role == VIDEO:
                work = PlannedWork(group=group, title=title, entrant_name=item.entrant_hint)
                works.append(work)
                return work
            return None
        return works[0] if len(works) == 1 else None

    for item in sorted((i for i in items if i.role == VIDEO), key=lambda i: (i.episode or 0, i.name)):
        work = place(item)
        if work is None:
            plan.unmatched.append(Unmatched(
                item.shown, _("无法从文件名看出作品名称，本邮件中也没有唯一的作品可归入")))
            continue
        if not work.entrant_name and item.entrant_hint:
            work.entrant_name = item.entrant_hint
        work.videos.append(item)
    scans = sum(1 for i in items if i.role == SCAN)
    # Named documents first, so that a nameless scan is given only a place left empty.
    for item in sorted((i for i in items if i.role in (DOCUMENT, SCRIPT_TEXT, SCAN)),
                       key=lambda i: i.role == SCAN):
        work = place(item) if item.role != SCAN or scans == 1 else None
        if work is None and item.role == SCAN:
            spec = slots.scan_document()
            reason = _("无法判断是哪份材料（文件名中没有「%(l)s」等字样）") % {
                "l": spec.label if spec else _("承诺书")}
        elif work is None:
            reason = (_("文件名中的作品名称「%(t)s」与本邮件中的作品都对不上") % {"t": item.title_hint}
                      if item.title_hint else _("文件名中没有作品名称，本邮件中有多件作品，无法判断归属"))
        if work is None:
            plan.unmatched.append(Unmatched(item.shown, reason))
            continue
        if item.role == SCAN:
            spec = slots.scan_document()
            if spec is None or spec.key in work.documents or len(works) != 1:
                plan.unmatched.append(Unmatched(
                    item.shown, _("无法判断是哪份材料（文件名中没有「%(l)s」等字样）")
                    % {"l": spec.label if spec else _("承诺书")}))
                continue
            item.role, item.key = DOCUMENT, spec.key
            item.note = _("按本邮件中唯一的扫描件归为「%(l)s」") % {"l": spec.label}
        if item.role == SCRIPT_TEXT:
            if work.script_text is not None:
                plan.unmatched.append(Unmatched(item.shown, _("作品「%(t)s」已有文稿「%(o)s」")
                                                % {"t": work.title, "o": work.script_text.shown}))
                continue
            work.script_text = item
            continue
        if item.key in work.documents:
            label = next((d.label for d, _w in slots.uploads if d.key == item.key), item.key)
            plan.unmatched.append(Unmatched(
                item.shown, _("作品「%(t)s」已有一份「%(l)s」（%(o)s）")
                % {"t": work.title, "l": label, "o": work.documents[item.key].shown}))
            continue
        work.documents[item.key] = item
    # A group-wide entrant: the one every named file of the e-mail agrees on.
    named = {names.name_core(w.entrant_name): w.entrant_name for w in works if w.entrant_name}
    if len(named) == 1:
        only = next(iter(named.values()))
        for work in works:
            if not work.entrant_name:
                work.entrant_name = only
    plan.works.extend(works)


def _entrant_for(plan: ImportPlan, work: PlannedWork, entrants: list[Entrant],
                 planned: dict[tuple[str, str, str], PlannedEntrant]) -> PlannedEntrant | str:
    """The entrant a work belongs to, found or to be created; or why there is none."""
    rules = plan.campaign.rules
    name = clean_text(work.entrant_name, multiline=False)[:200]
    if not name:
        return _("无法确定报送主体：登记表和文件名中都没有写报送单位（或报送人）")
    kinds = list(rules.entrants.kinds)
    kind = work.entrant_kind
    note = ""
    for entrant in entrants:
        if kind and entrant.kind != kind:
            continue
        if not _same_entrant(entrant.name, name):
            continue
        if entrant.kind == Entrant.Kind.INDIVIDUAL and work.entrant_unit and entrant.affiliation and \
                not _same_entrant(entrant.affiliation, work.entrant_unit):
            continue
        return PlannedEntrant(name=entrant.name, kind=entrant.kind, unit=entrant.affiliation,
                              existing=entrant)
    if kind is None:
        kind = kinds[0] if len(kinds) == 1 else Entrant.Kind.UNIT
        if len(kinds) > 1:
            note = _("登记表中没有写参赛主体类别，按单位报送新建")
    if kind not in kinds:
        return _("本活动不接受%(k)s报送") % {"k": Entrant.Kind(kind).label}
    unit = clean_text(work.entrant_unit, multiline=False)[:200] if kind == Entrant.Kind.INDIVIDUAL else ""
    if kind == Entrant.Kind.INDIVIDUAL and rules.entrants.individual_requires_unit and not unit:
        return _("个人报送须写明所在单位，登记表中没有写")
    contact_name, contact_phone = _contact(work.form_data, rules)
    fresh = PlannedEntrant(name=name, kind=kind, unit=unit, contact_name=contact_name,
                           contact_phone=contact_phone, note=note)
    return planned.setdefault(fresh.key, fresh)


def _resolve(plan: ImportPlan, known: list[str]) -> None:
    """Entrants, works already there, the quota, the deadline and the state each work will take."""
    campaign = plan.campaign
    rules = campaign.rules
    entrants = list(campaign.entrants.all())
    planned: dict[tuple[str, str, str], PlannedEntrant] = {}
    late = plan.received > campaign.submission_closes_at
    taken: dict[tuple[str, str, str], int] = {}
    seen: dict[tuple[tuple[str, str, str], str], PlannedWork] = {}
    for work in plan.works:
        if not work.title:
            work.refused = _("没有作品名称：登记表中没有填写，文件名中也看不出")
            continue
        found = _entrant_for(plan, work, entrants, planned)
        if isinstance(found, str):
            work.refused = found
            continue
        work.entrant = found
        key = (found.key, squeeze(work.title))
        if key in seen:
            first = seen[key]
            work.refused = _("与「%(g)s」中的同一作品重复，只导入一次") % {"g": first.group or _("文件夹")}
            continue
        seen[key] = work
        if found.existing is not None:
            existing = (Work.objects.filter(entrant=found.existing).exclude(state=WorkState.WITHDRAWN)
                        .order_by("pk"))
            work.existing = next((w for w in existing if squeeze(w.title) == squeeze(work.title)), None)
            if work.existing is not None:
                for item in work.files():
                    if not item.already:
                        plan.unmatched.append(Unmatched(item.shown, _(
                            "作品「%(t)s」已在平台上（%(s)s），此文件未导入；如需更换，请在作品页面上传")
                            % {"t": work.existing.title, "s": work.existing.get_state_display()}))
                continue
        _drop_stored(plan, work)
        if late:
            work.refused = _("收到时间 %(r)s 晚于报送截止时间 %(d)s（北京时间）") % {
                "r": local_deadline(plan.received), "d": local_deadline(campaign.submission_closes_at)}
            continue
        limit = found.existing.max_works if found.existing is not None else rules.quota.max
        if limit is not None:
            if found.key not in taken:
                holding = Work.objects.filter(entrant=found.existing, state__in=QUOTA_STATES)
                taken[found.key] = holding.count() if found.existing is not None else 0
            if taken[found.key] >= limit:
                work.refused = (_("超出报送数量上限：每个报送主体最多 %(n)s 件作品"
                                  "（已有或本次已排 %(m)s 件）") % {"n": limit, "m": taken[found.key]})
                continue
            taken[found.key] += 1
        _complete(plan, work)


def _drop_stored(plan: ImportPlan, work: PlannedWork) -> None:
    """Files of a new work that the platform already holds for another work are not stored twice."""
    for item in work.files():
        if not item.already:
            continue
        plan.unmatched.append(Unmatched(item.shown, _("已导入过（与作品「%(t)s」中的文件内容相同）")
                                        % {"t": item.already}))
        if item in work.videos:
            work.videos.remove(item)
        elif item is work.form:
            work.form = None
        elif item is work.script_text:
            work.script_text = None
        else:
            work.documents = {k: v for k, v in work.documents.items() if v is not item}


def _complete(plan: ImportPlan, work: PlannedWork) -> None:
    """The form's script row from a script file, and what is still missing for 已提交."""
    rules = plan.campaign.rules
    if work.script_text is not None:
        spec = rules.form.get(work.script_text.key)
        if spec is not None and not work.form_data.get(spec.key):
            try:
                text = document_text(work.script_text.path)
            except FormUnreadable as error:
                work.reading_problems.append(f"{spec.label}：{error.message}")
            else:
                if text:
                    work.form_data[spec.key] = text
                    if spec.max_chars and count_chars(text) > spec.max_chars:
                        work.reading_problems.append(
                            _("%(l)s：共 %(n)s 字，超过 %(m)s 字的限制") % {
                                "l": spec.label, "n": count_chars(text), "m": spec.max_chars})
    probe = Work(campaign=plan.campaign, title=work.title, form_data=work.form_data)
    # An unpublished campaign, or one not open yet when the e-mail came: a draft, for the organiser to settle.
    missing = [p.rstrip("。") for p in deadline_problems(probe, plan.received) + form_problems(rules, probe)]
    if not work.videos:
        missing.append(_("视频文件"))
    elif not rules.series.allowed and len(work.videos) > 1:
        missing.append(_("本活动不接受系列作品，每件作品只能有一个视频"))
    for spec in rules.required_documents:
        if spec.per == "work" and spec.key not in work.documents:
            missing.append(spec.label)
    work.missing = missing
    work.state = WorkState.SUBMITTED if not missing else WorkState.DRAFT


# --------------------------------------------------------------------------
# Doing it


def _episode_numbers(work: PlannedWork) -> list[tuple[int, SourceFile]]:
    """Each video's episode: its own number if it has one, else the next free number."""
    taken = {v.episode for v in work.videos if v.episode}
    numbered: list[tuple[int, SourceFile]] = []
    used: set[int] = set()
    for video in work.videos:
        number = video.episode
        if not number or number in used:
            number = 1
            while number in used or number in taken:
                number += 1
        used.add(number)
        numbered.append((number, video))
    return sorted(numbered, key=lambda pair: pair[0])


def _rule_for(rules: RuleSet, item: SourceFile) -> FileRule:
    if item.role == VIDEO:
        return video_rule(rules)
    if item.role == FORM:
        spec = rules.document(item.key)
        return FileRule(label=spec.label if spec else item.key, formats=("docx",), max_bytes=MAX_FILE_BYTES)
    spec = rules.document(item.key)
    return FileRule(label=spec.label, formats=tuple(spec.formats), max_bytes=spec.max_size_mb * 1024 * 1024)


def _store(work: Work, item: SourceFile, rules: RuleSet, user: Any, episode: Episode | None) -> Attachment:
    with _open(item.path) as handle:
        size = os.fstat(handle.fileno()).st_size
        uploaded = UploadedFile(file=handle, name=item.name, size=size)
        attachment = store_attachment(work=work, kind=Attachment.VIDEO if item.role == VIDEO else item.key,
                                      uploaded=uploaded, rule=_rule_for(rules, item), user=user,
                                      episode=episode)
    if item.sha256 and attachment.sha256 != item.sha256:
        attachment.file.delete(save=False)  # its row goes with the work's transaction
        raise UploadRefused(_("「%(f)s」在预演之后被改动过，请重新运行导入") % {"f": item.shown})
    return attachment


def _history_note(plan: ImportPlan, work: PlannedWork) -> str:
    where = work.group or plan.folder.name
    return _("由电子邮件报送，主办方从文件夹导入（%(w)s）") % {"w": where}


def _create(plan: ImportPlan, work: PlannedWork, user: Any, result: ImportResult) -> Work | None:
    rules = plan.campaign.rules
    planned = work.entrant
    assert planned is not None
    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            if planned.existing is not None:
                entrant = Entrant.objects.select_for_update().get(pk=planned.existing.pk)
                created_entrant = False
            else:
                entrant, created_entrant = Entrant.objects.get_or_create(
                    campaign=plan.campaign, kind=planned.kind, name=planned.name, affiliation=planned.unit,
                    defaults={"contact_name": planned.contact_name, "contact_phone": planned.contact_phone,
                              "created_by": user},
                )
                entrant = Entrant.objects.select_for_update().get(pk=entrant.pk)
            # Checked again under the lock: another import or a unit's browser may have been quicker.
            twin = next((w for w in Work.objects.filter(entrant=entrant).exclude(state=WorkState.WITHDRAWN)
                         if squeeze(w.title) == squeeze(work.title)), None)
            if twin is not None:
                work.existing = twin
                result.skipped.append(work)
                return None
            limit = entrant.max_works
            holding = Work.objects.filter(entrant=entrant, state__in=QUOTA_STATES)
            if limit is not None and holding.count() >= limit:
                raise UploadRefused(_("超出报送数量上限：每个报送主体最多 %(n)s 件作品") % {"n": limit})
            record = Work.objects.create(
                campaign=plan.campaign, entrant=entrant, title=clean_text(work.title, multiline=False)[:200],
                form_data=work.form_data, created_by=user, state=WorkState.DRAFT,
            )
            WorkHistory.objects.create(work=record, action=WorkHistory.Action.CREATE,
                                       to_state=WorkState.DRAFT, actor=user, reason=_history_note(plan, work))
            numbers = _episode_numbers(work)
            for number, video in numbers or [(1, None)]:
                episode = Episode.objects.create(work=record, number=number)
                if video is not None:
                    stored.append(_store(record, video, rules, user, episode))
            for item in [work.form, *work.documents.values()]:
                if item is not None and (item.role != FORM or item.reading is not None):
                    stored.append(_store(record, item, rules, user, None))
            if work.state == WorkState.SUBMITTED:
                record.state = WorkState.SUBMITTED
                record.submitted_at = plan.received
                record.save(update_fields=["state", "submitted_at", "updated_at"])
                WorkHistory.objects.create(work=record, action=WorkHistory.Action.SUBMIT,
                                           from_state=WorkState.DRAFT, to_state=WorkState.SUBMITTED,
                                           actor=user, at=timezone.now(), reason=_history_note(plan, work))
    except Exception as error:
        for attachment in stored:
            try:
                attachment.file.delete(save=False)
            except Exception:  # the file may never have been written
                pass
        message = getattr(error, "message", None) or getattr(error, "strerror", None) or str(error)
        result.failed.append((work, str(message)))
        return None
    if created_entrant:
        result.entrants_created.append(entrant)
    return record


def apply_import(plan: ImportPlan, *, user: Any = None) -> ImportResult:
    """Create what the plan says, one transaction per work; what fails is reported, the rest kept."""
    result = ImportResult()
    for work in plan.works:
        if not work.to_create:
            if work.existing is not None:
                result.skipped.append(work)
            continue
        record = _create(plan, work, user, result)
        if record is not None:
            result.created.append(record)
    return result


# --------------------------------------------------------------------------
# The plan as the organiser reads it


def width(text: str) -> int:
    """Columns on a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _fit(text: str, limit: int) -> str:
    if width(text) <= limit:
        return text
    out = ""
    for ch in text:
        if width(out + ch + "…") > limit:
            break
        out += ch
    return out + "…"


def table(header: list[str], rows: list[list[str]], *, limits: list[int] | None = None) -> list[str]:
    """Rows aligned in columns by their display width."""
    limits = limits or [40] * len(header)
    cells = [[_fit(c, limits[i]) for i, c in enumerate(row)] for row in [header, *rows]]
    widths = [max(width(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for index, row in enumerate(cells):
        lines.append("  ".join(c + " " * (widths[i] - width(c)) for i, c in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("─" * w for w in widths))
    return lines


def _state_label(work: PlannedWork) -> str:
    if work.existing is not None:
        return _("已存在（%(s)s），跳过") % {"s": work.existing.get_state_display()}
    if work.refused:
        return _("不导入")
    return str(WorkState(work.state).label)


def render_plan(plan: ImportPlan) -> str:
    """The dry run: per work its entrant, title, videos, form, documents and state; then the rest."""
    rules = plan.campaign.rules
    slots = _Slots.of(rules)
    columns = [d for d, _w in slots.uploads]
    form_label = slots.form.label if slots.form else _("登记表")
    header = ["#", _("报送主体"), _("作品名称"), _("视频"), form_label, *[d.label for d in columns]]
    if slots.script_field is not None:
        header.append(slots.script_field.label)
    header.append(_("导入后"))
    rows = []
    for number, work in enumerate(plan.works, start=1):
        videos = len(work.videos)
        video_cell = (_("%(n)s 集") % {"n": videos} if videos > 1 else _("有") if videos else "—")
        if work.form is None:
            form_cell = "—"
        elif work.form.reading is None:
            form_cell = _("无法读取")
        else:
            form_cell = _("已读") + (_("，%(n)s 项待查") % {"n": len(work.reading_problems)}
                                    if work.reading_problems else "")
        row = [str(number), work.entrant.shown if work.entrant else (work.entrant_name or "?"),
               work.title or "?", video_cell, form_cell]
        row += [_("有") if d.key in work.documents else "—" for d in columns]
        if slots.script_field is not None:
            row.append(_("有") if work.script_text is not None or work.form_data.get(slots.script_field.key)
                       else "—")
        row.append(_state_label(work))
        rows.append(row)
    lines = [
        _("导入预览：%(c)s") % {"c": plan.campaign.title},
        _("文件夹：%(f)s（共 %(n)s 个文件）") % {"f": plan.folder, "n": plan.files_seen},
        _("收到时间按 %(t)s（北京时间）计；截止时间 %(d)s。可用 --received 指定邮件的收到时间。") % {
            "t": local_deadline(plan.received), "d": local_deadline(plan.campaign.submission_closes_at)},
        "",
    ]
    if rows:
        lines += table(header, rows, limits=[4, 30, 30, 6, 18] + [12] * (len(header) - 6) + [26])
    else:
        lines.append(_("没有找到可以导入的作品。"))
    for number, work in enumerate(plan.works, start=1):
        lines += ["", *_work_details(number, work, slots)]
    if plan.unmatched:
        lines += ["", _("未能归入作品的文件（%(n)s 个）：") % {"n": len(plan.unmatched)}]
        lines += ["  " + line for line in table([_("文件"), _("原因")],
                                                 [[u.shown, u.reason] for u in plan.unmatched],
                                                 limits=[50, 90])]
    creating = plan.to_create
    lines += ["", _("将新建 %(w)s 件作品（其中已提交 %(s)s 件、草稿 %(d)s 件）、%(e)s 个报送主体；"
                    "跳过 %(x)s 件已存在的作品，%(r)s 件不导入。") % {
        "w": len(creating), "s": sum(1 for w in creating if w.state == WorkState.SUBMITTED),
        "d": sum(1 for w in creating if w.state == WorkState.DRAFT), "e": len(plan.new_entrants),
        "x": sum(1 for w in plan.works if w.existing is not None),
        "r": sum(1 for w in plan.works if w.refused)}]
    return "\n".join(lines)


def _work_details(number: int, work: PlannedWork, slots: _Slots) -> list[str]:
    entrant = work.entrant
    who = entrant.shown if entrant else (work.entrant_name or _("（报送主体不明）"))
    if entrant is not None and entrant.existing is None:
        who += _("（新建%(k)s）") % {"k": Entrant.Kind(entrant.kind).label}
    lines = [f"[{number}] {who} ·《{work.title or '?'}》"]
    if entrant is not None and entrant.note:
        lines.append("    " + entrant.note)
    for episode, video in _episode_numbers(work):
        prefix = _("视频") if len(work.videos) == 1 else _("第 %(n)s 集") % {"n": episode}
        lines.append(f"    {prefix}：{video.shown}" + (f"（{video.note}）" if video.note else ""))
    if work.form is not None:
        label = slots.form.label if slots.form else _("登记表")
        lines.append(f"    {label}：{work.form.shown}")
        if work.form.reading is None:
            lines.append("      " + _("无法读取：%(m)s") % {"m": work.form_error})
        for problem in work.reading_problems:
            lines.append("      " + _("待查：%(p)s") % {"p": problem})
    for key, item in work.documents.items():
        label = next((d.label for d, _w in slots.uploads if d.key == key), key)
        lines.append(f"    {label}：{item.shown}" + (f"（{item.note}）" if item.note else ""))
    if work.script_text is not None:
        label = slots.script_field.label if slots.script_field else _("文稿")
        lines.append(f"    {label}：{work.script_text.shown}"
                     + (f"（{work.script_text.note}）" if work.script_text.note else ""))
    if work.existing is not None:
        lines.append("    " + _("平台上已有这件作品（状态：%(s)s），不重复导入，也不改动。")
                     % {"s": work.existing.get_state_display()})
    elif work.refused:
        lines.append("    " + _("不导入：%(r)s") % {"r": work.refused})
    elif work.missing:
        lines.append("    " + _("缺：%(m)s → 导入为草稿") % {"m": "；".join(work.missing)})
    else:
        lines.append("    " + _("材料齐全 → 导入为已提交"))
    return lines


def render_result(result: ImportResult) -> str:
    lines = []
    for work in result.created:
        lines.append(_("已导入：%(e)s ·《%(t)s》（%(s)s）") % {
            "e": work.entrant, "t": work.title, "s": work.get_state_display()})
    for planned, message in result.failed:
        lines.append(_("导入失败：《%(t)s》：%(m)s（其他作品不受影响）") % {"t": planned.title, "m": message})
    lines.append(_("共导入 %(n)s 件作品，新建 %(e)s 个报送主体；%(f)s 件失败；跳过 %(s)s 件已存在的作品。"
                   "视频的自动检查已排队。") % {
        "n": len(result.created), "e": len(result.entrants_created), "f": len(result.failed),
        "s": len(result.skipped)})
    return "\n".join(lines)


def parse_received(text: str, campaign: Campaign) -> datetime:
    """「2026-11-20」 or 「2026-11-20 18:30」, Beijing time (the rule set's zone)."""
    text = (text or "").strip()
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            moment = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return moment.replace(tzinfo=campaign.rules.zone)
    raise ImportRefused(_("收到时间「%(t)s」格式不对，应如 2026-11-20 或 2026-11-20 18:30") % {"t": text})

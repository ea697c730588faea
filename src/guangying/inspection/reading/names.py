"""Does a unit's name appear in recognised text? Pure functions on strings.

Credits write a unit's name the way its own documents do, and the form may
write it another way: 「中共长川市委员会统一战线工作部」 on screen and
「长川市委统战部」 on the form are the same unit. Both sides are brought to
one canonical spelling (NFKC, no spaces, line breaks or punctuation, the
usual long forms shortened, the 「中共」 prefix dropped from the name) and the
name is then looked for as a substring that may carry about one OCR error in
eight characters.

An OCR error must never turn one unit into another. 长川市委统战部 and
长山市委统战部, or 长川市委 and 长川区委, differ by one character, so errors are
tolerated only where they cannot name a different unit: on the institutional
words (委, 部, 统战, 宣传 …) and only by a character that is itself no such
word, never in the place or proper name, and never on a level (省 市 区 县 …).
Extra characters in the text are tolerated only when they are not Chinese
(OCR noise such as 「l」 or 「1」 between two characters).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Long forms and their usual short forms, applied to name and text alike (longest first).
SHORT_FORMS: list[tuple[str, str]] = [
    ("中国共产党", "中共"),
    ("统一战线工作部", "统战部"),
    ("委员会", "委"),
]
PREFIXES = ("中共",)  # dropped from the name: credits often leave them out

# Administrative levels: a level is part of the unit's identity (市委 is not 区委).
LEVELS = set("省市区县州盟旗镇乡村街")
# Institutional words: an OCR error inside one of them still names the same unit, as long as
# the wrong character belongs to no such word (统战部 misread as 统战邵 is the same unit; 统战局
# is not). Only the part of the name after its last level counts: 台州市委 keeps 台 strict.
GENERIC_WORDS = [
    "人民代表大会常务委", "人民政府", "办公室", "统战部", "宣传部", "组织部", "政法委", "纪委", "监委",
    "党委", "党组", "党工委", "团委", "工会", "妇联", "科协", "文联", "社科联", "侨联", "工商联",
    "政协", "人大", "融媒体中心", "新闻中心", "中心", "广播电视台", "电视台", "报社", "集团",
    "有限责任公司", "有限公司", "公司", "工作", "办事处", "事务", "管理",
    "委", "部", "局", "厅", "处", "科", "室", "办", "站", "台", "馆", "院", "校", "社", "会",
]
GENERIC = {ch for word in GENERIC_WORDS for ch in word} | LEVELS
ERRORS_PER_CHARS = 8

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def normalise(text: str) -> str:
    """NFKC, upper case, and nothing but letters and digits (no spaces, breaks or punctuation)."""
    text = unicodedata.normalize("NFKC", text).upper()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def canonical(text: str) -> str:
    out = normalise(text)
    for long, short in SHORT_FORMS:
        out = out.replace(long, short)
    return out


def name_core(name: str) -> str:
    """The unit's name as it is looked for: canonical, without the prefixes credits may omit."""
    core = canonical(name)
    changed = True
    while changed:
        changed = False
        for prefix in PREFIXES:
            if core.startswith(prefix) and len(core) > len(prefix) + 1:
                core = core[len(prefix):]
                changed = True
    return core


def allowed_errors(core: str) -> int:
    """About one in eight characters: 6–13 characters may carry one error, 14–21 two."""
    return (len(core) + 2) // ERRORS_PER_CHARS


@dataclass(frozen=True)
class Match:
    start: int  # in the canonical text
    end: int
    errors: int
    found: str  # the canonical text matched


def _is_cjk(ch: str) -> bool:
    return bool(_CJK.match(ch))


def tolerant_positions(core: str) -> list[bool]:
    """Where in the name an OCR error may be tolerated: institutional words after the last level."""
    last_level = max((i for i, ch in enumerate(core) if ch in LEVELS and i > 0), default=-1)
    ok = [False] * len(core)
    i = last_level + 1
    while i < len(core):
        word = next((w for w in GENERIC_WORDS if core.startswith(w, i)), None)
        if word is None:
            i += 1
            continue
        for k in range(i, i + len(word)):
            ok[k] = True
        i += len(word)
    return ok


def _costs(core: str, text: str) -> tuple[list[float], list[float], list[list[float]]]:
    inf = float("inf")
    tolerant = tolerant_positions(core)
    # The name's character missing in the text; never its first or last, which would make 统战局 a
    # match for 统战部 (the text then just stops short of, or starts after, the difference).
    delete = [1.0 if ok and 0 < i < len(core) - 1 else inf for i, ok in enumerate(tolerant)]
    insert = [inf if _is_cjk(ch) else 1.0 for ch in text]  # an extra character in the text
    substitute = [[0.0 if a == b else (1.0 if ok and b not in GENERIC else inf) for b in text]
                  for a, ok in zip(core, tolerant, strict=True)]
    return delete, insert, substitute


def find(core: str, text: str, max_errors: int | None = None, *, strict: bool = False) -> Match | None:
    """The best occurrence of `core` (already canonical) in canonical `text`, within the errors allowed.

    Approximate substring matching (Sellers): the match may start anywhere in the text. With
    `strict`, any character may be wrong (used only to say "the credits name a similar unit",
    never to pass).
    """
    if not core or not text:
        return None
    if max_errors is None:
        max_errors = allowed_errors(core)
    exact = text.find(core)
    if exact >= 0:
        return Match(exact, exact + len(core), 0, core)
    if max_errors <= 0:
        return None
    inf = float("inf")
    n, m = len(core), len(text)
    if strict:
        delete, insert = [1.0] * n, [1.0] * m
        substitute = [[0.0 if a == b else 1.0 for b in text] for a in core]
    else:
        delete, insert, substitute = _costs(core, text)
    # previous[j]: cost of matching core[:i] ending at text[:j]; starts[j]: where that match began.
    previous = [0.0] * (m + 1)
    starts = list(range(m + 1))
    for i in range(1, n + 1):
        current = [previous[0] + delete[i - 1]] + [inf] * m
        cur_starts = [0] * (m + 1)
        sub_row = substitute[i - 1]
        for j in range(1, m + 1):
            best, start = previous[j - 1] + sub_row[j - 1], starts[j - 1]
            cost = previous[j] + delete[i - 1]  # name char missing
            if cost < best:
                best, start = cost, starts[j]
            cost = current[j - 1] + insert[j - 1]  # extra text char
            if cost < best:
                best, start = cost, cur_starts[j - 1]
            current[j], cur_starts[j] = best, start
        previous, starts = current, cur_starts
    best_j = min(range(1, m + 1), key=lambda j: (previous[j], -j))
    errors = previous[best_j]
    if errors > max_errors:
        return None
    start = starts[best_j]
    return Match(start, best_j, int(errors), text[start:best_j])


def find_name(name: str, text: str) -> Match | None:
    """Where the unit `name` appears in the recognised `text` (any spelling), or None."""
    core = name_core(name)
    if len(core) < 2 or core in PREFIXES:
        return None
    return find(core, canonical(text))


def similar_name(name: str, text: str) -> Match | None:
    """A near-miss: the credits name something one or two characters away from the unit's name.

    Never a pass: it tells the entrant what the credits say instead ("长山市委统战部").
    """
    core = name_core(name)
    if len(core) < 4 or find_name(name, text):
        return None
    limit = max(1, len(core) // 4)
    return find(core, canonical(text), limit, strict=True)

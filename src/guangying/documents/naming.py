"""File and folder names that survive being unpacked on Windows and macOS.

A unit's package is opened by offices on Chinese Windows and on Macs: a title
with 「/」 would become a folder, 「CON」 cannot be created at all, a name
ending in a dot loses it on Windows, macOS writes names decomposed (NFD) and
Windows Explorer refuses paths that grow too long. Every name that goes into
an archive passes through here first.

Characters Windows forbids are replaced by their full-width forms
(「:」 → 「：」, 「?」 → 「？」) rather than dropped: the name stays readable,
and NFKC folds them back, so the automatic file-name check
(``FileNaming.missing_parts``) still finds the title in the renamed file.

No Django here: the rules are the file systems', not the platform's.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterator

MAX_NAME_BYTES = 255
"""One name, in UTF-8 bytes: macOS's limit, and stricter than NTFS's 255 UTF-16 units for CJK and emoji."""

MAX_PATH_BYTES = 240
"""One member path inside an archive: unpacked under a folder of a few dozen characters, Windows'
260-character path limit still holds."""

MAX_FOLDER_BYTES = 80
"""A folder inside an archive, so that the file names below it keep most of the path's length."""

FALLBACK = "未命名"

_FULL_WIDTH = {
    "<": "＜", ">": "＞", ":": "：", '"': "＂", "/": "／", "\\": "＼", "|": "｜", "?": "？", "*": "＊",
}
# Format characters kept: they join emoji sequences (👨‍👩‍👧, 🏴 flags with tags) and shape some scripts.
_KEPT_FORMAT = {"\u200c", "\u200d"}
_TAGS = range(0xE0020, 0xE0080)
_RESERVED = {
    "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
    *(f"COM{d}" for d in "0123456789¹²³"),
    *(f"LPT{d}" for d in "0123456789¹²³"),
}
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,16}\Z")
_SPACES = re.compile(r"[ \t\u00a0]+")
_EDGES = " .\u3000\u00a0"
_PLACEHOLDERS = ("entrant", "title", "episode")


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def split_extension(name: str) -> tuple[str, str]:
    """Stem and extension (with its dot); a dot inside a title such as 「1.5亿人」 is no extension."""
    match = _EXTENSION.search(name)
    if match and match.start() > 0:
        return name[: match.start()], name[match.start():]
    return name, ""


def _clean_char(char: str) -> str:
    if char in _FULL_WIDTH:
        return _FULL_WIDTH[char]
    category = unicodedata.category(char)
    if category in ("Cc", "Zl", "Zp"):
        return " "
    if category == "Cs":  # a lone surrogate cannot be written in UTF-8
        return ""
    if category == "Cf" and char not in _KEPT_FORMAT and ord(char) not in _TAGS:
        return ""  # bidi overrides, zero-width spaces, byte-order marks: invisible, and a way to disguise
    return char


def _extends(previous: str, char: str) -> bool:
    """Whether ``char`` belongs to the cluster ``previous`` ends, so a cut never splits what shows as one."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or char in _KEPT_FORMAT
        or previous in _KEPT_FORMAT
        or 0xFE00 <= code <= 0xFE0F  # variation selectors (emoji presentation)
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or code in _TAGS
    )


def _clusters(text: str) -> Iterator[str]:
    cluster = ""
    regional = 0
    for char in text:
        is_regional = 0x1F1E6 <= ord(char) <= 0x1F1FF
        if cluster and (_extends(cluster[-1], char) or (is_regional and regional % 2 == 1)):
            cluster += char
        else:
            if cluster:
                yield cluster
            cluster = char
        regional = regional + 1 if is_regional else 0
    if cluster:
        yield cluster


def cut(text: str, max_bytes: int) -> str:
    """The longest start of ``text`` within ``max_bytes`` UTF-8 bytes, ending between two characters."""
    if utf8_len(text) <= max_bytes:
        return text
    kept, used = [], 0
    for cluster in _clusters(text):
        size = utf8_len(cluster)
        if used + size > max_bytes:
            break
        kept.append(cluster)
        used += size
    return "".join(kept)


def _is_reserved(name: str) -> bool:
    base = name.split(".", 1)[0].rstrip(" ")
    return base.upper() in _RESERVED


def _finish(stem: str, extension: str, max_bytes: int, fallback: str) -> str:
    """Stem and extension together within the limit, with no reserved name and no bad edge."""
    budget = max_bytes - utf8_len(extension)
    if budget < 1:
        stem, extension, budget = stem + extension, "", max_bytes
    stem = cut(stem, budget).rstrip(_EDGES) or cut(fallback, budget)
    if _is_reserved(stem + extension):
        head, dot, rest = stem.partition(".")
        head = cut(head.rstrip(" "), budget - 1 - utf8_len(dot + rest)) + "_"
        stem = head + dot + rest
    return stem + extension


def _clean(text: str) -> str:
    """Text with every character a file name may hold, spaces collapsed, in NFC."""
    text = "".join(_clean_char(c) for c in unicodedata.normalize("NFC", text or ""))
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def safe_name(name: str, *, max_bytes: int = MAX_NAME_BYTES, fallback: str = FALLBACK) -> str:
    """One file or folder name that Windows, macOS and Linux all create as it reads.

    NFC first, as macOS may hand over decomposed text and two spellings of one
    name must not become two files. The extension survives any cut, so a
    shortened video still opens with the right program.
    """
    if max_bytes < 8:
        raise ValueError("max_bytes must leave room for a name")
    text = _clean(name).strip(_EDGES).strip()
    if not text:
        text = fallback
    stem, extension = split_extension(text)
    return _finish(stem.rstrip(" ") if extension else stem, extension, max_bytes, fallback)


def _key(name: str) -> str:
    """Names Windows and macOS take for the same one: case and normalisation do not matter there."""
    return unicodedata.normalize("NFC", name).casefold()


class Folder:
    """The names inside one folder, kept distinct as a case-insensitive file system compares them.

    A second 「一封家书.mp4」 becomes 「一封家书（2）.mp4」: full-width brackets,
    as a Chinese office numbers copies, before the extension.
    """

    def __init__(self, max_bytes: int = MAX_NAME_BYTES) -> None:
        self.max_bytes = max_bytes
        self._taken: set[str] = set()

    def __contains__(self, name: str) -> bool:
        return _key(name) in self._taken

    def claim(self, name: str, *, max_bytes: int | None = None) -> str:
        limit = min(self.max_bytes, max_bytes or self.max_bytes)
        name = safe_name(name, max_bytes=limit)
        if name in self:
            stem, extension = split_extension(name)
            number = 2
            while True:
                mark = f"（{number}）"
                candidate = _finish(cut(stem, limit - utf8_len(mark + extension)).rstrip(_EDGES) + mark,
                                    extension, limit, FALLBACK)
                if candidate not in self:
                    name = candidate
                    break
                number += 1
        self._taken.add(_key(name))
        return name


class Tree:
    """Member paths of one archive: each folder's names distinct, each path within ``max_path_bytes``.

    A folder's name is capped at ``folder_bytes`` so that the files below it
    keep room for a readable name.
    """

    def __init__(self, max_path_bytes: int = MAX_PATH_BYTES, folder_bytes: int = MAX_FOLDER_BYTES) -> None:
        self.max_path_bytes = max_path_bytes
        self.folder_bytes = folder_bytes
        self._folders: dict[str, Folder] = {"": Folder()}

    def budget(self, folder: str) -> int:
        """Bytes left for a name directly inside ``folder`` ("" is the top)."""
        used = utf8_len(folder) + 1 if folder else 0
        return min(MAX_NAME_BYTES, self.max_path_bytes - used)

    def folder(self, parent: str, name: str) -> str:
        """A new sub-folder of ``parent``; the returned path has no trailing slash."""
        limit = min(self.folder_bytes, self.budget(parent) - 1 - 16)
        claimed = self._folders[parent].claim(name, max_bytes=max(8, limit))
        path = f"{parent}/{claimed}" if parent else claimed
        self._folders[path] = Folder()
        return path

    def file(self, folder: str, name: str) -> str:
        """A file's member path inside ``folder``."""
        claimed = self._folders[folder].claim(name, max_bytes=self.budget(folder))
        return f"{folder}/{claimed}" if folder else claimed


def _fields(template: str) -> list[tuple[str, str | None]]:
    """Literal text and placeholder names of a naming template; anything but a plain name is refused."""
    parts: list[tuple[str, str | None]] = []
    for literal, field, spec, conversion in string.Formatter().parse(template):
        if field is not None and (field not in _PLACEHOLDERS or spec or conversion):
            raise ValueError(f"文件名模板中不能有 {{{field}}}，只能用 {{entrant}}、{{title}}、{{episode}}")
        parts.append((literal, field))
    return parts


def render_name(
    template: str,
    *,
    entrant: str,
    title: str,
    episode: int | None = None,
    episode_format: str = "（第{n}集）",
    extension: str = "",
    max_bytes: int = MAX_NAME_BYTES,
) -> str:
    """A video's file name as the campaign's naming template asks, within ``max_bytes``.

    ``episode`` is given only for a series of more than one episode: a single
    video carries no 「（第1集）」. When the name is too long, the longer of
    the title and the entrant's name is shortened until both fit, so each
    stays recognisable, and the episode and the extension are kept: two
    episodes never end up with one name.
    """
    parts = _fields(template)
    values = {
        "entrant": _clean(entrant),
        "title": _clean(title),
        "episode": episode_format.replace("{n}", str(episode)) if episode is not None else "",
    }

    def render() -> str:
        return "".join(literal + (values[field] if field else "") for literal, field in parts)

    limit = max_bytes - utf8_len(extension)
    while utf8_len(_clean(render())) > limit:
        shrinkable = [key for key in ("title", "entrant") if values[key]]
        if not shrinkable:
            break
        key = max(shrinkable, key=lambda k: utf8_len(values[k]))
        clusters = list(_clusters(values[key]))
        values[key] = "".join(clusters[:-1]).rstrip()
    return safe_name(render() + extension, max_bytes=max_bytes)

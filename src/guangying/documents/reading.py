"""A filled 作品信息表 / 作品登记表 read back from the Word file a unit sent.

Units do not fill a form the platform controls: they open the notice's own
table in Word or WPS and type into it. So the reader expects what such files
hold — merged cells (a label spanning two rows, a value spanning three
columns), labels broken over lines or spaced out (「作品简介 (200 字以 内)」),
the notice's instruction left in a cell, boxes ticked in half a dozen ways,
two values in one cell (「联系人: 李四 联系电话: 027-…」), the table nested
in another table or preceded by a letter — and reads every row the rule
set's ``layout`` names, parsed by the type of the form field behind it.
Nothing here knows which campaign it reads: rows, labels, field types, limits
and hints all come from the rule set.

What could not be read, or had to be guessed, becomes a problem line naming
the row (「作品时长：无法识别「大约五分钟」」); a text over its limit is
read whole and reported, never cut. A file that is not a Word document, is
empty, too large, or packed to explode is refused with a message, not an
exception from deep inside a library.

No Django here: the importer, tests and any command line use the same reader.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from guangying.rulesets import DocumentSpec, FormField, RuleSet
from guangying.submissions.text import count_chars  # plain Python: Word's way of counting

# --------------------------------------------------------------------------
# Limits: what a form can reasonably be, and no more is read

MAX_FILE_BYTES = 30 * 1024 * 1024  # a form with a photographed stamp pasted in stays far below
MAX_UNPACKED_BYTES = 120 * 1024 * 1024  # everything in the package, as declared by the ZIP
MAX_DOCUMENT_XML_BYTES = 16 * 1024 * 1024  # the text itself
MAX_ENTRIES = 2000
MAX_RATIO = 200  # a part that expands more than this (and to more than 1 MB) is a bomb
MAX_ROWS = 400
MAX_CELLS = 4000
MAX_CELL_CHARS = 100_000
MAX_TABLES = 200


class FormUnreadable(Exception):
    """The file cannot be read as a form at all; ``message`` says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class EntrantReading:
    """Who the form says sent the work: 参赛主体 or 报送单位."""

    name: str = ""
    kind: str | None = None  # "unit" or "individual"; None when the form does not say
    unit: str = ""  # an individual's unit


@dataclass
class FormReading:
    """What one filled form says, in the shape the platform stores it.

    ``values`` is keyed by the form's field keys (``title`` included), holding
    only the fields that were read; ``problems`` has one line per field that
    could not be read or was guessed, naming the row.
    """

    document: str
    values: dict[str, Any] = field(default_factory=dict)
    entrant: EntrantReading = field(default_factory=EntrantReading)
    submitted_on: date | None = None
    problems: list[str] = field(default_factory=list)
    rows_found: list[str] = field(default_factory=list)
    rows_expected: int = 0

    @property
    def title(self) -> str:
        return str(self.values.get("title") or "")

    @property
    def looks_like_form(self) -> bool:
        """Enough of the table's rows were found for this to be the form, not another document."""
        return len(self.rows_found) >= max(2, (self.rows_expected + 1) // 2)


# --------------------------------------------------------------------------
# Opening the file


WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
VML_NS = "urn:schemas-microsoft-com:vml"


def _w(name: str) -> str:
    return f"{{{WORD_NS}}}{name}"


def _head_kind(head: bytes) -> str:
    if not head:
        return "empty"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    start = head.lstrip()[:200].lower()
    if start.startswith((b"<html", b"<!doctype html", b"mime-version")) or b"<html" in start:
        return "html"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG")):
        return "image"
    return "other"


_SAVE_AS = "请在 Word 或 WPS 中打开，选择「另存为」Word 文档（.docx）后再导入"


def _load(source: Path | str | bytes | BinaryIO) -> bytes:
    """The file's bytes, refusing anything larger than a form can be before reading it."""
    if isinstance(source, bytes):
        data = source
        if len(data) > MAX_FILE_BYTES:
            raise FormUnreadable(_too_large(len(data)))
        return data
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            size = path.stat().st_size
        except OSError as error:
            raise FormUnreadable(f"无法打开文件：{error.strerror or error}") from None
        if size > MAX_FILE_BYTES:
            raise FormUnreadable(_too_large(size))
        try:
            with path.open("rb") as handle:
                return handle.read(MAX_FILE_BYTES + 1)
        except OSError as error:
            raise FormUnreadable(f"无法读取文件：{error.strerror or error}") from None
    data = source.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise FormUnreadable(_too_large(len(data)))
    return data


def _too_large(size: int) -> str:
    return (f"文件过大（{size / 1024 / 1024:.1f} MB），作品登记表/信息表不应超过 "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB；请删去表中粘贴的大图片后另存")


def _check_package(data: bytes) -> None:
    """Refuse a ZIP that is not a Word document or would unpack to far more than a form."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        raise FormUnreadable("Word 文件已损坏或不完整（无法解开其 ZIP 结构），可能未传完整；"
                             "请重新保存后再导入") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise FormUnreadable(f"文件中的部件过多（{len(infos)} 个），不像是一张表格，已拒绝读取")
        names = {info.filename for info in infos}
        if "word/document.xml" not in names:
            if any(n.startswith("xl/") for n in names):
                raise FormUnreadable("这是 Excel 表格（.xlsx），不是 Word 文档（.docx）")
            if any(n.startswith("ppt/") for n in names):
                raise FormUnreadable("这是 PowerPoint 文件（.pptx），不是 Word 文档（.docx）")
            raise FormUnreadable("这是一个 ZIP 压缩包，不是 Word 文档（.docx）；请解压后再导入")
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(1, info.compress_size):
                raise FormUnreadable("文件解压后异常膨胀（疑似“压缩炸弹”），已拒绝读取")
            if info.filename == "word/document.xml" and info.file_size > MAX_DOCUMENT_XML_BYTES:
                raise FormUnreadable("文档正文过大，不像是一张作品登记表/信息表，已拒绝读取")
        if total > MAX_UNPACKED_BYTES:
            raise FormUnreadable("文件解压后过大（疑似“压缩炸弹”），已拒绝读取")


def open_docx(source: Path | str | bytes | BinaryIO) -> Any:
    """A python-docx Document, or :class:`FormUnreadable` with the reason in Chinese."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    data = _load(source)
    kind = _head_kind(data[:1024])
    if kind == "empty":
        raise FormUnreadable("文件是空的（0 字节），请检查后重新发送")
    if kind == "ole":
        raise FormUnreadable(f"这是旧版 Word 97-2003（.doc）或 WPS 文件，无法直接读取；{_SAVE_AS}")
    if kind == "rtf":
        raise FormUnreadable(f"这是 RTF 文件（只是扩展名为 Word），无法读取表格；{_SAVE_AS}")
    if kind == "html":
        raise FormUnreadable(f"这是网页格式保存的文件（只是扩展名为 Word），无法读取表格；{_SAVE_AS}")
    if kind == "pdf":
        raise FormUnreadable("这是 PDF 文件，不是 Word 文档；表格内容请以 Word（.docx）文件提供")
    if kind == "image":
        raise FormUnreadable("这是图片，不是 Word 文档；表格内容请以 Word（.docx）文件提供")
    if kind != "zip":
        raise FormUnreadable("文件内容不是 Word 文档（.docx），可能只是改了扩展名")
    _check_package(data)
    try:
        return docx.Document(io.BytesIO(data))
    except ValueError as error:
        if "macroEnabled" in str(error):
            raise FormUnreadable(f"这是启用宏的 Word 文件（.docm）；{_SAVE_AS}") from None
        if "template" in str(error):
            raise FormUnreadable(f"这是 Word 模板文件（.dotx）；{_SAVE_AS}") from None
        raise FormUnreadable("Word 文件已损坏，无法读取；请重新保存后再导入") from None
    except (PackageNotFoundError, KeyError, zipfile.BadZipFile, EOFError) as error:
        raise FormUnreadable(f"Word 文件已损坏，无法读取（{type(error).__name__}）；"
                             "请重新保存后再导入") from None
    except Exception as error:  # lxml's syntax errors and the like: a broken file, not our fault
        raise FormUnreadable(f"Word 文件内容已损坏，无法读取（{type(error).__name__}）；"
                             "请重新保存后再导入") from None


# --------------------------------------------------------------------------
# Text as it shows on the page

CHECKED = "☑☒■√✔✓✅●◉▣⊠⊙▇█🗹🗷"
UNCHECKED = "□☐○◯〇▢❑❒"

# Box and tick glyphs of the symbol fonts Word and WPS insert (Insert ▸ Symbol).
_SYMBOLS = {
    "wingdings": {0xFE: "☑", 0xFD: "☒", 0x78: "☒", 0xFC: "✓", 0xFB: "✗", 0x6E: "■", 0xA4: "◉",
                  0x6C: "●", 0xA8: "□", 0x6F: "□", 0x71: "❑", 0xA1: "○"},
    "wingdings 2": {0x52: "☑", 0x53: "☒", 0x54: "☒", 0x50: "✓", 0x4F: "✗", 0xA3: "□", 0x99: "○"},
    "symbol": {0xD6: "√"},
}


def _symbol_font(name: str) -> dict[int, str] | None:
    name = (name or "").strip().lower()
    if name.startswith("wingdings 2"):
        return _SYMBOLS["wingdings 2"]
    if name.startswith("wingdings"):
        return _SYMBOLS["wingdings"]
    if name == "symbol":
        return _SYMBOLS["symbol"]
    return None


def _on(element: Any) -> bool:
    """A Word toggle property: present and not switched off."""
    if element is None:
        return False
    return element.get(_w("val"), "true").lower() not in ("0", "false", "off", "none")


def _run_font(run: Any) -> dict[int, str] | None:
    fonts = run.find(f"{_w('rPr')}/{_w('rFonts')}")
    if fonts is None:
        return None
    for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
        table = _symbol_font(fonts.get(_w(attribute), ""))
        if table is not None:
            return table
    return None


def _struck(run: Any) -> bool:
    """Struck-through text is how many units cross out the option they did not choose."""
    props = run.find(_w("rPr"))
    if props is None:
        return False
    return _on(props.find(_w("strike"))) or _on(props.find(_w("dstrike")))


_SKIP = {
    _w("rPr"), _w("pPr"), _w("tblPr"), _w("trPr"), _w("tcPr"), _w("sdtPr"), _w("sdtEndPr"),
    _w("delText"), _w("instrText"), _w("del"), _w("moveFrom"), _w("txbxContent"), _w("drawing"),
    _w("pict"), _w("object"), _w("commentReference"), _w("footnoteReference"),
    _w("endnoteReference"), f"{{{MC_NS}}}Fallback", f"{{{MC_NS}}}AlternateContent",
    f"{{{VML_NS}}}textbox",
}


class _Text:
    """Collects a cell's visible text; ``rels`` resolves a hyperlink's address."""

    def __init__(self, rels: dict[str, str]) -> None:
        self.rels = rels
        self.parts: list[str] = []
        self.size = 0

    def add(self, text: str) -> None:
        if self.size < MAX_CELL_CHARS:
            self.parts.append(text)
            self.size += len(text)

    def text(self) -> str:
        return "".join(self.parts)[:MAX_CELL_CHARS]

    def run(self, run: Any) -> None:
        if _struck(run):
            return
        font = _run_font(run)
        for child in run:
            tag = child.tag
            if tag == _w("t"):
                text = child.text or ""
                if font is not None:
                    # Only the font's own code points: Chinese text in a run whose Latin font
                    # is Wingdings is still Chinese.
                    text = "".join(font.get(ord(ch) & 0xFF, "")
                                   if ord(ch) < 0x100 or 0xF000 <= ord(ch) <= 0xF0FF else ch
                                   for ch in text)
                self.add(text)
            elif tag == _w("tab"):
                self.add("\t")
            elif tag in (_w("br"), _w("cr")):
                self.add("\n")
            elif tag == _w("noBreakHyphen"):
                self.add("-")
            elif tag == _w("sym"):
                table = _symbol_font(child.get(_w("font"), "")) or {}
                try:
                    code = int(child.get(_w("char"), "0"), 16)
                except ValueError:
                    code = 0
                self.add(table.get(code & 0xFF, ""))
            elif tag == _w("fldChar"):
                box = child.find(f"{_w('ffData')}/{_w('checkBox')}")
                if box is not None:
                    checked = box.find(_w("checked"))
                    if checked is None:
                        checked_on = _on(box.find(_w("default"))) if box.find(_w("default")) is not None \
                            else False
                    else:
                        checked_on = _on(checked)
                    self.add("☑" if checked_on else "□")

    def inline(self, element: Any) -> None:
        """Runs and their wrappers (hyperlinks, insertions, content controls, fields)."""
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == _w("r"):
                self.run(child)
            elif tag == _w("hyperlink"):
                before = len(self.parts)
                self.inline(child)
                shown = "".join(self.parts[before:])
                target = self.rels.get(child.get(f"{{{REL_NS}}}id", ""), "")
                if target and target not in shown:
                    self.add(f" {target} ")
            elif tag == _w("p"):
                self.paragraph(child)
            elif tag == _w("tbl"):
                self.table(child)
            else:
                self.inline(child)

    def paragraph(self, paragraph: Any) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.add("\n")
        self.inline(paragraph)
        self.add("\n")

    def table(self, table: Any) -> None:
        """A table inside a cell: one line per row, its cells separated by tabs."""
        for row in _children(table, "tr"):
            cells = []
            for cell in _children(row, "tc"):
                inner = _Text(self.rels)
                inner.block(cell)
                cells.append(" ".join(inner.text().split()))
            if self.parts and not self.parts[-1].endswith("\n"):
                self.add("\n")
            self.add("\t".join(cells) + "\n")

    def block(self, container: Any) -> None:
        for child in container:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == _w("p"):
                self.paragraph(child)
            elif tag == _w("tbl"):
                self.table(child)
            else:  # content controls, custom XML around paragraphs
                self.block(child)


def _children(element: Any, name: str) -> Iterator[Any]:
    """Direct children called ``name``, looking through content controls and custom XML."""
    wanted = _w(name)
    for child in element:
        tag = child.tag
        if tag == wanted:
            yield child
        elif tag in (_w("sdt"), _w("customXml"), _w("sdtContent")):
            yield from _children(child, name)


def _clean_cell_text(text: str) -> str:
    text = text.replace("\r", "\n").replace("\u00a0", " ").replace("\u3000", " ")
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf"))
    lines = [line.strip() for line in text.split("\n")]
    out = "\n".join(lines)
    out = re.sub(r"\n{3,}", "\n\n", out)
    return out.strip()


# --------------------------------------------------------------------------
# Tables as grids of cells


@dataclass(eq=False)
class _Cell:
    text: str
    element: Any


def _grid(table: Any, rels: dict[str, str], budget: list[int]) -> list[list[_Cell]]:
    """The table's rows as lists of distinct cells in column order.

    A cell spanning columns (gridSpan) appears once; a cell continuing a
    vertical merge (vMerge) is the same object as the one it continues, so
    its text is counted once wherever it is looked up.
    """
    rows: list[list[_Cell]] = []
    above: dict[int, _Cell] = {}
    for tr in _children(table, "tr"):
        if len(rows) >= MAX_ROWS or budget[0] <= 0:
            break
        row: list[_Cell] = []
        column = 0
        before = tr.find(f"{_w('trPr')}/{_w('gridBefore')}")
        if before is not None:
            column += _int(before.get(_w("val")), 0)
        for tc in _children(tr, "tc"):
            budget[0] -= 1
            if budget[0] <= 0:
                break
            props = tc.find(_w("tcPr"))
            span = 1
            merge = None
            if props is not None:
                span_el = props.find(_w("gridSpan"))
                if span_el is not None:
                    span = max(1, min(64, _int(span_el.get(_w("val")), 1)))
                merge_el = props.find(_w("vMerge"))
                if merge_el is not None:
                    merge = merge_el.get(_w("val"), "continue")
            if merge == "continue" and column in above:
                cell = above[column]
            else:
                collector = _Text(rels)
                collector.block(tc)
                cell = _Cell(_clean_cell_text(collector.text()), tc)
            for offset in range(span):
                above[column + offset] = cell
            if not row or row[-1] is not cell:
                row.append(cell)
            column += span
        rows.append(row)
    return rows


def _int(value: str | None, default: int) -> int:
    try:
        return int(value or "")
    except ValueError:
        return default


def _tables(body: Any) -> list[Any]:
    """Every table of the document, nested ones included, outside text boxes."""
    found: list[Any] = []

    def visit(element: Any) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == _w("tbl"):
                if len(found) < MAX_TABLES:
                    found.append(child)
            visit(child)

    visit(body)
    return found


def _rels(document: Any) -> dict[str, str]:
    out = {}
    try:
        for key, rel in document.part.rels.items():
            if getattr(rel, "is_external", False):
                out[key] = rel.target_ref
    except Exception:  # a broken relationship list only costs us hyperlink addresses
        return {}
    return out


# --------------------------------------------------------------------------
# Labels


def squeeze(text: str) -> str:
    """A label as compared: NFKC, case-folded, nothing but letters and digits."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


_LIMIT_TAIL = re.compile(r"[(（][^()（）]*\d+[^()（）]*[)）]\s*$")
_LIMIT_CHARS = set("0123456789字以内限个不超过")


def _bare(label: str) -> str:
    """「作品简介（150字以内）」 → 「作品简介」."""
    return _LIMIT_TAIL.sub("", unicodedata.normalize("NFKC", label)).strip()


@dataclass
class _Row:
    """One row of the layout with what is needed to recognise and parse it."""

    index: int
    label: str  # as the notice prints it
    name: str  # the row's name in messages: the label without its limit
    sources: list[str]
    fields: list[FormField | None]
    keys: set[str]

    def matches(self, squeezed: str) -> bool:
        if squeezed in self.keys:
            return True
        for key in self.keys:
            if squeezed.startswith(key) and set(squeezed[len(key):]) <= _LIMIT_CHARS:
                return True
        return False


def _rows(rules: RuleSet, spec: DocumentSpec) -> list[_Row]:
    rows = []
    for index, item in enumerate(spec.layout):
        fields = [rules.form.get(s[5:]) if s.startswith("form.") else None for s in item.sources]
        keys = {squeeze(item.label), squeeze(_bare(item.label))}
        if len(item.sources) == 1 and fields[0] is not None:
            keys.add(squeeze(fields[0].label))
        keys.discard("")
        rows.append(_Row(index, item.label, _bare(item.label) or item.label, list(item.sources),
                         fields, keys))
    return rows


def _label_prefix(text: str, rows: list[_Row]) -> tuple[_Row, str] | None:
    """A cell holding its label and its value: 「作品名称：一封家书」."""
    norm = unicodedata.normalize("NFKC", text)
    match = re.match(r"^(.{1,40}?)[:：]\s*(.*)$", norm, re.S)
    if not match:
        match = re.match(r"^([^\n]{1,40})\n(.*)$", norm, re.S)
    if not match:
        return None
    head = squeeze(match.group(1))
    for row in rows:
        if head and row.matches(head):
            return row, match.group(2).strip()
    return None


def _label_of(cell: _Cell, rows: list[_Row]) -> _Row | None:
    """The row a label cell names; the notice's remark in brackets after a label does not hide it."""
    if len(cell.text) > 200:
        return None
    for text in (cell.text, _BRACKETED.sub(lambda m: " " if _instruction(m.group(1), "") else m.group(0),
                                           unicodedata.normalize("NFKC", cell.text))):
        squeezed = squeeze(text)
        if squeezed and len(squeezed) <= 40:
            row = next((row for row in rows if row.matches(squeezed)), None)
            if row is not None:
                return row
    return None


@dataclass
class _Found:
    row: _Row
    texts: list[str] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)  # id() of cells already taken

    def take(self, cell: _Cell, text: str | None = None) -> None:
        if id(cell) in self.seen:
            return
        self.seen.add(id(cell))
        value = cell.text if text is None else text
        if value:
            self.texts.append(value)


def _scan(grid: list[list[_Cell]], rows: list[_Row]) -> dict[int, _Found]:
    """Which cells hold which row's value: those right of its label, up to the next label."""
    found: dict[int, _Found] = {}
    labels: dict[int, _Row] = {}  # id(cell) → row, for label cells
    for cells in grid:
        for cell in cells:
            row = _label_of(cell, rows)
            if row is not None and row.index not in {r.index for r in labels.values()}:
                labels[id(cell)] = row
    last: _Found | None = None
    for cells in grid:
        current: _Found | None = None
        row_has_label = False
        label_only = len(cells) == 1
        for position, cell in enumerate(cells):
            row = labels.get(id(cell))
            if row is not None:
                current = found.setdefault(row.index, _Found(row))
                current.seen.add(id(cell))
                row_has_label = True
                continue
            if position == 0 or current is None:
                inline = _label_prefix(cell.text, rows)
                if inline is not None and inline[0].index not in found:
                    current = found.setdefault(inline[0].index, _Found(inline[0]))
                    current.take(cell, inline[1])
                    row_has_label = True
                    continue
            if current is not None:
                current.take(cell)
        if not row_has_label and last is not None and not last.texts:
            # The label filled its row and the value was typed in the row below.
            for cell in cells:
                last.take(cell)
            last = None
        elif row_has_label:
            last = current if label_only else None
    return found


def _paragraph_scan(body: Any, rows: list[_Row], rels: dict[str, str]) -> dict[int, _Found]:
    """No table at all: 「作品名称：一封家书」 written as lines of text."""
    found: dict[int, _Found] = {}
    for paragraph in _children(body, "p"):
        collector = _Text(rels)
        collector.paragraph(paragraph)
        text = _clean_cell_text(collector.text())
        inline = _label_prefix(text, rows)
        if inline is not None and inline[0].index not in found:
            entry = found.setdefault(inline[0].index, _Found(inline[0]))
            if inline[1]:
                entry.texts.append(inline[1])
    return found


# --------------------------------------------------------------------------
# Values


def _instruction(inner: str, help_text: str) -> bool:
    """Is a bracketed remark the notice's own instruction rather than what the unit wrote?"""
    core = squeeze(inner)
    if not core:
        return True
    if set(core) <= _LIMIT_CHARS:
        return True  # 「（150字以内）」 repeated after the label
    if re.match(r"^\s*(请|含作品|例如|如[:：]|多人|可依次|简要说明|不超过|限\s*\d)", inner):
        return True
    helped = squeeze(help_text)
    return len(core) >= 4 and bool(helped) and (core in helped or helped in core)


_PLACEHOLDER = re.compile(r"[_＿]{2,}|…{2,}|\.{4,}")
_BRACKETED = re.compile(r"[(（]([^()（）]{0,200})[)）]")


def _strip_instructions(text: str, help_text: str = "") -> str:
    """The unit's text without the notice's instructions, underscores and placeholders."""
    text = _PLACEHOLDER.sub(" ", text)
    text = _BRACKETED.sub(lambda m: " " if _instruction(m.group(1), help_text) else m.group(0), text)
    helped = squeeze(help_text)
    if helped:
        kept = []
        for sentence in re.split(r"(?<=[。；;\n])", text):
            core = squeeze(sentence)
            if len(core) >= 6 and core in helped:
                continue
            kept.append(sentence)
        text = "".join(kept)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line).strip()


def _one_line(text: str) -> str:
    """Lines of one value joined: no space between two Chinese characters, one otherwise."""
    out = ""
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if out and not (_is_wide(out[-1]) or _is_wide(line[0])):
            out += " "
        out += line
    return out


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _title(text: str) -> str:
    text = _one_line(text).strip()
    pairs = [("《", "》"), ("“", "”"), ('"', '"'), ("「", "」"), ("『", "』"), ("<", ">")]
    changed = True
    while changed and len(text) >= 2:
        changed = False
        for left, right in pairs:
            if text.startswith(left) and text.endswith(right):
                text = text[len(left):-len(right)].strip()
                changed = True
    return text


# ---- durations

_DURATION_PIECE = re.compile(
    r"(?:(?P<h>\d+(?:\.\d+)?)\s*(?:小时|时|h(?:ours?|rs?)?)\s*)?"
    r"(?:(?P<m>\d+(?:\.\d+)?)\s*(?:分钟|分|min(?:utes?|s)?|m|')\s*(?P<half>半)?\s*)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)\s*(?:秒钟|秒|s(?:ec(?:onds?|s)?)?|\"|'')?)?",
    re.I,
)
_CLOCK = re.compile(r"(?<![\d.])(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?![\d.])")


def _duration_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    for quote in "′’‘`´":
        text = text.replace(quote, "'")
    for quote in "″”“":
        text = text.replace(quote, '"')
    return text


def _piece_seconds(match: re.Match[str]) -> float | None:
    h, m, s = (match.group(g) for g in ("h", "m", "s"))
    if not any((h, m, s)):
        return None
    total = float(h or 0) * 3600 + float(m or 0) * 60 + float(s or 0)
    if match.group("half"):
        total += 30
    if s and (h or m) and float(s) >= 60:
        return None
    return total


def parse_duration(text: str) -> tuple[int | None, str]:
    """Seconds from what people write (4分30秒, 4'30", 04:30, 270秒), and a note when guessed.

    A bare number has no unit: up to 10 it is taken as minutes, above as
    seconds, and the note says so. Several durations (one per episode) are
    added up, also with a note.
    """
    raw = _one_line(text)
    cleaned = _duration_text(raw)
    cleaned = re.sub(r"^(?:时长|片长|全长|总时长|共|约|大约|大概)\s*[:：]?\s*", "", cleaned.strip())
    cleaned = re.sub(r"(?:左右|上下|以内)$", "", cleaned).strip()
    compact = re.sub(r"\s+", "", cleaned)
    if not compact:
        return None, ""
    if re.fullmatch(r"\d+", compact):
        number = int(compact)
        if 0 < number <= 10:
            return number * 60, f"「{raw}」没有写单位，按 {number} 分钟计"
        if 10 < number <= 24 * 3600:
            return number, f"「{raw}」没有写单位，按 {number} 秒计"
        return None, ""
    values: list[float | None] = []
    clock = _CLOCK.fullmatch(compact)
    if clock:
        values = [_clock_seconds(clock)]
    else:
        piece = _DURATION_PIECE.fullmatch(compact)
        seconds = _piece_seconds(piece) if piece else None
        if seconds is not None:
            values = [seconds]
    note = ""
    if not values:
        found: list[float | None] = []
        for match in _CLOCK.finditer(cleaned):
            found.append(_clock_seconds(match))
        without_clocks = _CLOCK.sub(" ", cleaned)
        for match in _DURATION_PIECE.finditer(without_clocks):
            if not (match.group("h") or match.group("m") or match.group("half")) and not re.search(
                r"(秒|s|\")", match.group(0), re.I
            ):
                continue  # a bare number inside a sentence (第1集) is not a duration
            seconds = _piece_seconds(match)
            if seconds:
                found.append(seconds)
        if len(found) > 1:
            note = f"写有 {len(found)} 个时长（「{raw}」），按合计记录"
        values = found
    if not values or any(v is None for v in values):
        return None, ""
    total = round(sum(v for v in values if v is not None))
    if total <= 0 or total > 24 * 3600:
        return None, ""
    return total, note


def _clock_seconds(match: re.Match[str]) -> float | None:
    first, second, third = match.group(1), match.group(2), match.group(3)
    if third is not None:
        h, m, s = int(first), int(second), int(third)
    else:
        h, m, s = 0, int(first), int(second)
    if m >= 60 or s >= 60:
        return None
    return float(h * 3600 + m * 60 + s)


# ---- phones, links, people

_PHONE = re.compile(
    r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)"
    r"|(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?:\s*(?:-|转|ext\.?)\s*\d{1,6})?(?!\d)"
    r"|(?<!\d)\d{7,8}(?!\d)"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)[^\s，。；、（）()<>\"“”]+", re.I)


def _phones(text: str) -> list[str]:
    """Numbers as written, without the spaces people put in them (「139 0000 0002」)."""
    return ["".join(m.group(0).split()) for m in _PHONE.finditer(unicodedata.normalize("NFKC", text))]


def parse_phone(text: str) -> tuple[str | None, str]:
    """The number as written (one of them), and a note when there was more than one or none."""
    cleaned = _one_line(unicodedata.normalize("NFKC", text))
    cleaned = re.sub(r"^(?:联系)?(?:电话|手机|方式|号码)\s*[:：]?\s*", "", cleaned)
    if not cleaned:
        return None, ""
    phones = _phones(cleaned)
    if not phones:
        return None, f"无法识别电话号码「{_quote(cleaned)}」"
    if len(phones) > 1:
        return phones[0], f"写有 {len(phones)} 个号码，取第一个「{phones[0]}」"
    return phones[0], ""


def _quote(text: str, limit: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


_NUMBERING = re.compile(r"(?:^|(?<=\s)|(?<=[；;。]))(?:[(（]?\d{1,2}[)）.、．]|[①-⑳])\s*")
_POSTS = ("总导演", "导演", "编剧", "摄像", "摄影", "剪辑", "后期", "制片", "监制", "策划", "撰稿",
          "配音", "主持", "出品", "统筹", "美术", "动画", "作曲", "录音", "灯光", "主创", "演员", "解说")


def _split_people(text: str) -> list[str]:
    """Entries of a people cell: numbered, one per line, or separated by semicolons."""
    numbered = [p for p in _NUMBERING.split(text) if p.strip()]
    if len(numbered) > 1 or (len(numbered) == 1 and _NUMBERING.match(text.strip())):
        entries = numbered
    else:
        entries = [text]
    out: list[str] = []
    for entry in entries:
        for line in entry.split("\n"):
            out.extend(part for part in re.split(r"[；;]", line) if part.strip())
    return out


def parse_people(text: str, spec: FormField) -> tuple[list[dict[str, str]], list[str]]:
    """Rows of people, each {column key: value}, from how units write them in one cell.

    「1. 姓名: 张三 职务: 导演 联系方式: 138…  2. 姓名: …」, one person per line
    (「张三 导演 138…」), or 「张三（导演，138…）」.
    """
    columns = list(spec.columns)
    keys = [c.key for c in columns]
    notes: list[str] = []
    text = unicodedata.normalize("NFKC", text)
    text = _PLACEHOLDER.sub(" ", text)
    text = _BRACKETED.sub(lambda m: " " if _instruction(m.group(1), spec.help) else m.group(0), text)
    words = {c.key: _column_words(c.key, c.label) for c in columns}
    owner = {squeeze(w): key for key, ws in words.items() for w in ws}
    label_re = "|".join(_spaced(w) for w in sorted(_owner_words(words), key=len, reverse=True))
    # A header row of a small table of people: 「姓名	职务	联系方式」.
    lines = [line for line in text.split("\n")
             if not (line.strip() and all(squeeze(p) in owner
                                          for p in re.split(r"[\t ]+", line.strip()) if squeeze(p)))]
    text = "\n".join(lines)
    rows: list[dict[str, str]] = []
    labelled = re.compile(rf"({label_re})\s*[:：]", re.I)
    if labelled.search(text):
        first_re = "|".join(_spaced(w) for w in words[keys[0]])
        starts = [m.start() for m in re.finditer(rf"(?:{first_re})\s*[:：]", text)]
        chunks = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)] or [text]
        for chunk in chunks:
            row = {k: "" for k in keys}
            marks = list(labelled.finditer(chunk))
            for index, mark in enumerate(marks):
                end = marks[index + 1].start() if index + 1 < len(marks) else len(chunk)
                value = chunk[mark.end():end]
                value = _NUMBERING.sub(" ", value)
                value = re.sub(r"[,，;；、]+\s*$", "", " ".join(value.split())).strip(" ,，;；")
                key = owner[squeeze(mark.group(1))]
                if not row[key]:
                    row[key] = value
            if any(row.values()):
                rows.append(row)
    else:
        for entry in _split_people(text):
            row = _person(entry.strip(), keys)
            if row is not None:
                rows.append(row)
    for number, row in enumerate(rows, start=1):
        if not row.get(keys[0]):
            notes.append(f"第 {number} 人没有写「{columns[0].label}」")
    return rows, notes


def _spaced(word: str) -> str:
    """A pattern for a word that tolerates spaces between its characters."""
    return "\\s*".join(re.escape(ch) for ch in word if not ch.isspace())


def _column_words(key: str, label: str) -> list[str]:
    """What units write for a column's label: its own, and the usual other words for it."""
    out = [label]
    if "联系" in label or "phone" in key or "contact" in key:
        out += ["联系方式", "联系电话", "电话", "手机"]
    elif "职务" in label or "post" in key:
        out += ["职务", "职位", "岗位", "分工", "担任"]
    elif "姓名" in label or key == "name":
        out += ["姓名"]
    return list(dict.fromkeys(out))


def _owner_words(words: dict[str, list[str]]) -> list[str]:
    return [w for ws in words.values() for w in ws]


def _person(entry: str, keys: list[str]) -> dict[str, str] | None:
    """One person written without column labels; columns are name, post, contact in that order."""
    entry = entry.strip(" ,，;；、。")
    if not squeeze(entry):
        return None
    name_key = keys[0]
    post_key = keys[1] if len(keys) > 1 else None
    contact_key = keys[2] if len(keys) > 2 else None
    row = {k: "" for k in keys}
    contact = ""
    match = _EMAIL.search(entry)
    phones = _phones(entry)
    if phones:
        contact = phones[0]
        entry = entry.replace(phones[0], " ", 1) if phones[0] in entry else _PHONE.sub(" ", entry, 1)
    elif match:
        contact = match.group(0)
        entry = entry.replace(contact, " ")
    entry = re.sub(r"(?:联系方式|联系电话|电话|手机)\s*[:：]?", " ", entry)
    post = ""
    bracket = re.match(r"^([^(（]+)[(（]([^)）]*)[)）](.*)$", entry)
    if bracket:
        name = bracket.group(1)
        post = bracket.group(2) + " " + bracket.group(3)
    else:
        lead = re.match(rf"^\s*({'|'.join(_POSTS)})\s*[:：]\s*(.+)$", entry)
        if lead:
            post, name = lead.group(1), lead.group(2)
        else:
            tokens = [t for t in re.split(r"[\s,，、/|:：]+", entry) if t]
            if not tokens:
                return None
            name, post = tokens[0], " ".join(tokens[1:])
            if len(tokens) == 1:
                for word in _POSTS:  # 「导演张三」
                    if name.startswith(word) and len(name) > len(word) + 1:
                        post, name = word, name[len(word):]
                        break
    post = " ".join(re.split(r"[\s,，、/|:：]+", post)).strip()
    row[name_key] = name.strip(" ,，;；、:：")
    if post_key:
        row[post_key] = post.strip(" ,，;；、:：")
    elif post:
        row[name_key] = f"{row[name_key]} {post}".strip()
    if contact_key:
        row[contact_key] = contact
    return row if any(row.values()) else None


# ---- broadcast

_OPTION_AIRED = "已播出"
_OPTION_NOT = "未播出"
_MARK = f"[{re.escape(CHECKED)}]|[(（\\[【]\\s*[{re.escape(CHECKED)}]\\s*[)）\\]】]"
_EMPTY_MARK = f"[{re.escape(UNCHECKED)}]|[(（\\[【]\\s*[)）\\]】]"


def _option_state(text: str, option: str) -> bool | None:
    """Ticked (True), left empty (False) or unmarked (None), judged by the mark before it, else after."""
    index = text.find(option)
    if index < 0:
        return None
    before = text[max(0, index - 6):index].rstrip()
    if re.search(f"(?:{_MARK})$", before):
        return True
    if re.search(f"(?:{_EMPTY_MARK})$", before):
        return False
    return None


def _option_after(text: str, option: str) -> bool | None:
    index = text.find(option)
    if index < 0:
        return None
    after = text[index + len(option):index + len(option) + 6].lstrip()
    if re.match(f"(?:{_MARK})", after):
        return True
    if re.match(f"(?:{_EMPTY_MARK})", after):
        return False
    return None


def _options(text: str, options: list[str]) -> list[bool | None]:
    """Which options are ticked, in the style the first one uses: marks before (☑已播出) or after (已播出√).

    The style is settled on the first option, so that the mark after 「已播出」 in
    「已播出(√) 未播出( )」 is not taken for a mark in front of 「未播出」.
    """
    present = sorted((text.find(o), o) for o in options if o in text)
    if not present:
        return [None] * len(options)
    first = present[0][1]
    reader = _option_state if _option_state(text, first) is not None else _option_after
    return [reader(text, o) for o in options]


def parse_broadcast(text: str) -> tuple[dict[str, str], list[str]]:
    """播出情况 as {"status": "aired" | "not_aired", "platform", "link"}, with notes on guesses."""
    notes: list[str] = []
    text = unicodedata.normalize("NFKC", text)
    text = _PLACEHOLDER.sub(" ", text)
    aired_present = _OPTION_AIRED in text
    not_present = _OPTION_NOT in text
    aired, not_aired = _options(text, [_OPTION_AIRED, _OPTION_NOT])
    rest = text.replace(_OPTION_AIRED, " ").replace(_OPTION_NOT, " ")
    rest = re.sub(f"{_MARK}|{_EMPTY_MARK}", " ", rest)
    rest = re.sub(r"(?:播出平台\s*及\s*链接|播出平台|平台名称|播出链接|链接地址)\s*[:：]?"
                  r"|(?:平台|链接|地址|网址)\s*[:：]", " ", rest)
    link = ""
    url = _URL.search(rest)
    if url:
        link = url.group(0).rstrip(".,;")
        rest = rest.replace(url.group(0), " ")
        if link.lower().startswith("www."):
            link = "https://" + link
            notes.append(f"链接没有写 http://，已补为「{link}」")
    platform = " ".join(re.split(r"[\s:：,，;；、()（）]+", rest)).strip()
    platform = platform.strip(" .。")[:100]
    status = ""
    if aired and not not_aired:
        status = "aired"
    elif not_aired and not aired:
        status = "not_aired"
    elif aired and not_aired:
        notes.append("「已播出」和「未播出」都勾选了")
    elif aired_present and not not_present:
        status = "aired"
    elif not_present and not aired_present:
        status = "not_aired"
    elif link or platform:
        status = "aired"
        notes.append("没有勾选「已播出」或「未播出」，按填写了播出平台及链接记为已播出")
    elif aired_present or not_present:
        notes.append("没有勾选「已播出」或「未播出」")
    value = {"status": status, "platform": platform if status == "aired" else "",
             "link": link if status == "aired" else ""}
    if status == "aired" and not (platform and link):
        notes.append("已播出，但没有写" + ("播出平台和链接" if not (platform or link)
                                        else "播出平台" if not platform else "链接"))
    return value, notes


# ---- who sent it

_UNIT_MARK = re.compile(r"单位\s*[(（]\s*名称\s*[)）]|单位名称")
_PERSON_MARK = re.compile(r"个人\s*[(（]\s*姓名\s*[)）]\s*(?:及\s*(?:所在)?\s*单位)?|个人姓名(?:及单位)?")


def parse_entrant(text: str, *, default_kind: str | None) -> tuple[EntrantReading, list[str]]:
    """参赛主体: 「单位（名称）: …」 or 「个人（姓名）及单位: 张三，某单位」; or just a name."""
    notes: list[str] = []
    text = unicodedata.normalize("NFKC", text)
    text = _PLACEHOLDER.sub(" ", text)
    text = _BRACKETED.sub(lambda m: " " if _instruction(m.group(1), "") else m.group(0), text)
    unit_mark = _UNIT_MARK.search(text)
    person_mark = _PERSON_MARK.search(text)
    if not unit_mark and not person_mark:
        name = _one_line(_strip_instructions(text))
        name = re.sub(r"^[☑☒■√✔✓]\s*", "", name).strip(" :：")
        return EntrantReading(name=name, kind=default_kind if name else None), notes
    marks = sorted((m for m in (unit_mark, person_mark) if m), key=lambda m: m.start())
    parts: dict[str, str] = {}
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(text)
        value = text[mark.end():end]
        value = re.sub(f"{_MARK}|{_EMPTY_MARK}", " ", value)
        value = _one_line(_strip_instructions(value)).strip(" :：;；,，")
        parts["unit" if mark is unit_mark else "person"] = value
    unit_name = parts.get("unit", "")
    person = parts.get("person", "")
    if person:
        name, own_unit = _split_person(person)
        if not own_unit and unit_name:
            own_unit = unit_name
        if unit_name and own_unit != unit_name:
            notes.append("「单位（名称）」和「个人（姓名）及单位」都填写了，按个人报送读取")
        if not own_unit:
            notes.append("个人报送没有写所在单位")
        return EntrantReading(name=name, kind="individual", unit=own_unit), notes
    if unit_name:
        return EntrantReading(name=unit_name, kind="unit"), notes
    return EntrantReading(), notes


def _split_person(text: str) -> tuple[str, str]:
    labelled = re.match(
        r"^\s*(?:姓名\s*[:：])?\s*(.+?)\s*(?:[,，;；、/]|\s)\s*(?:(?:所在)?单位\s*[:：])?\s*(.+)$", text
    )
    bracket = re.match(r"^\s*([^(（]+?)\s*[(（]\s*([^)）]+?)\s*[)）]\s*$", text)
    if bracket:
        return bracket.group(1).strip(), bracket.group(2).strip()
    if labelled:
        return labelled.group(1).strip(), labelled.group(2).strip()
    return text.strip(), ""


# ---- dates

def parse_date(text: str) -> date | None:
    """报送日期 as offices write it: 2026年7月20日, 2026-07-20, 2026.7.20."""
    text = unicodedata.normalize("NFKC", text)
    match = re.search(r"(20\d{2})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})", text)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


# --------------------------------------------------------------------------
# Putting one row's text into the form's shape


def _split_sources(text: str, row: _Row) -> list[str]:
    """Several values in one cell: split at each source's label (「联系人: … 联系电话: …」)."""
    norm = unicodedata.normalize("NFKC", text)
    names: list[list[str]] = []
    for source, spec in zip(row.sources, row.fields, strict=True):
        words = [spec.label] if spec is not None else []
        if spec is not None and spec.type == "phone":
            words += ["联系电话", "电话", "手机", "联系方式"]
        if source == "submission.date":
            words += ["报送日期", "日期"]
        names.append(words)
    positions: list[tuple[int, int, int]] = []  # start, end, source index
    for index, words in enumerate(names):
        for word in sorted(set(words), key=len, reverse=True):
            pattern = "\\s*".join(re.escape(ch) for ch in word if not ch.isspace()) + r"\s*[:：]?"
            match = re.search(pattern, norm)
            if match and not any(a <= match.start() < b for a, b, _i in positions):
                positions.append((match.start(), match.end(), index))
                break
    positions.sort()
    out = [""] * len(row.sources)
    if positions:
        for k, (_start, end, index) in enumerate(positions):
            stop = positions[k + 1][0] if k + 1 < len(positions) else len(norm)
            out[index] = norm[end:stop]
        return out
    # No labels: a phone number goes to the phone field, the rest to the other one.
    phone_index = next((i for i, s in enumerate(row.fields) if s is not None and s.type == "phone"), None)
    phones = _phones(norm)
    if phone_index is not None and phones:
        out[phone_index] = phones[0]
        other = norm.replace(phones[0], " ")
        rest = [i for i in range(len(out)) if i != phone_index]
        if rest:
            out[rest[0]] = other
    elif out:
        out[0] = norm
    return out


def _read_field(spec: FormField, text: str, reading: FormReading) -> None:
    """Parse one field's text by its type into ``reading.values``, noting what went wrong."""
    problems = reading.problems
    label = spec.label
    kind = spec.type
    if kind == "people":
        rows, notes = parse_people(text, spec)
        if rows:
            reading.values[spec.key] = rows
        elif spec.required:
            problems.append(f"{label}：未填写")
        problems.extend(f"{label}：{note}" for note in notes)
        return
    if kind == "broadcast":
        cleaned = _strip_instructions(text, spec.help)
        value, notes = parse_broadcast(text)
        if value["status"]:
            reading.values[spec.key] = value
        elif not squeeze(cleaned.replace(_OPTION_AIRED, "").replace(_OPTION_NOT, "")) and not notes:
            problems.append(f"{label}：没有勾选「已播出」或「未播出」")
        problems.extend(f"{label}：{note}" for note in notes)
        return
    cleaned = _strip_instructions(text, spec.help)
    if not cleaned:
        if spec.required:
            problems.append(f"{label}：未填写")
        return
    if kind == "duration":
        seconds, note = parse_duration(cleaned)
        if seconds is None:
            problems.append(f"{label}：无法识别「{_quote(_one_line(cleaned))}」")
        else:
            reading.values[spec.key] = seconds
            if note:
                problems.append(f"{label}：{note}")
        return
    if kind == "phone":
        phone, note = parse_phone(cleaned)
        if phone:
            reading.values[spec.key] = phone
        if note:
            problems.append(f"{label}：{note}")
        return
    if kind == "url":
        url = _URL.search(cleaned)
        if url:
            reading.values[spec.key] = url.group(0)
        else:
            problems.append(f"{label}：无法识别链接「{_quote(cleaned)}」")
        return
    if kind == "choice":
        chosen = [o for o in spec.options if o in cleaned and (
            _option_state(cleaned, o) or _option_after(cleaned, o)
            or not any(other in cleaned for other in spec.options if other != o))]
        if len(chosen) == 1:
            reading.values[spec.key] = chosen[0]
        else:
            problems.append(f"{label}：无法判断选择了哪一项「{_quote(cleaned)}」")
        return
    value = _title(cleaned) if spec.key == "title" else (_one_line(cleaned) if kind == "text" else cleaned)
    reading.values[spec.key] = value
    if spec.max_chars is not None:
        used = count_chars(value)
        if used > spec.max_chars:
            problems.append(f"{label}：共 {used} 字，超过 {spec.max_chars} 字的限制（已完整读入，未删减）")


def _read_row(row: _Row, text: str, reading: FormReading, rules: RuleSet) -> None:
    pieces = [text] if len(row.sources) == 1 else _split_sources(text, row)
    for source, spec, piece in zip(row.sources, row.fields, pieces, strict=True):
        if spec is not None:
            _read_field(spec, piece, reading)
        elif source in ("entrant", "entrant.name"):
            kinds = list(rules.entrants.kinds)
            default = kinds[0] if len(kinds) == 1 else None
            entrant, notes = parse_entrant(piece, default_kind=default)
            if entrant.name:
                reading.entrant.name = entrant.name
                reading.entrant.kind = entrant.kind or reading.entrant.kind
                reading.entrant.unit = entrant.unit or reading.entrant.unit
            else:
                reading.problems.append(f"{row.name}：未填写")
            reading.problems.extend(f"{row.name}：{note}" for note in notes)
        elif source == "entrant.unit":
            unit = _one_line(_strip_instructions(piece))
            if unit:
                reading.entrant.unit = unit
        elif source == "submission.date":
            reading.submitted_on = parse_date(piece)


# --------------------------------------------------------------------------
# The reader


def form_document(rules: RuleSet, key: str | None = None) -> DocumentSpec | None:
    """The per-work table filled from the form: 作品信息表, 作品登记表."""
    for spec in rules.documents:
        if key is not None and spec.key != key:
            continue
        if spec.source == "generated" and spec.per == "work" and any(
            s.startswith("form.") for item in spec.layout for s in item.sources
        ):
            return spec
    return None


def read_form(source: Path | str | bytes | BinaryIO, rules: RuleSet, *,
              document_key: str | None = None) -> FormReading:
    """Read a filled form back into the campaign's form fields.

    Raises :class:`FormUnreadable` when the file is no readable Word document;
    anything short of that is a :class:`FormReading` with its problems listed.
    """
    spec = form_document(rules, document_key)
    if spec is None:
        raise FormUnreadable("本活动的规则中没有按作品填写的登记表/信息表")
    document = open_docx(source)
    body = document.element.body
    rels = _rels(document)
    rows = _rows(rules, spec)
    budget = [MAX_CELLS]
    tables = _tables(body)
    scans: list[tuple[Any, dict[int, _Found]]] = []
    for table in tables:
        grid = _grid(table, rels, budget)
        scans.append((table, _scan(grid, rows)))
    found: dict[int, _Found] = {}
    if scans:
        best_table, best = max(scans, key=lambda pair: len(pair[1]))
        found = dict(best)
        ancestors = set(best_table.iterancestors())
        for table, scan in scans:
            if table is best_table or table in ancestors:
                continue
            for index, entry in scan.items():
                found.setdefault(index, entry)
    if len(found) < 2:
        for index, entry in _paragraph_scan(body, rows, rels).items():
            found.setdefault(index, entry)
    reading = FormReading(document=spec.label, rows_expected=len(rows))
    for row in rows:
        entry = found.get(row.index)
        if entry is None:
            required = any(f is None or f.required for f in row.fields)
            if required and row.sources != ["submission.date"]:
                reading.problems.append(f"{row.name}：表中没有找到这一栏")
            continue
        reading.rows_found.append(row.label)
        _read_row(row, "\n".join(entry.texts), reading, rules)
    return reading


def document_text(source: Path | str | bytes | BinaryIO) -> str:
    """The running text of a script (.docx or .txt), for a form row that holds the script."""
    data = _load(source)
    kind = _head_kind(data[:1024])
    if kind == "zip":
        document = open_docx(data)
        rels = _rels(document)
        collector = _Text(rels)
        collector.block(document.element.body)
        return _clean_cell_text(collector.text())
    if kind == "empty":
        raise FormUnreadable("文件是空的（0 字节）")
    if kind in ("ole", "rtf", "html", "pdf", "image"):
        open_docx(data)  # raises with the message for that kind
    for encoding in ("utf-8-sig", "utf-16", "gb18030"):
        if encoding == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _clean_cell_text(text)
    raise FormUnreadable("文本文件的编码无法识别（应为 UTF-8 或 GB18030）")

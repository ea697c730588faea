"""The notices' attachment tables as Word documents, filled from what entrants entered.

Offices print these forms, stamp them and send them on; a form that differs from the
notice's (a missing row, a renamed label, a second page where the notice says 「单页打印，
不加页」) is sent back. Everything that differs between campaigns is read from the
preset's ``documents:`` entries: the rows and their sources (``layout``), the pledge's
text (``body``), the notes under a table (``note``), whether a form must fit one page.

A form that must fit one page is laid out as a compact grid, two short fields a row (as
the Chongqing 登记表 is); other forms list one field a row under 「项目 / 填写内容」 (as the
Hubei 信息表 does). Line heights are fixed, so that the page a form needs can be worked out
here and is the same in Word and in LibreOffice.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import docx
from django.utils import timezone
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from guangying.campaigns.models import Campaign, Entrant
from guangying.rulesets.schema import DocumentSpec, LayoutItem, RuleSet
from guangying.submissions.exports import sheet_cell
from guangying.submissions.forms import format_duration
from guangying.submissions.models import HANDED_IN_STATES, Work, WorkState

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"
CONTENT_TYPES = {".docx": DOCX_TYPE, ".xlsx": XLSX_TYPE, ".pdf": PDF_TYPE}

# Chinese office type sizes (字号), in points.
ERHAO, XIAOER, SANHAO, XIAOSAN, SIHAO, XIAOSI, WUHAO, XIAOWU, LIUHAO = (
    22, 18, 16, 15, 14, 12, 10.5, 9, 7.5
)
EAST_ASIAN_FONT = "宋体"
LATIN_FONT = "Times New Roman"

# The printed forms' own words, as the notices print them (not the platform's UI).
BOX_ON, BOX_OFF = "☑", "□"
AIRED, NOT_AIRED = "已播出", "未播出"
BROADCAST_LINK_LABEL = "播出平台及链接"
UNIT_LINE, INDIVIDUAL_LINE = "单位（名称）", "个人（姓名）及单位"
ITEM_HEADER, CONTENT_HEADER = "项目", "填写内容"
STATE_HEADER = "状态"
BLANK_TITLE = "__________"

# Labels of a value that shares a cell with others (「联系人: … 联系电话: …」).
_SOURCE_LABELS = {
    "entrant": "参赛主体", "entrant.name": "名称", "entrant.unit": "单位", "entrant.kind": "类别",
    "submission.date": "报送日期", "work.index": "序号",
}
_SHORT_TYPES = ("text", "phone", "url", "choice", "duration")
_SHORT_SOURCES = ("entrant.name", "entrant.unit", "entrant.kind", "submission.date", "work.index")


@dataclass(frozen=True)
class GeneratedDocument:
    """One file the platform makes: the notice's form, a list, or a pledge to sign."""

    key: str
    label: str
    file_name: str
    content: bytes

    @property
    def content_type(self) -> str:
        suffix = self.file_name[self.file_name.rfind("."):].lower() if "." in self.file_name else ""
        return CONTENT_TYPES.get(suffix, "application/octet-stream")


# --------------------------------------------------------------------------
# Text as Word can hold it

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(value: Any) -> str:
    """Text a .docx can store: XML 1.0 refuses control characters, which pasted text may carry."""
    text = "" if value is None else str(value)
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def text_lines(value: Any) -> list[str]:
    text = xml_safe(value).strip("\n")
    return text.split("\n") if text else []


# --------------------------------------------------------------------------
# Values of the layout's sources


def _local_date(moment: datetime | None, rules: RuleSet) -> str:
    if moment is None:
        return ""
    day = timezone.localtime(moment, rules.zone).date()
    return f"{day.year}年{day.month}月{day.day}日"


def broadcast_boxes(value: Any) -> str:
    """「☑已播出 □未播出」: the notice's two boxes, the entrant's answer ticked."""
    status = value.get("status") if isinstance(value, dict) else ""
    aired = BOX_ON if status == "aired" else BOX_OFF
    not_aired = BOX_ON if status == "not_aired" else BOX_OFF
    return f"{aired}{AIRED} {not_aired}{NOT_AIRED}"


def broadcast_place(value: Any) -> list[str]:
    """The platform with the most views and its link, once the work has been shown."""
    if not isinstance(value, dict) or value.get("status") != "aired":
        return []
    return [line for line in (xml_safe(value.get("platform", "")), xml_safe(value.get("link", ""))) if line]


def broadcast_summary(value: Any) -> list[str]:
    """附件3's 播出情况: 「已播出的作品填写……播出平台及链接；尚未播出的作品，填写“未播出”」."""
    if not isinstance(value, dict):
        return []
    if value.get("status") == "aired":
        return broadcast_place(value) or [AIRED]
    if value.get("status") == "not_aired":
        return [NOT_AIRED]
    return []


def _people_lines(spec: Any, value: Any) -> list[str]:
    rows = [row for row in value or [] if isinstance(row, dict)]
    return [
        f"{number}. " + " ".join(f"{c.label}: {xml_safe(row.get(c.key, ''))}" for c in spec.columns)
        for number, row in enumerate(rows, start=1)
    ]


def _form_value(rules: RuleSet, work: Work, key: str, *, listing: bool) -> list[str]:
    if key == "title":
        return text_lines(work.title)
    spec = rules.form_field(key)
    value = (work.form_data or {}).get(key)
    if spec is None or value in (None, "", [], {}):
        return []
    if spec.type == "people":
        return _people_lines(spec, value)
    if spec.type == "broadcast":
        if listing:
            return broadcast_summary(value)
        place = broadcast_place(value)
        return [broadcast_boxes(value)] + ([f"{BROADCAST_LINK_LABEL}: " + " ".join(place)] if place else [])
    if spec.type == "duration":
        return [format_duration(value)] if isinstance(value, int) else text_lines(value)
    if isinstance(value, list | dict):
        return text_lines("、".join(str(v) for v in (value.values() if isinstance(value, dict) else value)))
    return text_lines(value)


def _entrant_lines(rules: RuleSet, entrant: Entrant) -> list[str]:
    """参赛主体: the notice's two lines where individuals may enter, the unit's name where not."""
    if not rules.admits("individual"):
        return text_lines(entrant.name)
    individual = entrant.kind == Entrant.Kind.INDIVIDUAL
    person = xml_safe(str(entrant)) if individual else ""
    unit = "" if individual else xml_safe(entrant.name)
    return [f"{UNIT_LINE}: {unit}", f"{INDIVIDUAL_LINE}: {person}"]


def source_value(source: str, rules: RuleSet, work: Work | None, entrant: Entrant, *,
                 index: int | None = None, listing: bool = False) -> list[str]:
    """The lines one layout source fills a cell with."""
    if source.startswith("form."):
        return _form_value(rules, work, source[5:], listing=listing) if work is not None else []
    if source == "entrant":
        return _entrant_lines(rules, entrant) if not listing else text_lines(str(entrant))
    if source == "entrant.name":
        return text_lines(entrant.name)
    if source == "entrant.unit":
        return text_lines(entrant.unit_name)
    if source == "entrant.kind":
        return text_lines(entrant.get_kind_display())
    if source == "submission.date":
        return [_local_date(work.submitted_at, rules)] if work is not None and work.submitted_at else []
    if source == "work.index":
        return [str(index)] if index is not None else []
    return []


def _source_label(rules: RuleSet, source: str) -> str:
    if source.startswith("form."):
        spec = rules.form_field(source[5:])
        return spec.label if spec is not None else source[5:]
    return _SOURCE_LABELS.get(source, source)


def item_value(item: LayoutItem, rules: RuleSet, work: Work | None, entrant: Entrant, *,
               index: int | None = None, listing: bool = False) -> list[str]:
    """A cell's lines: one source as it is, several as 「联系人: … 联系电话: …」 on one line."""
    if len(item.sources) == 1:
        return source_value(item.sources[0], rules, work, entrant, index=index, listing=listing)
    parts = []
    for source in item.sources:
        value = " ".join(source_value(source, rules, work, entrant, index=index, listing=True))
        parts.append(f"{_source_label(rules, source)}: {value}")
    return [" ".join(parts)]


def _source_type(rules: RuleSet, source: str) -> str:
    if source.startswith("form."):
        spec = rules.form_field(source[5:])
        return spec.type if spec is not None else "text"
    return source


# --------------------------------------------------------------------------
# Measuring text, so that a one-page form is made to fit its page


def _char_em(char: str) -> float:
    if unicodedata.east_asian_width(char) in ("W", "F") or unicodedata.category(char) == "So":
        return 1.0
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0.0
    if char in "MWmw@%&":
        return 0.95
    return 0.62  # Latin letters and digits, wide fonts (DejaVu) counted: a safe side


def text_em(text: str) -> float:
    """Width in em: Chinese characters one each, Latin characters about two thirds."""
    return sum(_char_em(char) for char in text)


def line_count(paragraphs: Sequence[str], width_pt: float, size_pt: float) -> int:
    """Lines the paragraphs take in a column; breaks at word ends waste a little of each."""
    capacity = max(width_pt / size_pt * 0.92, 1.0)
    return sum(max(1, math.ceil(text_em(p) / capacity)) for p in (paragraphs or [""]))


# --------------------------------------------------------------------------
# The document's frame: page, fonts, paragraphs

PORTRAIT_MARGINS = (Mm(25), Mm(25), Mm(26), Mm(26))  # top, bottom, left, right
LANDSCAPE_MARGINS = (Mm(22), Mm(22), Mm(22), Mm(22))
CELL_MARGIN_X = 5.4  # pt, Word's 0.19 cm
CELL_MARGIN_Y = 2.0
LINE_FACTOR = 1.3  # exact line height, in em of the text's size


def _set_fonts(rpr: Any, *, east_asian: str = EAST_ASIAN_FONT, latin: str = LATIN_FONT) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)


def new_document(*, landscape: bool = False, size: float = SIHAO, title: str = "") -> Any:
    """An A4 document whose text is 宋体 for Chinese and Times New Roman for Latin letters."""
    document = docx.Document()
    section = document.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        margins = LANDSCAPE_MARGINS
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
        margins = PORTRAIT_MARGINS
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = margins
    section.header_distance = section.footer_distance = Mm(12)
    # Defaults first: a theme font named there would win over the style's own in Word.
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal = document.styles["Normal"]
    normal.font.size = Pt(size)
    normal.font.name = LATIN_FONT
    _set_fonts(normal.element.get_or_add_rPr())
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    props = document.core_properties
    props.title = xml_safe(title)[:250]
    props.author = props.last_modified_by = "光影"
    props.comments = ""
    props.created = props.modified = timezone.now().replace(tzinfo=None)
    return document


def usable_width_pt(document: Any) -> float:
    section = document.sections[0]
    return (section.page_width - section.left_margin - section.right_margin) / 12700


def usable_height_pt(document: Any) -> float:
    section = document.sections[0]
    return (section.page_height - section.top_margin - section.bottom_margin) / 12700


def add_run(paragraph: Any, text: str, *, size: float | None = None, bold: bool = False) -> Any:
    run = paragraph.add_run(xml_safe(text))
    if size is not None:
        run.font.size = Pt(size)
    run.bold = bold or None
    _set_fonts(run._element.get_or_add_rPr())
    return run


def exact_spacing(paragraph: Any, size: float) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(round(size * LINE_FACTOR * 2) / 2)
    fmt.space_before = fmt.space_after = Pt(0)


def add_text(container: Any, text: str, *, size: float, bold: bool = False,
             align: Any = None, first: bool = False, space_after: float = 0,
             first_line_indent: float | None = None, left_indent: float | None = None) -> Any:
    """A paragraph with fixed line height; ``first`` writes into a cell's empty first paragraph."""
    paragraph = container.paragraphs[0] if first and container.paragraphs else container.add_paragraph()
    exact_spacing(paragraph, size)
    if align is not None:
        paragraph.alignment = align
    if space_after:
        paragraph.paragraph_format.space_after = Pt(space_after)
    if first_line_indent is not None:
        paragraph.paragraph_format.first_line_indent = Pt(first_line_indent)
    if left_indent is not None:
        paragraph.paragraph_format.left_indent = Pt(left_indent)
    if text:
        add_run(paragraph, text, size=size, bold=bold)
    return paragraph


def title_lines(title: str, width_pt: float, size: float) -> list[str]:
    """A title too long for one line breaks after its quoted name (「“红色光影 英雄重庆”」), not mid-word."""
    text = xml_safe(title)
    if line_count([text], width_pt, size) <= 1:
        return [text]
    end = text.find("”")
    if 0 < end < len(text) - 1:
        first, rest = text[:end + 1], text[end + 1:]
        if line_count([first], width_pt, size) == 1 and line_count([rest], width_pt, size) == 1:
            return [first, rest]
    return [text]


def add_heading_lines(document: Any, *, attachment: str, title: str, size: float,
                      attachment_size: float, subtitle: str = "") -> None:
    """「附件1」 on the left, the form's title centred and bold, as the notices print them."""
    if attachment:
        add_text(document, attachment, size=attachment_size, first=True)
    heading = add_text(document, "", size=size, align=WD_ALIGN_PARAGRAPH.CENTER, first=not attachment,
                       space_after=size * 0.6 if not subtitle else 0)
    for number, line in enumerate(title_lines(title, usable_width_pt(document), size)):
        if number:
            heading.runs[-1].add_break()
        add_run(heading, line, size=size, bold=True)
    if subtitle:
        add_text(document, subtitle, size=attachment_size, align=WD_ALIGN_PARAGRAPH.CENTER,
                 space_after=size * 0.5)


def heading_height(document: Any, *, attachment: str, title: str, size: float, attachment_size: float,
                   subtitle: str = "") -> float:
    width = usable_width_pt(document)
    height = line_count(title_lines(title, width, size), width, size) * size * LINE_FACTOR + size * 0.6
    if attachment:
        height += attachment_size * LINE_FACTOR
    if subtitle:
        height += line_count([subtitle], width, attachment_size) * attachment_size * LINE_FACTOR
    return height


def set_table_frame(table: Any, widths_pt: Sequence[float]) -> None:
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    margins = OxmlElement("w:tblCellMar")
    for side, value in (("top", CELL_MARGIN_Y), ("bottom", CELL_MARGIN_Y),
                        ("left", CELL_MARGIN_X), ("right", CELL_MARGIN_X)):
        node = OxmlElement(f"w:{side}")
        node.set(qn("w:w"), str(round(value * 20)))
        node.set(qn("w:type"), "dxa")
        margins.append(node)
    tbl_pr.append(margins)
    for column, width in zip(table.columns, widths_pt, strict=True):
        column.width = Pt(width)
        for cell in column.cells:
            cell.width = Pt(width)


def repeat_header(row: Any) -> None:
    """A long list's header row is printed again at the top of every page."""
    tr_pr = row._tr.get_or_add_trPr()
    node = OxmlElement("w:tblHeader")
    node.set(qn("w:val"), "true")
    tr_pr.append(node)


def keep_row_whole(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


def fill_cell(cell: Any, lines: Sequence[str], *, size: float, bold: bool = False,
              align: Any = WD_ALIGN_PARAGRAPH.LEFT) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for number, line in enumerate(lines or [""]):
        add_text(cell, line, size=size, bold=bold, align=align, first=number == 0)


def add_note(document: Any, note: str, *, size: float) -> None:
    """The notice's 填写说明 / 说明 under a table."""
    lines = text_lines(note)
    for number, line in enumerate(lines):
        paragraph = add_text(document, line, size=size, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        if number == 0:
            paragraph.paragraph_format.space_before = Pt(size * 0.5)


def to_bytes(document: Any) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------
# A form: the rows of one work's table


@dataclass
class _Cell:
    lines: list[str]
    col: int
    span: int = 1
    rowspan: int = 1
    label: bool = False
    min_lines: int = 1


@dataclass
class _Row:
    cells: list[_Cell] = field(default_factory=list)


def _is_short(rules: RuleSet, item: LayoutItem) -> bool:
    if len(item.sources) != 1:
        return False
    source = item.sources[0]
    if source == "entrant":
        return not rules.admits("individual")
    kind = _source_type(rules, source)
    return kind in _SHORT_TYPES or kind in _SHORT_SOURCES


def _min_lines(rules: RuleSet, item: LayoutItem) -> int:
    """Room to write by hand where a long text belongs, as the notice's tall rows leave."""
    kinds = {_source_type(rules, s) for s in item.sources}
    if "textarea" in kinds:
        return 5
    if "people" in kinds:
        return 3
    return 1


def _compact_rows(rules: RuleSet, spec: DocumentSpec, work: Work) -> list[_Row]:
    """Four columns: label, value, label, value; long rows take the three cells after the label."""
    rows: list[_Row] = []
    pending: _Row | None = None
    entrant = work.entrant
    for item in spec.layout:
        value = item_value(item, rules, work, entrant)
        if _is_short(rules, item):
            if pending is None:
                pending = _Row([_Cell([item.label], 0, label=True), _Cell(value, 1, span=3)])
                rows.append(pending)
            else:
                pending.cells[1].span = 1
                pending.cells += [_Cell([item.label], 2, label=True), _Cell(value, 3)]
                pending = None
            continue
        pending = None
        source = item.sources[0] if len(item.sources) == 1 else ""
        kind = _source_type(rules, source)
        if kind == "broadcast":
            raw = (work.form_data or {}).get(source[5:])
            rows.append(_Row([
                _Cell([item.label], 0, label=True), _Cell([broadcast_boxes(raw)], 1),
                _Cell([BROADCAST_LINK_LABEL], 2, label=True), _Cell(broadcast_place(raw), 3),
            ]))
        elif kind == "entrant":
            first, second = value
            rows.append(_Row([_Cell([item.label], 0, rowspan=2, label=True), _Cell([first], 1, span=3)]))
            rows.append(_Row([_Cell([second], 1, span=3)]))
        else:
            rows.append(_Row([_Cell([item.label], 0, label=True),
                              _Cell(value, 1, span=3, min_lines=_min_lines(rules, item))]))
    return rows


def _listed_rows(rules: RuleSet, spec: DocumentSpec, work: Work) -> list[_Row]:
    """Two columns under 「项目 / 填写内容」, one row per layout item."""
    rows = [_Row([_Cell([ITEM_HEADER], 0, label=True), _Cell([CONTENT_HEADER], 1, label=True)])]
    for item in spec.layout:
        value = item_value(item, rules, work, work.entrant)
        rows.append(_Row([_Cell([item.label], 0, label=True),
                          _Cell(value, 1, min_lines=_min_lines(rules, item))]))
    return rows


def _column_widths(total: float, compact: bool) -> list[float]:
    if compact:
        label = 80.0
        value = (total - 2 * label) / 2
        return [label, value, label, value]
    label = 92.0
    return [label, total - label]


def _cell_width(widths: Sequence[float], cell: _Cell) -> float:
    return sum(widths[cell.col:cell.col + cell.span]) - 2 * CELL_MARGIN_X


def _rows_height(rows: Sequence[_Row], widths: Sequence[float], size: float) -> float:
    pitch = size * LINE_FACTOR
    total = 0.0
    carried: list[tuple[float, int]] = []  # (height still needed by a spanning cell, rows left)
    for row in rows:
        height = 0.0
        for cell in row.cells:
            lines = max(line_count(cell.lines, _cell_width(widths, cell), size), cell.min_lines)
            needed = lines * pitch + 2 * CELL_MARGIN_Y + 1
            if cell.rowspan > 1:
                carried.append((needed, cell.rowspan))
            else:
                height = max(height, needed)
        height = max(height, pitch + 2 * CELL_MARGIN_Y + 1)
        still = []
        for needed, left in carried:
            if left == 1:
                height = max(height, needed)
            else:
                still.append((needed - height, left - 1))
        carried = still
        total += height
    return total


def _render_rows(document: Any, rows: Sequence[_Row], widths: Sequence[float], size: float) -> Any:
    table = document.add_table(rows=len(rows), cols=len(widths))
    set_table_frame(table, widths)
    pitch = size * LINE_FACTOR
    for r_index, row in enumerate(rows):
        for cell in row.cells:
            target = table.cell(r_index, cell.col)
            last = table.cell(r_index + cell.rowspan - 1, cell.col + cell.span - 1)
            if last._tc is not target._tc:
                target = target.merge(last)
            align = WD_ALIGN_PARAGRAPH.CENTER if cell.label else WD_ALIGN_PARAGRAPH.JUSTIFY
            fill_cell(target, cell.lines, size=size, align=align)
        minimum = max((c.min_lines for c in row.cells if c.rowspan == 1), default=1)
        table.rows[r_index].height = Pt(max(minimum, 1) * pitch + 2 * CELL_MARGIN_Y + pitch * 0.6)
        table.rows[r_index].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    return table


def _row_slack(rows: Sequence[_Row], size: float) -> float:
    return len(rows) * size * LINE_FACTOR * 0.6


def _collapsed(rows: Sequence[_Row]) -> list[_Row]:
    """Every cell's lines run on in one paragraph: nothing is lost, only the line breaks."""
    return [
        _Row([_Cell(["　".join(line for line in cell.lines if line)] if cell.lines else [], cell.col,
                    cell.span, cell.rowspan, cell.label, 1 if not cell.label else cell.min_lines)
              for cell in row.cells])
        for row in rows
    ]


def _fit_steps() -> list[tuple[float, float, float]]:
    """(body, title, 附件 line) sizes tried in turn until a one-page form fits: 四号 down by half points."""
    steps = []
    body = float(SIHAO)
    while body >= 5.5:
        title = XIAOER if body >= XIAOSI else SANHAO if body >= 10 else SIHAO if body >= 8 else XIAOSI
        steps.append((body, float(title), min(float(SIHAO), body)))
        body -= 0.5
    return steps


_FIT_STEPS = tuple(_fit_steps())
FIT_SHARE = 0.9  # of the page's height: the estimate's margin for fonts and line breaking


def _form_height(document: Any, rows: Sequence[_Row], widths: Sequence[float], sizes: tuple,
                 *, attachment: str, title: str, note: str) -> float:
    body, head, small = sizes
    height = heading_height(document, attachment=attachment, title=title, size=head, attachment_size=small)
    height += _rows_height(rows, widths, body) + _row_slack(rows, body)
    if note:
        height += line_count(text_lines(note), usable_width_pt(document), body) * body * LINE_FACTOR + body
    return height


def _fit(document: Any, rows: list[_Row], widths: Sequence[float], *, attachment: str, title: str,
         note: str) -> tuple[list[_Row], tuple]:
    """The largest type, then the fewest line breaks, with which the form fits its page."""
    room = usable_height_pt(document) * FIT_SHARE
    for candidate in (rows, _collapsed(rows)):
        for sizes in _FIT_STEPS:
            if _form_height(document, candidate, widths, sizes, attachment=attachment, title=title,
                            note=note) <= room:
                return candidate, sizes
    # Beyond every limit of the form: the smallest type, and a second page rather than lost text.
    return _collapsed(rows), _FIT_STEPS[-1]


def document_title(rules: RuleSet, spec: DocumentSpec) -> str:
    """「“微光映同心”微视频专题宣传活动作品信息表」: the campaign's title followed by the form's name."""
    return f"{rules.title}{spec.label}"


def form_document(work: Work, spec: DocumentSpec) -> bytes:
    """The notice's per-work table (作品信息表, 作品登记表), filled from the work's form."""
    rules = work.campaign.rules
    title = document_title(rules, spec)
    document = new_document(title=title)
    compact = spec.single_page
    rows = _compact_rows(rules, spec, work) if compact else _listed_rows(rules, spec, work)
    widths = _column_widths(usable_width_pt(document), compact)
    sizes: tuple = (SIHAO, XIAOER, SIHAO)
    if spec.single_page:
        rows, sizes = _fit(document, rows, widths, attachment=spec.attachment, title=title, note=spec.note)
    body, head, small = sizes
    add_heading_lines(document, attachment=spec.attachment, title=title, size=head, attachment_size=small)
    table = _render_rows(document, rows, widths, body)
    if compact:
        for row in table.rows:
            keep_row_whole(row)
    add_note(document, spec.note, size=body if compact else XIAOSI)
    return to_bytes(document)


# --------------------------------------------------------------------------
# The pledge to sign and stamp

_SENTENCE_END = ("。", "！", "!", "；")


def fill_body(body: str, *, title: str, entrant: str) -> list[str]:
    """The pledge's lines with 《{title}》 and {entrant} filled; blanks stay for what is signed by hand."""
    text = body.format(title=xml_safe(title) or BLANK_TITLE, entrant=xml_safe(entrant))
    return [line.rstrip() for line in xml_safe(text).strip("\n").split("\n")]


def pledge_document(work: Work, spec: DocumentSpec) -> bytes:
    """版权承诺书 from the notice's text, ready to print, sign or stamp, and scan."""
    rules = work.campaign.rules
    title = document_title(rules, spec)
    document = new_document(title=title)
    add_heading_lines(document, attachment=spec.attachment, title=title, size=XIAOER, attachment_size=SIHAO)
    lines = fill_body(spec.body, title=work.title, entrant=work.entrant.name)
    # The trailing lines that end no sentence (承诺单位、盖章、年月日) are the signature block.
    split = len(lines)
    while split > 0 and not lines[split - 1].endswith(_SENTENCE_END):
        split -= 1
    width = usable_width_pt(document)
    for line in lines[:split]:
        if line.strip():
            paragraph = add_text(document, line.strip(), size=SIHAO, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
                                 first_line_indent=2 * SIHAO)
            paragraph.paragraph_format.line_spacing = Pt(28)
    if split < len(lines):
        add_text(document, "", size=SIHAO)
    for line in lines[split:]:
        paragraph = add_text(document, line, size=SIHAO, left_indent=width * 0.45)
        paragraph.paragraph_format.line_spacing = Pt(30)
    return to_bytes(document)


# --------------------------------------------------------------------------
# Lists: one row per work


_WIDTH_WEIGHTS = {
    "work.index": 0.8, "title": 4.0, "duration": 1.6, "entrant": 3.2, "entrant.name": 3.0,
    "entrant.unit": 3.0, "entrant.kind": 1.2, "broadcast": 4.4, "text": 2.4, "phone": 2.4,
    "url": 3.4, "choice": 1.8, "textarea": 6.0, "people": 5.0, "submission.date": 2.2, "state": 1.8,
}


@dataclass(frozen=True)
class ListColumn:
    label: str
    item: LayoutItem | None = None  # None: the work's state

    def weight(self, rules: RuleSet) -> float:
        if self.item is None:
            return _WIDTH_WEIGHTS["state"]
        if self.item.sources == ["form.title"]:
            return _WIDTH_WEIGHTS["title"]
        return max(_WIDTH_WEIGHTS.get(_source_type(rules, s), 2.4) for s in self.item.sources)


def entrant_list_spec(rules: RuleSet) -> DocumentSpec | None:
    """The notice's per-entrant list (Chongqing 附件3 作品汇总表), if the campaign has one."""
    return next((d for d in rules.documents
                 if d.source == "generated" and d.per == "entrant" and d.layout), None)


def summary_columns(rules: RuleSet) -> list[ListColumn]:
    """The columns of the organiser's list across all entrants.

    The notice's own list where it has one; otherwise the short rows of the form
    (作品名称, 报送单位, 联系人, 联系电话, 报送日期 …), long texts being for the forms.
    """
    spec = entrant_list_spec(rules)
    if spec is not None:
        columns = [ListColumn(item.label, item) for item in spec.layout]
    else:
        entrant_label = "报送单位" if rules.entrants.kinds == ["unit"] else "报送主体"
        items = [LayoutItem(label="序号", sources=["work.index"]),
                 LayoutItem(label=rules.form.get("title").label, sources=["form.title"]),
                 LayoutItem(label=entrant_label, sources=["entrant"])]
        if rules.admits("individual"):
            items.append(LayoutItem(label="所在单位", sources=["entrant.unit"]))
        for form_field in rules.form.fields:
            if form_field.key != "title" and form_field.type in ("duration", "broadcast", "text", "phone"):
                items.append(LayoutItem(label=form_field.label, sources=[f"form.{form_field.key}"]))
        items.append(LayoutItem(label="报送日期", sources=["submission.date"]))
        columns = [ListColumn(item.label, item) for item in items]
    return [*columns, ListColumn(STATE_HEADER)]


def list_row(columns: Sequence[ListColumn], rules: RuleSet, work: Work, index: int) -> list[list[str]]:
    row = []
    for column in columns:
        if column.item is None:
            row.append([str(work.get_state_display())])
        else:
            row.append(item_value(column.item, rules, work, work.entrant, index=index, listing=True))
    return row


def list_document(rules: RuleSet, *, title: str, attachment: str, columns: Sequence[ListColumn],
                  rows: Sequence[Sequence[Sequence[str]]], note: str = "", subtitle: str = "") -> bytes:
    """A table with a row per work, landscape so that titles and links stay readable."""
    document = new_document(landscape=True, size=XIAOSI, title=title)
    add_heading_lines(document, attachment=attachment, title=title, size=XIAOER, attachment_size=SIHAO,
                      subtitle=subtitle)
    total = usable_width_pt(document)
    weights = [c.weight(rules) for c in columns]
    widths = [total * w / sum(weights) for w in weights]
    body = XIAOSI if len(columns) <= 7 else WUHAO
    table = document.add_table(rows=1 + max(len(rows), 1), cols=len(columns))
    set_table_frame(table, widths)
    header = table.rows[0]
    repeat_header(header)
    for cell, column in zip(header.cells, columns, strict=True):
        fill_cell(cell, [column.label], size=body, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for r_index, values in enumerate(rows, start=1):
        row = table.rows[r_index]
        if sum(len(v) for v in values) < 12:
            keep_row_whole(row)
        for c_index, (cell, lines) in enumerate(zip(row.cells, values, strict=True)):
            align = WD_ALIGN_PARAGRAPH.CENTER if c_index == 0 else WD_ALIGN_PARAGRAPH.LEFT
            fill_cell(cell, lines, size=body, align=align)
    for row in table.rows:
        row.height = Pt(body * LINE_FACTOR + 2 * CELL_MARGIN_Y + body * 0.8)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    add_note(document, note, size=body)
    return to_bytes(document)


def list_workbook(sheet_name: str, columns: Sequence[ListColumn], rows: Iterable[Sequence[Sequence[str]]],
                  rules: RuleSet) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(xml_safe(sheet_name)[:31] or "Sheet1")
    for number, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = max(6, round(column.weight(rules) * 8))
    sheet.append([sheet_cell(sheet, c.label, bold=True) for c in columns])
    for row in rows:
        values: list[Any] = ["\n".join(lines) for lines in row]
        if values and values[0].isdigit():
            values[0] = int(values[0])
        sheet.append([sheet_cell(sheet, v) for v in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------
# What the rest of the platform calls


def entrant_works(entrant: Entrant) -> list[Work]:
    """An entrant's works for its own lists: everything it has not withdrawn."""
    return list(entrant.works.exclude(state=WorkState.WITHDRAWN).select_related("entrant", "campaign")
                .order_by("created_at", "pk"))


def campaign_works(campaign: Campaign, states: Sequence[str] | None = None) -> list[Work]:
    """The organiser's works, handed in unless ``states`` says otherwise, entrant by entrant."""
    chosen = list(states) if states is not None else list(HANDED_IN_STATES)
    return list(Work.objects.filter(campaign=campaign, state__in=chosen)
                .select_related("entrant", "campaign")
                .order_by("entrant__kind", "entrant__name", "entrant_id", "created_at", "pk"))


def _docx_name(label: str, subject: str, suffix: str = ".docx") -> str:
    return f"{label}-{subject}{suffix}"


def work_document_specs(rules: RuleSet) -> list[DocumentSpec]:
    """What a work's 「下载表格」 lists: its generated forms, then the pledges to print."""
    generated = [d for d in rules.documents if d.source == "generated" and d.per == "work"]
    pledges = [d for d in rules.documents if d.source == "upload" and d.body]
    return generated + pledges


def entrant_document_specs(rules: RuleSet) -> list[DocumentSpec]:
    return [d for d in rules.documents if d.source == "generated" and d.per == "entrant"]


def work_document(work: Work, key: str) -> GeneratedDocument | None:
    """One of a work's documents by its key, or None if the campaign has no such document."""
    rules = work.campaign.rules
    spec = next((d for d in work_document_specs(rules) if d.key == key), None)
    if spec is None:
        return None
    content = form_document(work, spec) if spec.source == "generated" else pledge_document(work, spec)
    return GeneratedDocument(key=spec.key, label=spec.label, file_name=_docx_name(spec.label, str(work)),
                             content=content)


def work_documents(work: Work) -> list[GeneratedDocument]:
    """Every per-work form of the campaign and every pledge to print, filled for this work."""
    documents = [work_document(work, spec.key) for spec in work_document_specs(work.campaign.rules)]
    return [d for d in documents if d is not None]


def _entrant_list(entrant: Entrant, spec: DocumentSpec) -> bytes:
    rules = entrant.campaign.rules
    columns = [ListColumn(item.label, item) for item in spec.layout]
    rows = [list_row(columns, rules, work, index) for index, work in enumerate(entrant_works(entrant), 1)]
    return list_document(rules, title=document_title(rules, spec), attachment=spec.attachment,
                         columns=columns, rows=rows, note=spec.note)


def entrant_document(entrant: Entrant, key: str) -> GeneratedDocument | None:
    spec = next((d for d in entrant_document_specs(entrant.campaign.rules) if d.key == key), None)
    if spec is None:
        return None
    return GeneratedDocument(key=spec.key, label=spec.label, file_name=_docx_name(spec.label, entrant.name),
                             content=_entrant_list(entrant, spec) if spec.layout else b"")


def entrant_documents(entrant: Entrant) -> list[GeneratedDocument]:
    """The per-entrant documents (Chongqing 附件3 作品汇总表) listing the entrant's works."""
    specs = entrant_document_specs(entrant.campaign.rules)
    documents = [entrant_document(entrant, spec.key) for spec in specs]
    return [d for d in documents if d is not None and d.content]


SUMMARY_LABEL = "作品汇总表"


def _summary_label(rules: RuleSet) -> str:
    spec = entrant_list_spec(rules)
    return spec.label if spec is not None else SUMMARY_LABEL


def _summary_rows(campaign: Campaign, columns: Sequence[ListColumn],
                  works: Sequence[Work]) -> list[list[list[str]]]:
    rules = campaign.rules
    return [list_row(columns, rules, work, index) for index, work in enumerate(works, start=1)]


def _states_line(states: Sequence[str] | None) -> str:
    chosen = list(states) if states is not None else list(HANDED_IN_STATES)
    return "、".join(str(WorkState(s).label) for s in chosen if s in WorkState.values)


def campaign_summary(campaign: Campaign, *, states: Sequence[str] | None = None) -> GeneratedDocument:
    """The organiser's list of every entrant's works, handed-in ones unless ``states`` says otherwise."""
    rules = campaign.rules
    columns = summary_columns(rules)
    works = campaign_works(campaign, states)
    label = _summary_label(rules)
    stamp = timezone.localtime(timezone.now(), rules.zone).strftime("%Y-%m-%d %H:%M")
    subtitle = f"（共 {len(works)} 件；{_states_line(states)}；{stamp}）"
    spec = entrant_list_spec(rules)
    content = list_document(rules, title=f"{rules.title}{label}", attachment="", columns=columns,
                            rows=_summary_rows(campaign, columns, works), subtitle=subtitle,
                            note=spec.note if spec is not None else "")
    return GeneratedDocument(key="campaign_summary", label=label,
                             file_name=_docx_name(label, rules.short_title), content=content)


def campaign_summary_xlsx(campaign: Campaign, *, states: Sequence[str] | None = None) -> GeneratedDocument:
    rules = campaign.rules
    columns = summary_columns(rules)
    label = _summary_label(rules)
    rows = _summary_rows(campaign, columns, campaign_works(campaign, states))
    content = list_workbook(label, columns, rows, rules)
    return GeneratedDocument(key="campaign_summary", label=label,
                             file_name=_docx_name(label, rules.short_title, ".xlsx"), content=content)


def _entrant_columns(rules: RuleSet) -> list[ListColumn]:
    spec = entrant_list_spec(rules)
    if spec is not None:
        return [ListColumn(item.label, item) for item in spec.layout]
    return summary_columns(rules)


def entrant_summary(entrant: Entrant) -> GeneratedDocument:
    """The entrant's own list: the notice's 作品汇总表 where there is one, else the organiser's columns."""
    rules = entrant.campaign.rules
    spec = entrant_list_spec(rules)
    if spec is not None:
        document = entrant_document(entrant, spec.key)
        assert document is not None
        return document
    columns = summary_columns(rules)
    rows = [list_row(columns, rules, work, index) for index, work in enumerate(entrant_works(entrant), 1)]
    content = list_document(rules, title=f"{rules.title}{SUMMARY_LABEL}", attachment="", columns=columns,
                            rows=rows, subtitle=xml_safe(str(entrant)))
    return GeneratedDocument(key="entrant_summary", label=SUMMARY_LABEL,
                             file_name=_docx_name(SUMMARY_LABEL, entrant.name), content=content)


def entrant_summary_xlsx(entrant: Entrant) -> GeneratedDocument:
    rules = entrant.campaign.rules
    columns = _entrant_columns(rules)
    label = _summary_label(rules)
    rows = [list_row(columns, rules, work, index) for index, work in enumerate(entrant_works(entrant), 1)]
    return GeneratedDocument(key="entrant_summary", label=label,
                             file_name=_docx_name(label, entrant.name, ".xlsx"),
                             content=list_workbook(label, columns, rows, rules))

"""Reading the list of units an office already has: pasted from Excel or an .xlsx file.

Offices keep their unit lists in spreadsheets with headers of their own
wording and stray blank lines. We accept the columns in any order when a
header names them, or in the order 单位名称、联系人、联系电话、邮箱、报送上限
when there is none, and report every line we could not use.
"""

import re
import zipfile
from dataclasses import dataclass, field
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from guangying.submissions.text import clean_text

MAX_ROWS = 2000
MAX_XLSX_BYTES = 5 * 1024 * 1024
# What the parts of an .xlsx may unpack to: a unit list is far smaller, a zip bomb far larger.
MAX_XLSX_UNPACKED_BYTES = 50 * 1024 * 1024
COLUMNS = ["name", "contact_name", "contact_phone", "contact_email", "quota_max"]
HEADER_WORDS = {
    "name": ("单位名称", "报送单位", "单位", "名称", "单位全称", "unit", "name"),
    "contact_name": ("联系人", "联系人姓名", "contact"),
    "contact_phone": ("联系电话", "电话", "手机", "手机号", "联系方式", "phone", "tel"),
    "contact_email": ("邮箱", "电子邮箱", "电子邮件", "email", "e-mail", "mail"),
    "quota_max": ("报送上限", "上限", "数量", "名额", "报送数量", "quota"),
}
SPLIT = re.compile(r"\t|,|，|;|；|\|")


@dataclass
class UnitRow:
    line: int
    name: str
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    quota_max: int | None = None


@dataclass
class ImportResult:
    rows: list[UnitRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _header_word(cell: str) -> str:
    """A header cell without decoration: 「单位名称（全称）*」 → 「单位名称」."""
    text = re.sub(r"[（(][^）)]*[）)]", "", cell)
    return re.sub(r"[\s*＊:：]", "", text).lower()


def _header_map(cells: list[str]) -> dict[int, str] | None:
    """Columns named by a header row; a data row never matches a header word exactly."""
    mapping: dict[int, str] = {}
    for index, cell in enumerate(cells):
        word = _header_word(cell)
        for key, words in HEADER_WORDS.items():
            if key not in mapping.values() and word in words:
                mapping[index] = key
                break
    return mapping if "name" in mapping.values() else None


def _rows_from_cells(table: list[tuple[int, list[str]]]) -> ImportResult:
    result = ImportResult()
    if not table:
        result.problems.append(_("没有读到任何单位。"))
        return result
    mapping = _header_map(table[0][1])
    if mapping is not None:
        table = table[1:]
    else:
        mapping = dict(enumerate(COLUMNS))
    seen: set[str] = set()
    for line, cells in table:
        values = {key: clean_text(cells[i], multiline=False) if i < len(cells) else ""
                  for i, key in mapping.items()}
        name = values.get("name", "")
        if not any(values.values()):
            continue
        if not name:
            result.problems.append(_("第 %(line)s 行：缺少单位名称，已跳过。") % {"line": line})
            continue
        if len(name) > 200:
            result.problems.append(_("第 %(line)s 行：单位名称超过 200 字，已跳过。") % {"line": line})
            continue
        if name in seen:
            result.problems.append(
                _("第 %(line)s 行：「%(name)s」在名单中重复，已跳过。") % {"line": line, "name": name}
            )
            continue
        row = UnitRow(line=line, name=name, contact_name=values.get("contact_name", "")[:50],
                      contact_phone=values.get("contact_phone", "")[:30])
        email = values.get("contact_email", "")
        if email:
            try:
                validate_email(email)
                row.contact_email = email.lower()
            except ValidationError:
                result.problems.append(
                    _("第 %(line)s 行：邮箱「%(email)s」格式不对，已留空。")
                    % {"line": line, "email": email}
                )
        quota = values.get("quota_max", "")
        if quota:
            if quota.isdigit() and 0 < int(quota) <= 1000:
                row.quota_max = int(quota)
            else:
                result.problems.append(
                    _("第 %(line)s 行：报送上限「%(quota)s」不是 1—1000 的整数，按活动规则。")
                    % {"line": line, "quota": quota}
                )
        if len(result.rows) >= MAX_ROWS:
            result.problems.append(
                _("一次最多导入 %(max)s 个单位，第 %(line)s 行起未读取。") % {"max": MAX_ROWS, "line": line}
            )
            break
        seen.add(name)
        result.rows.append(row)
    if not result.rows and not result.problems:
        result.problems.append(_("没有读到任何单位。"))
    return result


def parse_pasted(text: str) -> ImportResult:
    """One unit a line; columns separated by tabs (as Excel copies them), or else commas."""
    table = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip():
            continue
        # Excel copies cells with tabs; then a comma belongs to the cell's text.
        cells = [c.strip() for c in (raw.split("\t") if "\t" in raw else SPLIT.split(raw))]
        table.append((number, cells))
    return _rows_from_cells(table)


def parse_xlsx(stream: BinaryIO, size: int) -> ImportResult:
    """The first sheet of an .xlsx workbook, read without formulas or macros."""
    from openpyxl import load_workbook

    if size == 0:
        return ImportResult(problems=[_("文件是空的（0 字节）。")])
    if size > MAX_XLSX_BYTES:
        return ImportResult(problems=[_("Excel 文件超过 5 MB，请只保留单位名单后再上传。")])
    head = stream.read(4)
    stream.seek(0)
    if head != b"PK\x03\x04":
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            return ImportResult(
                problems=[_("这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后上传。")]
            )
        return ImportResult(problems=[_("不是有效的 Excel（.xlsx）文件。")])
    try:
        with zipfile.ZipFile(stream) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return ImportResult(problems=[_("无法读取这个 Excel 文件，文件可能已损坏。")])
    stream.seek(0)
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        return ImportResult(problems=[_("Excel 文件解压后超过 50 MB，请只保留单位名单后再上传。")])
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        return ImportResult(problems=[_("无法读取这个 Excel 文件，文件可能已损坏。")])
    except Exception:  # openpyxl raises many kinds on hostile archives
        return ImportResult(problems=[_("无法读取这个 Excel 文件，文件可能已损坏。")])
    try:
        sheet = workbook.worksheets[0]
        table = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = ["" if v is None else str(int(v) if isinstance(v, float) and v.is_integer()
                                               else v) for v in row[:20]]
            if any(c.strip() for c in cells):
                table.append((number, cells))
                if len(table) > MAX_ROWS + 1:  # a header, the limit, and one more to report
                    break
    finally:
        workbook.close()
    return _rows_from_cells(table)

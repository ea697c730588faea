"""The list of units an office pastes from Excel or uploads as .xlsx, and the units page."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from guangying.campaigns.forms import UnitImportForm
from guangying.campaigns.models import Entrant
from guangying.campaigns.unit_import import MAX_ROWS, ImportResult, parse_pasted, parse_xlsx

HEADER = "单位名称\t联系人\t联系电话\t邮箱\t报送上限"
ROW_1 = "长川市委统战部\t李明远\t13800001101\tunit1@example.org\t8"
ROW_2 = "明德大学党委统战部\t陈思雨\t13800001102\t\t6"


def names(result: ImportResult) -> list[str]:
    return [row.name for row in result.rows]


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read_xlsx(data: bytes) -> ImportResult:
    return parse_xlsx(io.BytesIO(data), len(data))


# --------------------------------------------------------------------------
# Pasted text


@pytest.mark.parametrize("text", [f"{HEADER}\n{ROW_1}\n{ROW_2}", f"{ROW_1}\n{ROW_2}"],
                         ids=["with header", "without header"])
def test_tab_separated_rows_with_and_without_a_header(text: str) -> None:
    result = parse_pasted(text)
    assert result.problems == []
    first, second = result.rows
    assert (first.name, first.contact_name, first.contact_phone, first.contact_email,
            first.quota_max) == ("长川市委统战部", "李明远", "13800001101", "unit1@example.org", 8)
    assert (second.name, second.contact_email, second.quota_max) == ("明德大学党委统战部", "", 6)


def test_a_header_in_another_order_and_its_own_wording() -> None:
    text = ("邮箱\t报送数量\t单位名称（全称）*\t联系人姓名\n"
            "a@example.org\t5\t楚光科技集团党委统战部\t张文博\n"
            "\t\t东湖示范医院党委统战部\t")
    result = parse_pasted(text)
    assert result.problems == []
    assert names(result) == ["楚光科技集团党委统战部", "东湖示范医院党委统战部"]
    first = result.rows[0]
    assert (first.contact_email, first.quota_max, first.contact_name) == ("a@example.org", 5, "张文博")
    assert result.rows[0].line == 2  # lines are counted as the office sees them, header included


def test_a_first_unit_whose_name_contains_a_header_word_is_not_taken_for_a_header() -> None:
    result = parse_pasted("市直机关单位党工委\t张三\n长川市委统战部\t李四")
    assert names(result) == ["市直机关单位党工委", "长川市委统战部"]


def test_full_width_commas_and_semicolons_separate_columns() -> None:
    result = parse_pasted("长川市委统战部，李明远，13800001101，unit1@example.org，8\n"
                          "明德大学党委统战部；陈思雨；13800001102")
    assert result.problems == []
    assert [(r.name, r.contact_name, r.contact_phone) for r in result.rows] == [
        ("长川市委统战部", "李明远", "13800001101"), ("明德大学党委统战部", "陈思雨", "13800001102")]
    assert result.rows[0].quota_max == 8


def test_a_comma_inside_a_tab_separated_cell_stays_in_the_name() -> None:
    """Excel copies cells with tabs; a unit's name may itself hold a comma."""
    result = parse_pasted("湖北大学（文学院，新闻学院）\t张三\t13800001103")
    assert result.problems == []
    row = result.rows[0]
    assert (row.name, row.contact_name, row.contact_phone) == (
        "湖北大学（文学院，新闻学院）", "张三", "13800001103")


def test_blank_lines_and_blank_cells_are_skipped_silently() -> None:
    result = parse_pasted(f"\n\n{ROW_1}\n   \n\t\t\t\n\r\n{ROW_2}\n\n")
    assert result.problems == []
    assert names(result) == ["长川市委统战部", "明德大学党委统战部"]
    assert [r.line for r in result.rows] == [3, 7]


def test_a_duplicate_name_is_reported_once_and_kept_once() -> None:
    result = parse_pasted(f"{ROW_1}\n{ROW_2}\n长川市委统战部\t别人")
    assert names(result) == ["长川市委统战部", "明德大学党委统战部"]
    assert result.rows[0].contact_name == "李明远"  # the first line wins
    assert result.problems == ["第 3 行：「长川市委统战部」在名单中重复，已跳过。"]


def test_a_row_without_a_name_is_reported_with_its_line() -> None:
    result = parse_pasted(f"{ROW_1}\n\t王五\t13800001104")
    assert names(result) == ["长川市委统战部"]
    assert result.problems == ["第 2 行：缺少单位名称，已跳过。"]


def test_a_bad_email_is_reported_and_left_empty_but_the_unit_is_kept() -> None:
    result = parse_pasted("长川市委统战部\t李明远\t13800001101\tunit1@@example\t8")
    assert names(result) == ["长川市委统战部"]
    assert result.rows[0].contact_email == ""
    assert result.rows[0].quota_max == 8
    assert result.problems == ["第 1 行：邮箱「unit1@@example」格式不对，已留空。"]


def test_an_email_is_stored_in_lower_case() -> None:
    assert parse_pasted("长川市委统战部\t\t\tUnit1@Example.ORG").rows[0].contact_email == \
        "unit1@example.org"


@pytest.mark.parametrize("quota", ["八", "0", "-3", "2.5", "1001", "99999999999999999999"])
def test_a_bad_quota_falls_back_to_the_campaign_rule(quota: str) -> None:
    result = parse_pasted(f"长川市委统战部\t\t\t\t{quota}")
    assert names(result) == ["长川市委统战部"]
    assert result.rows[0].quota_max is None
    assert result.problems == [f"第 1 行：报送上限「{quota}」不是 1—1000 的整数，按活动规则。"]


def test_the_limit_is_two_thousand_units_and_the_rest_is_reported() -> None:
    exactly = parse_pasted("\n".join(f"单位{i:04d}" for i in range(MAX_ROWS)))
    assert len(exactly.rows) == MAX_ROWS == 2000
    assert exactly.problems == []  # nothing was left out, so nothing to report

    over = parse_pasted("\n".join(f"单位{i:04d}" for i in range(MAX_ROWS + 1)))
    assert len(over.rows) == MAX_ROWS
    assert over.rows[-1].name == "单位1999"
    assert over.problems == ["一次最多导入 2000 个单位，第 2001 行起未读取。"]


@pytest.mark.parametrize("text", ["", "   \n\n\t\n"])
def test_nothing_to_read_says_so(text: str) -> None:
    assert parse_pasted(text).problems == ["没有读到任何单位。"]


def test_a_header_alone_says_there_are_no_units() -> None:
    result = parse_pasted(HEADER)
    assert result.rows == []
    assert result.problems == ["没有读到任何单位。"]


def test_hostile_strings_are_cleaned_or_refused() -> None:
    text = "\n".join([
        "<script>alert(1)</script>",
        "\u202e部战统委市川长\u202c",  # a right-to-left override hiding the real order
        "明德\u200b大学\ufeff\x00\x07",  # zero-width and control characters
        "=HYPERLINK(\"http://bad.example\",\"点我\")",
        "甲" * 201,
        "'; DROP TABLE campaigns_entrant; --",
        "  \u3000全角空格单位\u3000  ",
    ])
    result = parse_pasted(text)
    assert names(result) == [
        "<script>alert(1)</script>",
        "部战统委市川长",
        "明德大学",
        "=HYPERLINK(\"http://bad.example\"",  # the comma separates columns; the rest is a contact
        "'",
        "全角空格单位",
    ]
    assert result.problems == ["第 5 行：单位名称超过 200 字，已跳过。"]


# --------------------------------------------------------------------------
# .xlsx files


def test_an_xlsx_made_with_openpyxl() -> None:
    data = xlsx_bytes([
        ["单位名称", "联系人", "联系电话", "邮箱", "报送上限"],
        ["长川市委统战部", "李明远", 13800001101, "unit1@example.org", 8],
        [None, None, None, None, None],
        ["明德大学党委统战部", "陈思雨", "13800001102", None, 6.0],
    ])
    result = read_xlsx(data)
    assert result.problems == []
    first, second = result.rows
    assert (first.name, first.contact_phone, first.quota_max) == ("长川市委统战部", "13800001101", 8)
    assert (second.name, second.line, second.quota_max) == ("明德大学党委统战部", 4, 6)


def test_an_xlsx_over_the_limit_reports_the_rest() -> None:
    data = xlsx_bytes([["单位名称"], *[[f"单位{i:04d}"] for i in range(MAX_ROWS + 1)]])
    result = read_xlsx(data)
    assert len(result.rows) == MAX_ROWS
    assert result.problems == ["一次最多导入 2000 个单位，第 2002 行起未读取。"]


def test_a_formula_cell_is_not_evaluated_or_imported_as_text() -> None:
    data = xlsx_bytes([
        ["单位名称", "联系人", "报送上限"],
        ['=CONCAT("长川","市委")', "李明远", "=2+3"],
        ["明德大学党委统战部", "=A2", 6],
    ])
    result = read_xlsx(data)
    assert names(result) == ["明德大学党委统战部"]
    assert result.rows[0].contact_name == ""
    assert result.problems == ["第 2 行：缺少单位名称，已跳过。"]


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


BROKEN = "无法读取这个 Excel 文件，文件可能已损坏。"


@pytest.mark.parametrize(("data", "problem"), [
    (b"", "文件是空的（0 字节）。"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504,
     "这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后上传。"),
    ("单位名称,联系人\n长川市委统战部,李明远\n".encode(), "不是有效的 Excel（.xlsx）文件。"),
    (b"PK\x03\x04" + b"\x00garbage" * 64, BROKEN),
    (zip_bytes({"readme.txt": "不是工作簿".encode()}), BROKEN),
    (zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<not-a-workbook"}),
     BROKEN),
], ids=["empty", "xls", "text renamed", "corrupt zip", "zip without workbook", "broken parts"])
def test_files_that_are_not_a_usable_xlsx(data: bytes, problem: str) -> None:
    result = read_xlsx(data)
    assert result.rows == []
    assert result.problems == [problem]


def test_a_truncated_xlsx_is_refused() -> None:
    data = xlsx_bytes([["单位名称"], ["长川市委统战部"]])
    result = read_xlsx(data[: len(data) // 2])
    assert result.rows == []
    assert result.problems == [BROKEN]


def test_a_file_that_unpacks_to_a_huge_size_is_refused_before_it_is_read() -> None:
    """A few hundred kilobytes of zeros can unpack to gigabytes (a "zip bomb")."""
    workbook = xlsx_bytes([["单位名称"], ["长川市委统战部"]])
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members["xl/media/padding.bin"] = b"\0" * (60 * 1024 * 1024)
    data = zip_bytes(members)
    assert len(data) < 1024 * 1024
    result = read_xlsx(data)
    assert result.rows == []
    assert result.problems == ["Excel 文件解压后超过 50 MB，请只保留单位名单后再上传。"]


def test_an_xlsx_over_five_megabytes_is_refused_unread() -> None:
    result = parse_xlsx(io.BytesIO(b"PK\x03\x04"), 5 * 1024 * 1024 + 1)
    assert result.problems == ["Excel 文件超过 5 MB，请只保留单位名单后再上传。"]


# --------------------------------------------------------------------------
# The units page over HTTP


PASTE = "\n".join([
    HEADER,
    "长川市委统战部\t李明远\t13800001101\tunit1@example.org\t8",
    "明德大学党委统战部\t陈思雨\t13800001102\t\t",
    "楚光科技集团党委统战部\t张文博\t13800001103\tUnit3@Example.org\t",
    "东湖示范医院党委统战部\t刘晓岚\t13800001104\tnot-an-address\t",
])


@pytest.fixture
def units_url(hubei) -> str:
    return reverse("campaigns:units", args=[hubei.slug])


def test_pasting_units_creates_them_with_links_and_mails_the_ones_with_an_address(
    client, organiser, hubei, units_url, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(units_url, {"pasted": PASTE, "send_emails": "on"})
    assert response.status_code == 200
    units = {e.name: e for e in hubei.entrants.all()}
    assert set(units) == {"长川市委统战部", "明德大学党委统战部", "楚光科技集团党委统战部",
                          "东湖示范医院党委统战部"}
    tokens = {e.invitation_token for e in units.values()}
    assert len(tokens) == 4 and all(len(t) >= 32 for t in tokens)
    assert all(e.invitation_active and e.kind == Entrant.Kind.UNIT for e in units.values())
    assert units["长川市委统战部"].quota_max == 8
    assert units["长川市委统战部"].created_by == organiser

    assert sorted(m.to[0] for m in mailoutbox) == ["unit1@example.org", "unit3@example.org"]
    for message in mailoutbox:
        unit = next(e for e in units.values() if e.contact_email == message.to[0])
        assert hubei.title in message.subject
        assert unit.name in message.body
        assert f"/c/join/{unit.invitation_token}/" in message.body
        unit.refresh_from_db()
        assert unit.invited_at is not None
    assert units["明德大学党委统战部"].invited_at is None

    page = response.content.decode()
    assert "新增 4 个单位" in page
    assert "第 5 行：邮箱「not-an-address」格式不对，已留空。" in page

    # The same list again: nothing new, no second e-mail, and the page says why.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(units_url, {"pasted": PASTE, "send_emails": "on"})
    assert again.status_code == 200
    assert hubei.entrants.count() == 4
    assert {e.invitation_token for e in hubei.entrants.all()} == tokens
    assert len(mailoutbox) == 2
    assert "新增 0 个单位" in again.content.decode()
    assert "已存在、未重复添加：长川市委统战部、明德大学党委统战部" in again.content.decode()


def test_no_emails_when_the_box_is_unticked(
    client, organiser, hubei, units_url, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(units_url, {"pasted": PASTE})
    assert hubei.entrants.count() == 4
    assert mailoutbox == []


def test_uploading_an_xlsx_on_the_units_page(client, organiser, hubei, units_url) -> None:
    client.force_login(organiser)
    upload = SimpleUploadedFile("单位名单.xlsx", xlsx_bytes([
        ["联系人", "单位名称"], ["李明远", "长川市委统战部"], ["陈思雨", "明德大学党委统战部"]]))
    response = client.post(units_url, {"spreadsheet": upload})
    assert response.status_code == 200
    assert sorted(hubei.entrants.values_list("name", "contact_name")) == [
        ("明德大学党委统战部", "陈思雨"), ("长川市委统战部", "李明远")]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("名单.xlsx", b"", "所提交的是空文件。"),
    ("名单.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "这是旧版 Excel（.xls）文件"),
    ("名单.xlsx", "长川市委统战部".encode(), "不是有效的 Excel（.xlsx）文件。"),
])
def test_a_bad_spreadsheet_on_the_units_page_adds_nothing_and_says_why(
    client, organiser, hubei, units_url, name: str, content: bytes, message: str
) -> None:
    client.force_login(organiser)
    response = client.post(units_url, {"spreadsheet": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert hubei.entrants.count() == 0
    page = response.content.decode()
    assert message in page
    assert "请粘贴单位名单或选择一个 Excel 文件。" not in page  # a file was chosen


def test_an_empty_form_is_refused_in_chinese(client, organiser, hubei, units_url) -> None:
    client.force_login(organiser)
    response = client.post(units_url, {"pasted": "  \n "})
    assert "请粘贴单位名单或选择一个 Excel 文件。" in response.content.decode()
    assert hubei.entrants.count() == 0


def test_hostile_names_are_shown_as_text_on_the_units_page(client, organiser, hubei, units_url) -> None:
    client.force_login(organiser)
    client.post(units_url, {"pasted": "<script>alert(1)</script>\n<img src=x onerror=alert(2)>"})
    assert hubei.entrants.filter(name="<script>alert(1)</script>").exists()
    page = client.get(units_url).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# ---- the problems follow the reader's language


def test_problems_are_in_chinese_by_default_and_in_english_when_asked() -> None:
    pasted = f"{HEADER}\n\t李明远\n{ROW_1}\n{ROW_1}\n明德大学党委统战部\t\t\tnot-an-email"
    assert parse_pasted(pasted).problems == [
        "第 2 行：缺少单位名称，已跳过。",
        "第 4 行：「长川市委统战部」在名单中重复，已跳过。",
        "第 5 行：邮箱「not-an-email」格式不对，已留空。",
    ]
    with translation.override("en"):
        assert parse_pasted(pasted).problems == [
            "Row 2: the unit name is missing; skipped.",
            "Row 4: “长川市委统战部” appears more than once in the list; skipped.",
            "Row 5: the email address “not-an-email” is not valid; left blank.",
        ]
    assert parse_pasted("").problems == ["没有读到任何单位。"]


def test_file_problems_are_in_english_when_asked() -> None:
    with translation.override("en"):
        assert parse_xlsx(io.BytesIO(b""), 0).problems == ["The file is empty (0 bytes)."]
        assert parse_xlsx(io.BytesIO(b"not a workbook"), 14).problems == [
            "This is not a valid Excel file (.xlsx)."
        ]
    assert parse_xlsx(io.BytesIO(b"not a workbook"), 14).problems == ["不是有效的 Excel（.xlsx）文件。"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_placeholder_header_is_read_as_a_header_in_either_language(language) -> None:
    with translation.override(language):
        header = str(UnitImportForm().fields["pasted"].widget.attrs["placeholder"])
    result = parse_pasted(f"{header}\n{ROW_1}")
    assert names(result) == ["长川市委统战部"]
    assert result.rows[0].contact_email == "unit1@example.org"
    assert result.rows[0].quota_max == 8

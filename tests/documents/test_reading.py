"""Filled forms read back: the notices' own tables, filled in Word as units fill them.

The blank forms below follow the notices' 附件1 row by row (labels, line breaks inside
labels, the instruction text left in the cells, merged cells, boxes drawn with the
Wingdings font). Each test then fills one as a unit would — editing the .docx with
python-docx: typing after 「单位（名称）:」, ticking a box with ☑ or √, spacing a label
out — and reads it back.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from guangying.documents.reading import (
    MAX_FILE_BYTES,
    FormUnreadable,
    document_text,
    parse_broadcast,
    parse_duration,
    parse_people,
    read_form,
)
from guangying.rulesets import dump_ruleset, load_preset, parse_ruleset

CHONGQING = load_preset("chongqing-2026-hongse")
HUBEI = load_preset("hubei-2026-weiguang")

# --------------------------------------------------------------------------
# The notices' blank tables


def _sym(paragraph, char: str, font: str = "Wingdings") -> None:
    run = paragraph.add_run()
    element = OxmlElement("w:sym")
    element.set(qn("w:font"), font)
    element.set(qn("w:char"), char)
    run._r.append(element)


def _lines(cell, text: str) -> None:
    """A cell's text as paragraphs, one per line, as Word stores what was typed with Enter."""
    lines = text.split("\n")
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def to_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def blank_chongqing() -> bytes:
    """附件1 作品登记表 of the Chongqing notice, as it is printed there."""
    document = docx.Document()
    document.add_paragraph("附件1")
    document.add_paragraph("“红色光影 英雄重庆”党史短视频")
    document.add_paragraph("征集展播活动作品登记表")
    table = document.add_table(rows=7, cols=4)
    table.style = "Table Grid"
    table.cell(0, 0).text = "作品名称"
    table.cell(0, 2).text = "作品时长"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "参赛主体"
    table.cell(1, 1).merge(table.cell(1, 3)).text = "单位（名称）:"
    table.cell(2, 1).merge(table.cell(2, 3)).text = "个人（姓名）及单位:"
    table.cell(3, 0).text = "播出情况"
    boxes = table.cell(3, 1)
    first = boxes.paragraphs[0]
    _sym(first, "F0A8")
    first.add_run("已播出")
    second = boxes.add_paragraph()
    _sym(second, "F0A8")
    second.add_run("未播出")
    _lines(table.cell(3, 2), "播出平台\n及链接")
    table.cell(4, 0).text = "联系人"
    table.cell(4, 2).text = "联系电话"
    table.cell(5, 0).text = "作品创作团队情况（100字以内）"
    table.cell(5, 1).merge(table.cell(5, 3)).text = "含作品导演、编剧、摄像、后期人员姓名、单位等简要介绍"
    _lines(table.cell(6, 0), "作品简介\n（150字以内）")
    table.cell(6, 1).merge(table.cell(6, 3)).text = (
        "含作品基本信息、核心内容、创作背景、艺术特色、社会影响等简要介绍。")
    document.add_paragraph("本表格单页打印，不加页。")
    return to_bytes(document)


def blank_hubei() -> bytes:
    """附件1 作品信息表 of the Hubei notice, labels broken where the notice breaks them."""
    document = docx.Document()
    document.add_paragraph("附件 1")
    document.add_paragraph("“微光映同心”微视频专题宣传活动作品信息表")
    rows = [
        ("项目", "填写内容"),
        ("作品名称", "(请填写完整作品名称, 与视频文件命名一致)"),
        ("报送单位", "(请填写完整单位名称, 与视频文件命名一致)"),
        ("主创人员\n信息", "1. 姓名: _____ 职务: _____ 联系方式: _____\n"
                       "2. 姓名: _____ 职务: _____ 联系方式: _____\n(多人可依次添加)"),
        ("作品简介\n(200 字以\n内)", "(简要说明作品主题、拍摄对象、核心内容)"),
        ("视频脚本\n内容", ""),
        ("报送单位\n联系人及\n电话", "联系人: _____ 联系电话: _____"),
        ("报送日期", ""),
    ]
    table = document.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for index, (label, value) in enumerate(rows):
        _lines(table.cell(index, 0), label)
        if value:
            _lines(table.cell(index, 1), value)
    document.add_paragraph("填写说明: 1.所有项目需如实、完整填写; 2.主创人员信息请填写核心创作人员"
                           "(如导演、编剧、拍摄、剪辑等); 3.作品简介需简洁明了, 突出作品核心亮点, "
                           "避免冗余表述。")
    return to_bytes(document)


# --------------------------------------------------------------------------
# Filling, as a unit does it in Word


def fill(data: bytes, edit: Callable[[object], None]) -> bytes:
    document = docx.Document(io.BytesIO(data))
    edit(document)
    return to_bytes(document)


def form_table(document):
    return document.tables[0]


def cell_right_of(document, label: str, *, row_offset: int = 0):
    """The cell a unit types into: right of the label (or in a later row of a merged label)."""
    table = form_table(document)
    for r, row in enumerate(table.rows):
        cells = row.cells
        for c, cell in enumerate(cells):
            if "".join(cell.text.split()).startswith(label):
                target_row = table.rows[r + row_offset].cells
                for later in target_row[c + 1:]:
                    if later._tc is not cell._tc:
                        return later
    raise AssertionError(f"no cell right of {label}")


def type_after(cell, text: str) -> None:
    """Typing at the end of what the cell already says (「单位（名称）:」 …)."""
    paragraph = cell.paragraphs[-1]
    paragraph.add_run(text)


def replace(cell, text: str) -> None:
    """Selecting the instruction and typing over it; Enter makes a new paragraph."""
    _lines(cell, text)


def tick_symbol(cell, option: str) -> None:
    """Insert ▸ Symbol: the Wingdings box before the option becomes the ticked box."""
    for paragraph in cell.paragraphs:
        if option in paragraph.text:
            paragraph._p.find(".//" + qn("w:sym")).set(qn("w:char"), "F0FE")


def boxes_as_text(cell, text: str) -> None:
    """The unit deletes the symbol boxes and types its own marks."""
    replace(cell, text)


def filled_chongqing(**changes: str) -> bytes:
    values = {
        "title": "一封家书", "duration": "4分30秒", "unit": "两江示范学院", "contact": "王联络",
        "phone": "13900000002", "team": "导演：赵一（示例文化中心）；摄像：钱二。",
        "synopsis": "以一封家书串起重庆地方党组织成立百年的故事。", **changes,
    }

    def edit(document) -> None:
        replace(cell_right_of(document, "作品名称"), values["title"])
        replace(cell_right_of(document, "作品时长"), values["duration"])
        type_after(cell_right_of(document, "参赛主体"), values["unit"])
        tick_symbol(cell_right_of(document, "播出情况"), "未播出")
        replace(cell_right_of(document, "联系人"), values["contact"])
        replace(cell_right_of(document, "联系电话"), values["phone"])
        replace(cell_right_of(document, "作品创作团队情况"), values["team"])
        replace(cell_right_of(document, "作品简介"), values["synopsis"])

    return fill(blank_chongqing(), edit)


def filled_hubei(**changes: str) -> bytes:
    values = {
        "title": "光谷里的党外专家", "unit": "长川市委统战部",
        "creators": "1. 姓名: 张小明 职务: 导演 联系方式: 13800000001\n"
                    "2. 姓名: 林晓婷 职务: 摄像 联系方式: 13800000003",
        "synopsis": "讲述一位党外专家扎根光谷、攻关光电子技术的故事。",
        "script": "第一场：清晨的实验室。\n第二场：夜里的讨论。",
        "contact": "联系人: 李联络 联系电话: 027-12345678", "date": "2026年7月20日", **changes,
    }

    def edit(document) -> None:
        replace(cell_right_of(document, "作品名称"), values["title"])
        replace(cell_right_of(document, "报送单位"), values["unit"])
        replace(cell_right_of(document, "主创人员信息"), values["creators"])
        replace(cell_right_of(document, "作品简介"), values["synopsis"])
        replace(cell_right_of(document, "视频脚本内容"), values["script"])
        replace(cell_right_of(document, "报送单位联系人及电话"), values["contact"])
        replace(cell_right_of(document, "报送日期"), values["date"])

    return fill(blank_hubei(), edit)


# --------------------------------------------------------------------------
# Chongqing 作品登记表


def test_a_chongqing_form_filled_in_the_notices_table_reads_back_whole() -> None:
    reading = read_form(filled_chongqing(), CHONGQING)
    assert reading.values == {
        "title": "一封家书",
        "duration": 270,
        "broadcast": {"status": "not_aired", "platform": "", "link": ""},
        "contact_name": "王联络",
        "contact_phone": "13900000002",
        "team": "导演：赵一（示例文化中心）；摄像：钱二。",
        "synopsis": "以一封家书串起重庆地方党组织成立百年的故事。",
    }
    assert (reading.entrant.name, reading.entrant.kind) == ("两江示范学院", "unit")
    assert reading.problems == []
    assert reading.looks_like_form and reading.document == "作品登记表"


def test_the_blank_notice_form_reads_as_nothing_filled_and_says_so_row_by_row() -> None:
    reading = read_form(blank_chongqing(), CHONGQING)
    assert reading.values == {}  # the instructions left in the cells are not a synopsis or a team
    assert reading.problems == [
        "作品名称：未填写", "作品时长：未填写", "参赛主体：未填写",
        "播出情况：没有勾选「已播出」或「未播出」", "联系人：未填写", "联系电话：未填写",
        "作品创作团队情况：未填写", "作品简介：未填写",
    ]


def test_aired_with_the_platform_and_link_in_the_next_cell() -> None:
    def edit(document) -> None:
        tick_symbol(cell_right_of(document, "播出情况"), "已播出")
        replace(cell_right_of(document, "播出平台"), "示例视频平台\nhttps://video.example.org/watch/1234")

    reading = read_form(fill(filled_chongqing(), edit), CHONGQING)
    # The unit ticked 已播出 but left 未播出's box as it was filled before: both ticked.
    assert "播出情况：「已播出」和「未播出」都勾选了" in reading.problems

    def edit_clean(document) -> None:
        boxes_as_text(cell_right_of(document, "播出情况"), "☑已播出\n□未播出")
        replace(cell_right_of(document, "播出平台"), "示例视频平台\nhttps://video.example.org/watch/1234")

    reading = read_form(fill(filled_chongqing(), edit_clean), CHONGQING)
    assert reading.values["broadcast"] == {
        "status": "aired", "platform": "示例视频平台", "link": "https://video.example.org/watch/1234"}
    assert reading.problems == []


@pytest.mark.parametrize(("written", "status"), [
    ("□已播出 ☑未播出", "not_aired"),
    ("☑已播出 □未播出", "aired"),
    ("■已播出 □未播出", "aired"),
    ("□已播出\n■未播出", "not_aired"),
    ("√已播出 □未播出", "aired"),
    ("□已播出 ✔未播出", "not_aired"),
    ("已播出(√) 未播出( )", "aired"),
    ("已播出（ ） 未播出（√）", "not_aired"),
    ("已播出 未播出√", "not_aired"),
    ("未播出", "not_aired"),  # the other option deleted
    ("☒未播出 ☐已播出", "not_aired"),  # a Word check-box content control
])
def test_box_styles_units_use(written: str, status: str) -> None:
    def edit(document) -> None:
        boxes_as_text(cell_right_of(document, "播出情况"), written)
        if status == "aired":
            replace(cell_right_of(document, "播出平台"), "示例平台 https://v.example.org/1")

    reading = read_form(fill(filled_chongqing(), edit), CHONGQING)
    assert reading.values["broadcast"]["status"] == status, reading.problems


def test_the_option_not_chosen_struck_through() -> None:
    def edit(document) -> None:
        cell = cell_right_of(document, "播出情况")
        replace(cell, "")
        paragraph = cell.paragraphs[0]
        paragraph.add_run("已播出").font.strike = True
        paragraph.add_run(" 未播出")

    reading = read_form(fill(filled_chongqing(), edit), CHONGQING)
    assert reading.values["broadcast"]["status"] == "not_aired"


def test_a_legacy_check_box_field_is_read_by_its_checked_state() -> None:
    """Developer ▸ Legacy tools ▸ Check box: a field whose state is in the XML, not in the text."""
    def checkbox(paragraph, checked: bool) -> None:
        run = paragraph.add_run()
        begin = OxmlElement("w:fldChar")
        begin.set(qn("w:fldCharType"), "begin")
        data = OxmlElement("w:ffData")
        box = OxmlElement("w:checkBox")
        default = OxmlElement("w:default")
        default.set(qn("w:val"), "1" if checked else "0")
        box.append(default)
        data.append(box)
        begin.append(data)
        run._r.append(begin)
        end = OxmlElement("w:fldChar")
        end.set(qn("w:fldCharType"), "end")
        paragraph.add_run()._r.append(end)

    def edit(document) -> None:
        cell = cell_right_of(document, "播出情况")
        replace(cell, "")
        checkbox(cell.paragraphs[0], False)
        cell.paragraphs[0].add_run("已播出")
        second = cell.add_paragraph()
        checkbox(second, True)
        second.add_run("未播出")

    reading = read_form(fill(filled_chongqing(), edit), CHONGQING)
    assert reading.values["broadcast"]["status"] == "not_aired"


def test_messy_labels_and_values_as_units_leave_them() -> None:
    def edit(document) -> None:
        table = form_table(document)
        table.cell(0, 0).text = "作 品 名 称"
        _lines(table.cell(6, 0), "作品简介\n（150 字以内）")
        table.cell(4, 2).text = "联系电话："
        replace(cell_right_of(document, "作品名称"), "《一封家书》\n")
        replace(cell_right_of(document, "作品时长"), "4′30″")
        replace(cell_right_of(document, "联系电话"), "１３９ ００００ ０００２")
        # The instruction left in front of what the unit wrote.
        replace(cell_right_of(document, "作品简介"),
                "含作品基本信息、核心内容、创作背景、艺术特色、社会影响等简要介绍。\n"
                "以一封家书串起重庆地方党组织成立百年的故事。")

    reading = read_form(fill(filled_chongqing(), edit), CHONGQING)
    assert reading.values["title"] == "一封家书"
    assert reading.values["duration"] == 270
    assert reading.values["contact_phone"] == "13900000002"
    assert reading.values["synopsis"] == "以一封家书串起重庆地方党组织成立百年的故事。"
    assert reading.problems == []


@pytest.mark.parametrize(("written", "seconds"), [
    ("4分30秒", 270), ("4'30\"", 270), ("4′30″", 270), ("04:30", 270), ("4：30", 270),
    ("270秒", 270), ("4分半", 270), ("5分钟", 300), ("约4分30秒", 270), ("4分30秒左右", 270),
    ("1:02:03", 3723), ("4.5分钟", 270), ("4min30s", 270), ("时长：3分05秒", 185),
])
def test_durations_as_people_write_them(written: str, seconds: int) -> None:
    assert parse_duration(written) == (seconds, "")


def test_durations_that_are_guessed_say_so_and_unreadable_ones_are_reported() -> None:
    assert parse_duration("270") == (270, "「270」没有写单位，按 270 秒计")
    assert parse_duration("5") == (300, "「5」没有写单位，按 5 分钟计")
    total, note = parse_duration("第1集：4分30秒；第2集：3分50秒")
    assert total == 500 and "按合计记录" in note
    assert parse_duration("大约五分钟") == (None, "")
    assert parse_duration("4:75") == (None, "")

    reading = read_form(filled_chongqing(duration="大约五分钟"), CHONGQING)
    assert "duration" not in reading.values
    assert reading.problems == ["作品时长：无法识别「大约五分钟」"]


def test_an_individual_entrant_and_their_unit() -> None:
    def edit(document) -> None:
        replace(cell_right_of(document, "参赛主体"), "单位（名称）:")
        type_after(cell_right_of(document, "参赛主体", row_offset=1), " 赵书航，山城示范中学")

    reading = read_form(fill(filled_chongqing(unit=""), edit), CHONGQING)
    assert (reading.entrant.kind, reading.entrant.name, reading.entrant.unit) == (
        "individual", "赵书航", "山城示范中学")
    assert reading.problems == []


def test_a_synopsis_over_its_limit_is_read_whole_and_reported() -> None:
    long = "以一封家书串起重庆地方党组织成立百年的故事。" * 8  # 22 × 8 = 176 characters
    reading = read_form(filled_chongqing(synopsis=long), CHONGQING)
    assert reading.values["synopsis"] == long
    assert reading.problems == ["作品简介：共 176 字，超过 150 字的限制（已完整读入，未删减）"]


def test_the_table_inside_another_table_after_a_covering_letter() -> None:
    inner = docx.Document(io.BytesIO(filled_chongqing()))
    document = docx.Document()
    for line in ("重庆市党史短视频展播活动筹备组：", "现报送我单位作品一件，请查收。"):
        document.add_paragraph(line)
    outer = document.add_table(rows=1, cols=1)
    holder = outer.cell(0, 0)
    holder._tc.append(inner.tables[0]._tbl)
    holder._tc.append(OxmlElement("w:p"))  # a cell must end with a paragraph
    reading = read_form(to_bytes(document), CHONGQING)
    assert reading.values["title"] == "一封家书"
    assert reading.entrant.name == "两江示范学院"
    assert reading.problems == []


def test_a_value_typed_into_the_label_cell_and_a_value_in_the_row_below() -> None:
    def edit(document) -> None:
        table = form_table(document)
        table.cell(0, 0).text = "作品名称：一封家书"
        replace(cell_right_of(document, "作品名称"), "")

    reading = read_form(fill(filled_chongqing(title=""), edit), CHONGQING)
    assert reading.values["title"] == "一封家书"

    document = docx.Document()
    table = document.add_table(rows=4, cols=1)
    table.cell(0, 0).text = "作品名称"
    table.cell(1, 0).text = "一封家书"
    table.cell(2, 0).text = "作品简介（150字以内）"
    table.cell(3, 0).text = "以一封家书串起重庆地方党组织成立百年的故事。"
    reading = read_form(to_bytes(document), CHONGQING)
    assert reading.values["title"] == "一封家书"
    assert reading.values["synopsis"] == "以一封家书串起重庆地方党组织成立百年的故事。"


def test_a_form_typed_as_lines_of_text_without_a_table() -> None:
    document = docx.Document()
    for line in ("作品名称：一封家书", "作品时长：4分30秒", "联系人：王联络", "联系电话：13900000002"):
        document.add_paragraph(line)
    reading = read_form(to_bytes(document), CHONGQING)
    assert reading.values == {"title": "一封家书", "duration": 270, "contact_name": "王联络",
                              "contact_phone": "13900000002"}


def test_a_label_with_the_notices_remark_after_it() -> None:
    def edit(document) -> None:
        form_table(document).cell(0, 0).text = "作品名称（请填写完整作品名称）"

    assert read_form(fill(filled_chongqing(), edit), CHONGQING).values["title"] == "一封家书"


def test_text_in_a_text_box_is_left_out_and_not_read_twice() -> None:
    box = (
        '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
        ' xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        ' xmlns:v="urn:schemas-microsoft-com:vml">'
        "<mc:Choice Requires=\"wps\"><w:drawing/></mc:Choice>"
        "<mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>草稿</w:t></w:r></w:p>"
        "</w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent>"
    )

    def edit(document) -> None:
        from lxml import etree

        cell = cell_right_of(document, "作品名称")
        run = cell.paragraphs[0].add_run()
        run._r.append(etree.fromstring(box))

    assert read_form(fill(filled_chongqing(), edit), CHONGQING).values["title"] == "一封家书"


def test_entities_in_the_xml_are_not_expanded() -> None:
    """A 「billion laughs」 document.xml: read without expanding it, or refused — never a hang."""
    form = zipfile.ZipFile(io.BytesIO(filled_chongqing()))
    entries = {info.filename: form.read(info) for info in form.infolist()}
    levels = [(chr(98 + i).encode(), (b"&" + chr(97 + i).encode() + b";") * 10) for i in range(8)]
    laughs = (b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
              + b"".join(b'<!ENTITY %s "%s">' % level for level in levels) + b"]>")
    entries["word/document.xml"] = laughs + entries["word/document.xml"].split(b"?>", 1)[1].replace(
        "一封家书".encode(), b"&i;")
    try:
        reading = read_form(_zip(entries), CHONGQING)
    except FormUnreadable as error:
        assert "损坏" in error.message
    else:
        assert len(reading.values.get("title", "")) < 1000


def test_a_hyperlink_shown_as_words_gives_its_address() -> None:
    def edit(document) -> None:
        boxes_as_text(cell_right_of(document, "播出情况"), "☑已播出 □未播出")
        cell = cell_right_of(document, "播出平台")
        replace(cell, "示例视频平台 ")
        paragraph = cell.paragraphs[0]
        rid = paragraph.part.relate_to("https://video.example.org/watch/77",
                                       docx.opc.constants.RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), rid)
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "点此观看"
        run.append(text)
        link.append(run)
        paragraph._p.append(link)

    reading = read_form(fill(filled_chongqing(), edit), CHONGQING)
    assert reading.values["broadcast"]["link"] == "https://video.example.org/watch/77"


# --------------------------------------------------------------------------
# Hubei 作品信息表


def test_a_hubei_form_reads_back_with_people_and_the_shared_contact_cell() -> None:
    reading = read_form(filled_hubei(), HUBEI)
    assert reading.values == {
        "title": "光谷里的党外专家",
        "creators": [
            {"name": "张小明", "post": "导演", "contact": "13800000001"},
            {"name": "林晓婷", "post": "摄像", "contact": "13800000003"},
        ],
        "synopsis": "讲述一位党外专家扎根光谷、攻关光电子技术的故事。",
        "script": "第一场：清晨的实验室。\n第二场：夜里的讨论。",
        "contact_name": "李联络",
        "contact_phone": "027-12345678",
    }
    assert (reading.entrant.name, reading.entrant.kind) == ("长川市委统战部", "unit")
    assert reading.submitted_on is not None and reading.submitted_on.isoformat() == "2026-07-20"
    assert reading.problems == []
    assert reading.document == "作品信息表"


def test_the_instruction_left_in_the_title_cell_is_not_a_title() -> None:
    def edit(document) -> None:
        replace(cell_right_of(document, "作品名称"), "(请填写完整作品名称, 与视频文件命名一致)")

    reading = read_form(fill(filled_hubei(), edit), HUBEI)
    assert "title" not in reading.values
    assert "作品名称：未填写" in reading.problems

    def edit_after(document) -> None:
        type_after(cell_right_of(document, "作品名称"), "光谷里的党外专家")
        replace(cell_right_of(document, "报送单位"), "(请填写完整单位名称, 与视频文件命名一致)长川市委统战部")

    reading = read_form(fill(blank_hubei(), edit_after), HUBEI)
    assert reading.values["title"] == "光谷里的党外专家"
    assert reading.entrant.name == "长川市委统战部"


@pytest.mark.parametrize("written", [
    "1. 姓名: 张三 职务: 导演 联系方式: 13800000001  2. 姓名: 李四 职务: 摄像 联系方式: 13800000002",
    "1.姓名：张三，职务：导演，联系方式：13800000001；2.姓名：李四，职务：摄像，联系方式：13800000002",
    "张三 导演 13800000001\n李四 摄像 13800000002",
    "张三（导演，13800000001）\n李四（摄像，13800000002）",
    "张三（导演，13800000001）；李四（摄像，13800000002）",
    "1、张三，导演，13800000001\n2、李四，摄像，13800000002",
    "导演：张三 13800000001\n摄像：李四 13800000002",
    "姓名: 张三 职务: 导演 电话: 13800000001\n姓名: 李四 职务: 摄像 电话: 13800000002\n(多人可依次添加)",
])
def test_creators_in_one_cell_however_they_are_written(written: str) -> None:
    rows, notes = parse_people(written, HUBEI.form.get("creators"))
    assert rows == [
        {"name": "张三", "post": "导演", "contact": "13800000001"},
        {"name": "李四", "post": "摄像", "contact": "13800000002"},
    ]
    assert notes == []


def test_creators_as_a_small_table_inside_the_cell() -> None:
    def edit(document) -> None:
        cell = cell_right_of(document, "主创人员信息")
        replace(cell, "")
        inner = cell.add_table(rows=3, cols=3)
        for r, row in enumerate([("姓名", "职务", "联系方式"), ("张三", "导演", "13800000001"),
                                 ("李四", "摄像", "13800000002")]):
            for c, text in enumerate(row):
                inner.cell(r, c).text = text

    reading = read_form(fill(filled_hubei(), edit), HUBEI)
    assert reading.values["creators"] == [
        {"name": "张三", "post": "导演", "contact": "13800000001"},
        {"name": "李四", "post": "摄像", "contact": "13800000002"},
    ]


def test_the_unfilled_placeholders_are_not_people() -> None:
    reading = read_form(blank_hubei(), HUBEI)
    assert "creators" not in reading.values
    assert "主创人员信息：未填写" in reading.problems
    assert "contact_name" not in reading.values and "contact_phone" not in reading.values


def test_contact_and_phone_without_their_labels() -> None:
    reading = read_form(filled_hubei(contact="李联络 027-12345678"), HUBEI)
    assert (reading.values["contact_name"], reading.values["contact_phone"]) == ("李联络", "027-12345678")


def test_a_phone_that_is_not_a_number_is_reported() -> None:
    reading = read_form(filled_hubei(contact="联系人: 李联络 联系电话: 见邮件"), HUBEI)
    assert "contact_phone" not in reading.values
    assert reading.problems == ["联系电话：无法识别电话号码「见邮件」"]


def test_a_hubei_synopsis_over_200_characters_is_kept_whole() -> None:
    long = "讲述一位党外专家扎根光谷、攻关光电子技术的故事。" * 9  # 24 × 9 = 216
    reading = read_form(filled_hubei(synopsis=long), HUBEI)
    assert reading.values["synopsis"] == long
    assert reading.problems == ["作品简介：共 216 字，超过 200 字的限制（已完整读入，未删减）"]


# --------------------------------------------------------------------------
# Driven by the rule set, not by the campaign


def test_rows_are_found_by_the_rule_sets_labels() -> None:
    """An organiser's copy of the preset that renames a row reads forms printed with the new label."""
    data = dump_ruleset(CHONGQING)
    for document in data["documents"]:
        if document["key"] == "registration_form":
            for item in document["layout"]:
                if item["label"] == "作品时长":
                    item["label"] = "片长"
    edited = parse_ruleset(data)

    def edit(document) -> None:
        form_table(document).cell(0, 2).text = "片长"

    form = fill(filled_chongqing(), edit)
    assert read_form(form, edited).values["duration"] == 270
    assert "作品时长：表中没有找到这一栏" in read_form(form, CHONGQING).problems


def test_a_script_is_not_a_form() -> None:
    document = docx.Document()
    document.add_paragraph("《一封家书》视频文稿")
    document.add_paragraph("（画面：江边的老码头）解说：一九二六年的春天……")
    data = to_bytes(document)
    assert not read_form(data, CHONGQING).looks_like_form
    assert read_form(filled_chongqing(), CHONGQING).looks_like_form
    assert document_text(data) == "《一封家书》视频文稿\n（画面：江边的老码头）解说：一九二六年的春天……"
    assert document_text("第一场：清晨的实验室。\r\n".encode("gb18030")) == "第一场：清晨的实验室。"


# --------------------------------------------------------------------------
# What cannot be read


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(("content", "message"), [
    (b"", "文件是空的"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000, "旧版 Word 97-2003（.doc）"),
    ("{\\rtf1\\ansi 作品名称}".encode(), "RTF"),
    ("<html><body><table><tr><td>作品名称</td></tr></table></body></html>".encode(), "网页格式"),
    (b"%PDF-1.4\n%%EOF\n", "PDF"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "图片"),
    ("作品名称：一封家书".encode(), "不是 Word 文档"),
    (b"PK\x03\x04" + b"\0" * 200, "已损坏"),
])
def test_files_that_are_not_a_word_document_get_a_clear_message(content: bytes, message: str) -> None:
    with pytest.raises(FormUnreadable) as raised:
        read_form(content, CHONGQING)
    assert message in raised.value.message


def test_a_docx_cut_short_in_transit() -> None:
    data = filled_chongqing()
    with pytest.raises(FormUnreadable) as raised:
        read_form(data[: len(data) // 2], CHONGQING)
    assert "已损坏" in raised.value.message


def test_other_zip_files_renamed_docx() -> None:
    with pytest.raises(FormUnreadable, match="Excel"):
        read_form(_zip({"xl/workbook.xml": b"<x/>", "[Content_Types].xml": b"<x/>"}), CHONGQING)
    with pytest.raises(FormUnreadable, match="ZIP 压缩包"):
        read_form(_zip({"一封家书.mp4": b"\0" * 10}), CHONGQING)


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    form = zipfile.ZipFile(io.BytesIO(filled_chongqing()))
    entries = {info.filename: form.read(info) for info in form.infolist()}
    entries["word/media/image1.png"] = b"\0" * (20 * 1024 * 1024)  # packs to about 20 KB
    bomb = _zip(entries)
    assert len(bomb) < 200_000
    with pytest.raises(FormUnreadable, match="压缩炸弹"):
        read_form(bomb, CHONGQING)


def test_a_huge_file_is_refused_without_being_read(tmp_path: Path) -> None:
    path = tmp_path / "作品登记表.docx"
    with path.open("wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing of it is in memory
    with pytest.raises(FormUnreadable, match="文件过大"):
        read_form(path, CHONGQING)


def test_a_file_that_went_away(tmp_path: Path) -> None:
    with pytest.raises(FormUnreadable, match="无法打开"):
        read_form(tmp_path / "不存在.docx", CHONGQING)


def test_the_reader_does_not_need_django() -> None:
    code = ("import sys, guangying.documents.reading as r; "
            "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_broadcast_guesses_are_reported() -> None:
    value, notes = parse_broadcast("示例平台 www.example.org/v/1")
    assert value == {"status": "aired", "platform": "示例平台", "link": "https://www.example.org/v/1"}
    assert any("补为" in n for n in notes) and any("按填写了播出平台及链接记为已播出" in n for n in notes)
    value, notes = parse_broadcast("☑已播出 □未播出")
    assert value["status"] == "aired" and notes == ["已播出，但没有写播出平台和链接"]


# --------------------------------------------------------------------------
# The platform's own form, filled in by a unit and read back


@pytest.fixture
def word():
    module = pytest.importorskip("guangying.documents.word")
    if not hasattr(module, "work_documents"):
        pytest.skip("the generated forms are not there yet")
    return module


def _generated_form(word, work, key: str) -> bytes:
    documents = word.work_documents(work)
    for document in documents:
        if getattr(document, "key", None) == key:
            return document.content
    raise AssertionError(f"no generated {key}")


def test_round_trip_of_the_generated_chongqing_form(word, chongqing) -> None:
    from tests.factories import EntrantFactory, WorkFactory

    entrant = EntrantFactory(campaign=chongqing, name="两江示范学院")
    work = WorkFactory(entrant=entrant, title="一封家书")
    work.form_data = {
        "duration": 270,
        "broadcast": {"status": "aired", "platform": "示例视频平台",
                      "link": "https://video.example.org/watch/1234"},
        "contact_name": "王联络", "contact_phone": "13900000002",
        "team": "导演：赵一（示例文化中心）；摄像：钱二。",
        "synopsis": "以一封家书串起重庆地方党组织成立百年的故事。",
    }
    work.save()
    generated = _generated_form(word, work, "registration_form")
    reading = read_form(generated, chongqing.rules)
    assert reading.values == {"title": work.title, **work.form_data}
    assert (reading.entrant.name, reading.entrant.kind) == ("两江示范学院", "unit")
    assert reading.problems == []

    def unit_edits(document) -> None:
        # The unit changes its mind and edits the printed form: spaces, a new line, other ticks.
        cell = cell_right_of(document, "作品名称")
        replace(cell, " 一封 \n家书 ")
        boxes_cell = next(c for row in form_table(document).rows for c in row.cells if "已播出" in c.text)
        replace(boxes_cell, "□已播出  ☑未播出")
        replace(cell_right_of(document, "作品时长"), "4分 30秒")

    reading = read_form(fill(generated, unit_edits), chongqing.rules)
    assert reading.values == {"title": "一封家书", **work.form_data,
                              "broadcast": {"status": "not_aired", "platform": "", "link": ""}}
    assert reading.problems == []


def test_round_trip_of_an_individuals_generated_form(word, chongqing) -> None:
    from tests.factories import EntrantFactory, WorkFactory

    person = EntrantFactory(campaign=chongqing, kind="individual", name="赵书航", affiliation="山城示范中学")
    work = WorkFactory(entrant=person, title="江边的老码头")
    work.form_data = {"duration": 185, "broadcast": {"status": "not_aired", "platform": "", "link": ""},
                      "contact_name": "赵书航", "contact_phone": "13800001288", "team": "编导：赵书航。",
                      "synopsis": "老码头的故事。"}
    work.save()
    reading = read_form(_generated_form(word, work, "registration_form"), chongqing.rules)
    assert (reading.entrant.kind, reading.entrant.name, reading.entrant.unit) == (
        "individual", "赵书航", "山城示范中学")
    assert reading.values == {"title": "江边的老码头", **work.form_data}


def test_round_trip_of_the_generated_hubei_form(word, hubei) -> None:
    from tests.factories import EntrantFactory, WorkFactory

    entrant = EntrantFactory(campaign=hubei, name="长川市委统战部")
    work = WorkFactory(entrant=entrant, title="光谷里的党外专家")
    work.form_data = {
        "creators": [{"name": "张小明", "post": "导演", "contact": "13800000001"},
                     {"name": "林晓婷", "post": "摄像", "contact": "13800000003"}],
        "synopsis": "讲述一位党外专家扎根光谷、攻关光电子技术的故事。",
        "script": "第一场：清晨的实验室。\n第二场：夜里的讨论。",
        "contact_name": "李联络", "contact_phone": "027-12345678",
    }
    work.save()
    generated = _generated_form(word, work, "info_sheet")
    reading = read_form(generated, hubei.rules)
    assert reading.values == {"title": work.title, **work.form_data}
    assert reading.entrant.name == "长川市委统战部"

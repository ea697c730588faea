"""The notices' tables as Word documents: the notice's rows, labels and order, filled from the data."""

import io
from datetime import UTC, datetime

import pytest
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import load_workbook

from guangying.campaigns.models import Entrant
from guangying.documents import word
from guangying.submissions.models import WorkState
from tests.factories import CampaignFactory, EntrantFactory, WorkFactory, preset_rules
from tests.submissions.helpers import CHONGQING_FORM, HUBEI_FORM

from .helpers import (
    CHONGQING_REGISTRATION_LABELS,
    CHONGQING_SUMMARY_HEADER,
    HUBEI_INFO_LABELS,
    SHANGHAI,
    all_text,
    body_paragraphs,
    maximal_chongqing_form,
    open_docx,
    table_rows,
    unsaved_campaign,
    unsaved_work,
)

pytestmark = pytest.mark.django_db

SUBMITTED = datetime(2026, 7, 20, 23, 30, tzinfo=SHANGHAI)


def by_key(documents):
    return {d.key: d for d in documents}


@pytest.fixture
def hubei_work(unit):
    work = WorkFactory(entrant=unit, title="一封家书")
    work.form_data = dict(HUBEI_FORM)
    work.submitted_at = SUBMITTED
    work.state = WorkState.SUBMITTED
    work.save()
    return work


@pytest.fixture
def cq_unit(chongqing):
    return EntrantFactory(campaign=chongqing, name="重庆市示例局")


@pytest.fixture
def cq_person(chongqing):
    return EntrantFactory(campaign=chongqing, kind=Entrant.Kind.INDIVIDUAL, name="赵小红",
                          affiliation="重庆示例中学")


def cq_work(entrant, title, **form):
    work = WorkFactory(entrant=entrant, title=title)
    work.form_data = {**CHONGQING_FORM, **form}
    work.save()
    return work


# ---------------------------------------------------------------- Hubei 附件1 作品信息表


def test_hubei_info_sheet_reproduces_the_notice_table(hubei_work):
    documents = by_key(word.work_documents(hubei_work))
    sheet = documents["info_sheet"]
    assert sheet.label == "作品信息表"
    assert sheet.file_name == "作品信息表-一封家书.docx"
    assert sheet.content_type == word.DOCX_TYPE
    document = open_docx(sheet.content)
    assert body_paragraphs(document)[:2] == ["附件1", "“微光映同心”微视频专题宣传活动作品信息表"]
    [table] = document.tables
    rows = table_rows(table)
    assert rows[0] == ["项目", "填写内容"]
    assert [r[0] for r in rows[1:]] == HUBEI_INFO_LABELS
    values = dict(rows[1:])
    assert values == {
        "作品名称": "一封家书",
        "报送单位": "长川市委统战部",
        "主创人员信息": "1. 姓名: 张小明 职务: 导演 联系方式: 13800000001",
        "作品简介（200字以内）": HUBEI_FORM["synopsis"],
        "视频脚本内容": HUBEI_FORM["script"],
        "报送单位联系人及电话": "联系人: 李联络 联系电话: 027-12345678",
        "报送日期": "2026年7月20日",
    }
    note = body_paragraphs(document)[-1]
    assert note.startswith("填写说明：1.所有项目需如实、完整填写；2.主创人员信息请填写核心创作人员")
    assert note.endswith("避免冗余表述。")


def test_submission_date_is_the_day_in_the_campaigns_time_zone(hubei_work):
    hubei_work.submitted_at = datetime(2026, 7, 20, 16, 30, tzinfo=UTC)  # 00:30 on the 21st
    document = open_docx(word.work_document(hubei_work, "info_sheet").content)
    assert dict(table_rows(document.tables[0])[1:])["报送日期"] == "2026年7月21日"


def test_several_creators_are_numbered_lines(hubei_work):
    hubei_work.form_data["creators"] = [
        {"name": "张小明", "post": "导演", "contact": "13800000001"},
        {"name": "李小华", "post": "剪辑", "contact": "lixh@example.org"},
        {"name": "王小刚", "post": "", "contact": ""},
    ]
    document = open_docx(word.work_document(hubei_work, "info_sheet").content)
    cell = dict(table_rows(document.tables[0])[1:])["主创人员信息"]
    assert cell.split("\n") == [
        "1. 姓名: 张小明 职务: 导演 联系方式: 13800000001",
        "2. 姓名: 李小华 职务: 剪辑 联系方式: lixh@example.org",
        "3. 姓名: 王小刚 职务:  联系方式: ",
    ]


def test_an_empty_form_keeps_every_row_and_label(unit):
    work = WorkFactory(entrant=unit, title="")
    documents = by_key(word.work_documents(work))
    assert documents["info_sheet"].file_name == "作品信息表-（未命名作品）.docx"
    rows = table_rows(open_docx(documents["info_sheet"].content).tables[0])
    assert [r[0] for r in rows[1:]] == HUBEI_INFO_LABELS
    values = dict(rows[1:])
    assert values["作品名称"] == "" and values["主创人员信息"] == "" and values["报送日期"] == ""
    assert values["报送单位"] == "长川市委统战部"
    assert values["报送单位联系人及电话"] == "联系人:  联系电话: "
    pledge = "\n".join(body_paragraphs(open_docx(documents["copyright_pledge"].content)))
    assert "本单位报送作品《__________》参与" in pledge


def test_messy_text_is_kept_as_text(unit):
    hostile = "<script>alert('x')</script> & “引号” 🎬👨‍👩‍👧\x07\x1b"
    work = WorkFactory(entrant=unit, title=hostile[:60])
    work.form_data = {
        "synopsis": "第一行\n\n第三行\r\n第四行 <b>不加粗</b>",
        "script": "脚本" * 10_000,
        "creators": [{"name": "=HYPERLINK(\"http://x\")", "post": "<i>", "contact": "😀"}],
        "contact_name": "张\u0000三",
    }
    # Not saved: PostgreSQL keeps no NUL in JSON, and the form refuses one before it gets there; the
    # documents must still survive one that came in another way.
    document = open_docx(word.work_document(work, "info_sheet").content)
    values = dict(table_rows(document.tables[0])[1:])
    assert values["作品名称"] == "<script>alert('x')</script> & “引号” 🎬👨‍👩‍👧"
    assert values["作品简介（200字以内）"].split("\n") == ["第一行", "", "第三行", "第四行 <b>不加粗</b>"]
    assert values["视频脚本内容"] == "脚本" * 10_000
    assert values["主创人员信息"] == "1. 姓名: =HYPERLINK(\"http://x\") 职务: <i> 联系方式: 😀"
    assert values["报送单位联系人及电话"].startswith("联系人: 张三 ")
    pledge = all_text(open_docx(word.work_document(work, "copyright_pledge").content))
    assert "《<script>alert('x')</script> & “引号” 🎬👨‍👩‍👧》" in pledge


# ---------------------------------------------------------------- the pledges (附件2)


def test_hubei_pledge_is_the_notices_text_with_title_and_unit(hubei_work):
    pledge = by_key(word.work_documents(hubei_work))["copyright_pledge"]
    assert pledge.file_name == "版权承诺书-一封家书.docx"
    lines = [line for line in body_paragraphs(open_docx(pledge.content)) if line]
    assert lines[:2] == ["附件2", "“微光映同心”微视频专题宣传活动版权承诺书"]
    assert lines[2] == ("本单位报送作品《一封家书》参与“微光映同心”微视频专题宣传活动，"
                        "并就该作品的版权相关事宜作出如下承诺：")
    assert lines[3].startswith("1. 本单位报送的作品系原创作品")
    assert lines[6].startswith("4. 本单位报送的作品信息表所填写内容真实")
    assert lines[7:] == ["本承诺书自报送单位盖章之日起生效。", "特此承诺！",
                         "报送单位（盖章）：长川市委统战部", "_____年____月____日"]


def test_chongqing_pledge_differs_and_keeps_the_blanks_to_sign(cq_person):
    work = cq_work(cq_person, "红岩家书")
    lines = [line for line in body_paragraphs(open_docx(word.work_document(work, "copyright_pledge").content))
             if line]
    # Too long for one line, the title breaks after the quoted name.
    assert lines[:2] == ["附件2", "“红色光影 英雄重庆”\n党史短视频征集展播活动版权承诺书"]
    assert lines[2].startswith("本单位/本人就授权给“红色光影 英雄重庆”党史短视频征集展播活动的参评作品"
                               "（以下简称“授权作品”）《红岩家书》的版权和内容承诺如下：")
    assert lines[-4:] == ["承诺单位/人：赵小红", "联系电话：", "（盖章/签字）：", "年    月   日"]


def test_signature_block_sits_right_and_the_body_is_indented(hubei_work):
    document = open_docx(word.work_document(hubei_work, "copyright_pledge").content)
    paragraphs = {p.text: p for p in document.paragraphs if p.text}
    assert paragraphs["特此承诺！"].paragraph_format.first_line_indent == Pt(28)
    stamp = paragraphs["报送单位（盖章）：长川市委统战部"].paragraph_format
    assert stamp.left_indent > Mm(60) and stamp.first_line_indent is None


# ---------------------------------------------------------------- Chongqing 附件1 作品登记表


def test_chongqing_registration_is_the_notices_grid(cq_unit):
    work = cq_work(cq_unit, "红岩家书")
    documents = by_key(word.work_documents(work))
    assert list(documents) == ["registration_form", "copyright_pledge"]  # 文稿 is uploaded, not made
    document = open_docx(documents["registration_form"].content)
    assert body_paragraphs(document)[:2] == ["附件1", "“红色光影 英雄重庆”\n党史短视频征集展播活动作品登记表"]
    rows = table_rows(document.tables[0])
    assert rows == [
        ["作品名称", "红岩家书", "作品时长", "4分30秒"],
        ["参赛主体", "单位（名称）: 重庆市示例局"],
        ["参赛主体", "个人（姓名）及单位: "],
        ["播出情况", "□已播出 ☑未播出", "播出平台及链接", ""],
        ["联系人", "王联络", "联系电话", "13900000002"],
        ["作品创作团队情况（100字以内）", CHONGQING_FORM["team"]],
        ["作品简介（150字以内）", CHONGQING_FORM["synopsis"]],
    ]
    known = CHONGQING_REGISTRATION_LABELS
    labels = list(dict.fromkeys(text for row in rows for text in row if text in known))
    assert labels == CHONGQING_REGISTRATION_LABELS
    # 参赛主体 spans its two lines, as in the notice.
    table = document.tables[0]
    assert table.cell(1, 0)._tc is table.cell(2, 0)._tc
    assert [row._tr.tc_lst[0].vMerge for row in table.rows[1:3]] == ["restart", "continue"]
    assert body_paragraphs(document)[-1] == "本表格单页打印，不加页。"


def test_an_individual_fills_the_second_line_and_an_aired_work_its_platform(cq_person):
    work = cq_work(cq_person, "红岩家书", broadcast={
        "status": "aired", "platform": "华龙网", "link": "https://example.org/v/1"})
    rows = table_rows(open_docx(word.work_document(work, "registration_form").content).tables[0])
    assert rows[1] == ["参赛主体", "单位（名称）: "]
    assert rows[2] == ["参赛主体", "个人（姓名）及单位: 赵小红（重庆示例中学）"]
    assert rows[3] == ["播出情况", "☑已播出 □未播出", "播出平台及链接", "华龙网\nhttps://example.org/v/1"]


def test_no_answer_leaves_both_boxes_empty(cq_unit):
    work = cq_work(cq_unit, "未答", broadcast={})
    rows = table_rows(open_docx(word.work_document(work, "registration_form").content).tables[0])
    assert rows[3][:2] == ["播出情况", "□已播出 □未播出"]


def test_a_one_page_form_keeps_its_type_size_when_the_data_fit():
    campaign = unsaved_campaign("chongqing-2026-hongse")
    work = unsaved_work(campaign, title="红岩家书", form=dict(CHONGQING_FORM))
    document = open_docx(word.form_document(work, campaign.rules.document("registration_form")))
    sizes = {run.font.size for p in document.tables[0].rows[0].cells[1].paragraphs for run in p.runs}
    assert sizes == {Pt(word.SIHAO)}
    title = document.paragraphs[1].runs[0]
    assert title.bold and title.font.size == Pt(word.XIAOER)


def test_a_one_page_form_shrinks_for_maximal_data():
    campaign = unsaved_campaign("chongqing-2026-hongse")
    work = unsaved_work(campaign, title="红" * 200, form=maximal_chongqing_form())
    spec = campaign.rules.document("registration_form")
    document = open_docx(word.form_document(work, spec))
    size = document.tables[0].rows[0].cells[1].paragraphs[0].runs[0].font.size
    assert size < Pt(word.SIHAO)
    rows = table_rows(document.tables[0])
    assert rows[0][1] == "红" * 200
    assert "W" * 480 in rows[3][3]  # nothing cut: only the type got smaller


def test_newlines_are_given_up_before_text_when_nothing_else_fits():
    campaign = unsaved_campaign("chongqing-2026-hongse")
    form = {**CHONGQING_FORM, "synopsis": "\n".join("行" for _ in range(150)),
            "team": "\n".join("队" for _ in range(100))}
    work = unsaved_work(campaign, title="百行", form=form)
    rows = table_rows(open_docx(word.form_document(work, campaign.rules.document("registration_form")))
                      .tables[0])
    synopsis = dict((r[0], r[-1]) for r in rows)["作品简介（150字以内）"]
    assert synopsis.count("行") == 150 and "\n" not in synopsis


# ---------------------------------------------------------------- fonts and page


def test_a4_song_typeface_and_office_sizes(hubei_work):
    document = open_docx(word.work_document(hubei_work, "info_sheet").content)
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1) and abs(section.page_height - Mm(297)) < Mm(0.1)
    assert Mm(20) <= section.left_margin <= Mm(30) and Mm(20) <= section.top_margin <= Mm(30)
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "宋体"
    assert normal.get(qn("w:ascii")) == "Times New Roman"
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = defaults.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "宋体" and fonts.get(qn("w:eastAsiaTheme")) is None
    runs = [run for p in document.paragraphs for run in p.runs]
    runs += [run for cell in document.tables[0]._cells for p in cell.paragraphs for run in p.runs]
    assert runs and all(run._element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体" for run in runs)
    title = document.paragraphs[1].runs[0]
    assert title.bold and title.font.size == Pt(word.XIAOER)
    body = document.tables[0].rows[1].cells[1].paragraphs[0].runs[0]
    assert body.font.size == Pt(word.SIHAO)


# ---------------------------------------------------------------- Chongqing 附件3 and the summaries


def test_chongqing_summary_sheet_lists_the_entrants_works(cq_person, cq_unit):
    aired = cq_work(cq_person, "红岩家书", broadcast={
        "status": "aired", "platform": "华龙网", "link": "https://example.org/v/1"})
    cq_work(cq_person, "山城记忆", duration=125)
    WorkFactory(entrant=cq_person, title="已撤销的作品", state=WorkState.WITHDRAWN)
    cq_work(cq_unit, "别家的作品")
    [sheet] = word.entrant_documents(cq_person)
    assert sheet.key == "summary_sheet"
    assert sheet.file_name == "作品汇总表-赵小红.docx"
    document = open_docx(sheet.content)
    assert body_paragraphs(document)[:2] == ["附件3", "“红色光影 英雄重庆”党史短视频征集展播活动作品汇总表"]
    rows = table_rows(document.tables[0])
    assert rows == [
        CHONGQING_SUMMARY_HEADER,
        ["1", "红岩家书", "4分30秒", "赵小红", "重庆示例中学", "华龙网\nhttps://example.org/v/1"],
        ["2", "山城记忆", "2分5秒", "赵小红", "重庆示例中学", "未播出"],
    ]
    assert body_paragraphs(document)[-1].startswith("说明：播出情况指作品是否播出。")
    assert rows[1][1] == aired.title  # in the order the entrant created them
    section = document.sections[0]
    assert section.page_width > section.page_height  # landscape, for titles and links


def test_a_unit_is_its_own_author_and_unit(cq_unit):
    cq_work(cq_unit, "红岩家书")
    rows = table_rows(open_docx(word.entrant_documents(cq_unit)[0].content).tables[0])
    assert rows[1][3:5] == ["重庆市示例局", "重庆市示例局"]


def test_hubei_has_no_per_entrant_form(unit, hubei_work):
    assert word.entrant_documents(unit) == []
    summary = word.entrant_summary(unit)
    rows = table_rows(open_docx(summary.content).tables[0])
    assert rows[0] == ["序号", "作品名称", "报送单位", "联系人", "联系电话", "报送日期", "状态"]
    assert rows[1] == ["1", "一封家书", "长川市委统战部", "李联络", "027-12345678", "2026年7月20日", "已提交"]


def test_campaign_summary_has_the_handed_in_works_of_every_entrant(chongqing, cq_person, cq_unit):
    passed = cq_work(cq_unit, "乙作品")
    passed.state = WorkState.PASSED
    passed.save()
    draft = cq_work(cq_unit, "草稿作品")
    first = cq_work(cq_person, "甲作品")
    first.state = WorkState.RETURNED
    first.save()
    summary = word.campaign_summary(chongqing)
    assert summary.file_name == "作品汇总表-红色光影 英雄重庆.docx"
    document = open_docx(summary.content)
    assert body_paragraphs(document)[0] == "“红色光影 英雄重庆”党史短视频征集展播活动作品汇总表"
    assert body_paragraphs(document)[1].startswith("（共 2 件；已提交、退回修改、形式审查通过；")
    rows = table_rows(document.tables[0])
    assert rows[0] == [*CHONGQING_SUMMARY_HEADER, "状态"]
    # In the entrants' order (individuals, then units, by name), numbered across all of them.
    assert [r[:2] for r in rows[1:]] == [["1", "甲作品"], ["2", "乙作品"]]
    assert rows[1][-1] == "退回修改" and rows[2][-1] == "形式审查通过"
    with_drafts = word.campaign_summary(chongqing, states=[WorkState.DRAFT])
    assert [r[1] for r in table_rows(open_docx(with_drafts.content).tables[0])[1:]] == [draft.title]


def test_summary_workbooks_keep_text_as_text(chongqing, cq_person):
    work = cq_work(cq_person, "=HYPERLINK(\"http://evil\",\"点我\")", contact_name="+86 139")
    work.state = WorkState.SUBMITTED
    work.save()
    for document in (word.campaign_summary_xlsx(chongqing), word.entrant_summary_xlsx(cq_person)):
        assert document.content_type == word.XLSX_TYPE
        assert document.file_name.endswith(".xlsx")
        sheet = load_workbook(io.BytesIO(document.content)).active
        header = [c.value for c in sheet[1]]
        assert header[:6] == CHONGQING_SUMMARY_HEADER
        row = [c for c in sheet[2]]
        assert row[0].value == 1
        assert row[1].value == "=HYPERLINK(\"http://evil\",\"点我\")" and row[1].data_type == "s"
        assert row[5].value == "未播出"
    entrant_header = [c.value for c in load_workbook(io.BytesIO(
        word.entrant_summary_xlsx(cq_person).content)).active[1]]
    assert entrant_header == CHONGQING_SUMMARY_HEADER  # the entrant's own list is the notice's


def test_an_empty_list_still_prints_its_table(cq_person):
    rows = table_rows(open_docx(word.entrant_documents(cq_person)[0].content).tables[0])
    assert rows == [CHONGQING_SUMMARY_HEADER, [""] * 6]


# ---------------------------------------------------------------- driven by the rule set


def test_the_layout_is_read_from_the_rule_set_not_the_campaign():
    _key, rules = preset_rules("hubei-2026-weiguang")
    data = rules.model_dump(mode="json")
    sheet = next(d for d in data["documents"] if d["key"] == "info_sheet")
    sheet["layout"] = [{"label": "报送日期", "sources": ["submission.date"]},
                       {"label": "片名", "sources": ["form.title"]},
                       {"label": "单位与联系人", "sources": ["entrant.name", "form.contact_name"]}]
    sheet["label"] = "作品登记卡"
    sheet["attachment"] = "附件5"
    sheet["note"] = "说明：仅作测试。"
    pledge = next(d for d in data["documents"] if d["key"] == "copyright_pledge")
    pledge["body"] = "兹承诺《{title}》由{entrant}原创。\n{entrant}（盖章）"
    from guangying.rulesets import parse_ruleset

    campaign = CampaignFactory(preset="hubei-2026-weiguang", rules=parse_ruleset(data))
    work = WorkFactory(entrant=EntrantFactory(campaign=campaign, name="示例单位甲"), title="微光")
    work.form_data = {"contact_name": "李联络"}
    work.save()
    documents = by_key(word.work_documents(work))
    card = open_docx(documents["info_sheet"].content)
    assert documents["info_sheet"].file_name == "作品登记卡-微光.docx"
    assert body_paragraphs(card)[:2] == ["附件5", "“微光映同心”微视频专题宣传活动作品登记卡"]
    assert table_rows(card.tables[0]) == [["项目", "填写内容"], ["报送日期", ""], ["片名", "微光"],
                                          ["单位与联系人", "名称: 示例单位甲 联系人: 李联络"]]
    assert body_paragraphs(card)[-1] == "说明：仅作测试。"
    pledge_lines = [t for t in body_paragraphs(open_docx(documents["copyright_pledge"].content)) if t]
    assert pledge_lines[-2:] == ["兹承诺《微光》由示例单位甲原创。", "示例单位甲（盖章）"]


# ---------------------------------------------------------------- measuring


def test_text_width_counts_chinese_wider_than_latin():
    assert word.text_em("微光映同心") == 5
    assert 2 < word.text_em("abcd") < 4
    assert word.line_count(["微" * 30], width_pt=140, size_pt=14) == 4  # 10 a line, less a little
    assert word.line_count([], width_pt=140, size_pt=14) == 1
    assert word.line_count(["一", "", "三"], width_pt=140, size_pt=14) == 3


def test_xml_safe_drops_what_xml_cannot_carry():
    assert word.xml_safe("a\x00b\x07c\x1fd\ufffe") == "abcd"
    assert word.xml_safe("甲\r\n乙\r丙") == "甲\n乙\n丙"
    assert word.xml_safe(None) == ""


# ---------------------------------------------------------------- read back by the platform's own reader


@pytest.mark.parametrize(("preset", "key", "form", "entrant"), [
    ("chongqing-2026-hongse", "registration_form",
     {**CHONGQING_FORM, "broadcast": {"status": "aired", "platform": "华龙网", "link": "https://example.org/v/1"}},
     {"kind": "individual", "name": "赵小红", "affiliation": "重庆示例中学"}),
    ("chongqing-2026-hongse", "registration_form", dict(CHONGQING_FORM), {"name": "重庆市示例局"}),
    ("hubei-2026-weiguang", "info_sheet",
     {**HUBEI_FORM, "creators": [{"name": "张小明", "post": "导演", "contact": "13800000001"},
                                 {"name": "李小华", "post": "剪辑", "contact": "lixh@example.org"}]},
     {"name": "长川市委统战部"}),
])
def test_a_generated_form_reads_back_as_what_was_entered(preset, key, form, entrant):
    from guangying.documents import reading

    campaign = unsaved_campaign(preset)
    work = unsaved_work(campaign, title="红岩家书", form=form, submitted=SUBMITTED, **entrant)
    result = reading.read_form(word.form_document(work, campaign.rules.document(key)), campaign.rules)
    assert result.problems == []
    assert result.values == {"title": "红岩家书", **form}
    assert result.entrant.name == entrant["name"]
    assert result.entrant.unit == entrant.get("affiliation", "")

"""The published list: awards in order, the passed works until decisions exist, a PDF anyone can read."""

import pytest

from guangying.campaigns.models import Entrant
from guangying.documents import pdf
from guangying.documents.published import (
    PublishedEntry,
    campaign_published_list,
    default_title,
    grouped,
    passed_entries,
    published_docx,
    published_pdf,
)
from guangying.submissions.models import WorkState
from tests.factories import EntrantFactory, WorkFactory

from .helpers import body_paragraphs, open_docx, table_rows

AWARDED = [
    PublishedEntry("山城记忆", "重庆市示例局", "优秀作品"),
    PublishedEntry("红岩家书", "赵小红（重庆示例中学）", "一等奖"),
    PublishedEntry("江上灯火", "示例区委宣传部", "三等奖"),
    PublishedEntry("雾都晨光", "示例大学", "二等奖"),
    PublishedEntry("嘉陵江畔", "示例街道", "一等奖"),
    PublishedEntry("特别的光", "示例中心", "特别优秀作品奖励"),
]


def test_awards_come_in_their_order_with_their_own_numbers():
    groups = grouped(AWARDED)
    assert [award for award, _ in groups] == ["一等奖", "二等奖", "三等奖", "优秀作品", "特别优秀作品奖励"]
    assert [e.title for e in groups[0][1]] == ["红岩家书", "嘉陵江畔"]  # in the order given
    document = open_docx(published_docx(AWARDED, title="“红色光影 英雄重庆”优秀作品名单",
                                        subtitle="2027年1月10日", entrant_label="报送单位/作者"))
    paragraphs = [p for p in body_paragraphs(document) if p]
    assert paragraphs == ["“红色光影 英雄重庆”优秀作品名单", "2027年1月10日", "一等奖", "二等奖", "三等奖",
                          "优秀作品", "特别优秀作品奖励"]
    tables = [table_rows(t) for t in document.tables]
    assert len(tables) == 5
    assert tables[0] == [["序号", "作品名称", "报送单位/作者"], ["1", "红岩家书", "赵小红（重庆示例中学）"],
                         ["2", "嘉陵江畔", "示例街道"]]
    assert tables[1][1] == ["1", "雾都晨光", "示例大学"]


def test_a_list_without_awards_is_one_table_without_headings():
    entries = [PublishedEntry("甲", "单位甲"), PublishedEntry("乙", "单位乙")]
    document = open_docx(published_docx(entries, title="名单"))
    assert [p for p in body_paragraphs(document) if p] == ["名单"]
    assert table_rows(document.tables[0]) == [["序号", "作品名称", "报送单位/作者"], ["1", "甲", "单位甲"],
                                              ["2", "乙", "单位乙"]]


def test_the_campaigns_own_order_of_awards_comes_first():
    entries = [*AWARDED, PublishedEntry("金色年华", "示例馆", "特等奖")]
    groups = grouped(entries, ["特等奖", "一等奖", "二等奖", "三等奖"])
    assert [award for award, _ in groups] == [
        "特等奖", "一等奖", "二等奖", "三等奖", "优秀作品", "特别优秀作品奖励"]  # the rest as first named
    document = open_docx(published_docx(entries, title="名单", award_order=["特等奖", "一等奖"]))
    assert [p for p in body_paragraphs(document) if p][1:3] == ["特等奖", "一等奖"]


def test_entries_without_an_award_come_last_under_no_heading():
    groups = grouped([PublishedEntry("甲", "单位甲"), PublishedEntry("乙", "单位乙", "二等奖")])
    assert [award for award, _ in groups] == ["二等奖", ""]


def test_an_empty_list_says_so():
    document = open_docx(published_docx([], title="名单"))
    assert "（暂无）" in body_paragraphs(document)
    assert document.tables == []


def test_hostile_text_stays_text():
    entries = [PublishedEntry("<script>alert(1)</script>\n第二行 🎬\x07", "=cmd|' /C calc'!A0")]
    rows = table_rows(open_docx(published_docx(entries, title="名单<b>")).tables[0])
    assert rows[1] == ["1", "<script>alert(1)</script>\n第二行 🎬", "=cmd|' /C calc'!A0"]


@pytest.mark.django_db
def test_until_decisions_the_list_is_the_passed_works_by_entrant_then_title(chongqing):
    unit = EntrantFactory(campaign=chongqing, name="乙单位")
    person = EntrantFactory(campaign=chongqing, kind=Entrant.Kind.INDIVIDUAL, name="甲某",
                            affiliation="示例中学")
    WorkFactory(entrant=unit, title="山城", state=WorkState.PASSED)
    WorkFactory(entrant=unit, title="江上", state=WorkState.PASSED)
    WorkFactory(entrant=unit, title="未过", state=WorkState.SUBMITTED)
    WorkFactory(entrant=unit, title="退回", state=WorkState.RETURNED)
    WorkFactory(entrant=person, title="红岩", state=WorkState.PASSED)
    # By the entrant's name, then the title (as stored: 乙 before 甲, 山 before 江).
    assert passed_entries(chongqing) == [
        PublishedEntry("山城", "乙单位"), PublishedEntry("江上", "乙单位"),
        PublishedEntry("红岩", "甲某（示例中学）"),
    ]
    document = campaign_published_list(chongqing)
    assert document.file_name == "“红色光影 英雄重庆”优秀作品名单.docx"
    assert default_title(chongqing.rules) == "“红色光影 英雄重庆”优秀作品名单"
    rows = table_rows(open_docx(document.content).tables[0])
    assert rows[0] == ["序号", "作品名称", "报送单位/作者"]  # individuals enter in Chongqing
    assert len(rows) == 4


@pytest.mark.django_db
def test_a_decisions_module_passes_its_own_entries(hubei):
    entries = [PublishedEntry("一封家书", "长川市委统战部", "优秀作品")]
    document = campaign_published_list(hubei, entries=entries, title="“微光映同心”微视频优秀作品公示名单",
                                       subtitle="公示期：5个工作日")
    paragraphs = [p for p in body_paragraphs(open_docx(document.content)) if p]
    assert paragraphs == ["“微光映同心”微视频优秀作品公示名单", "公示期：5个工作日", "优秀作品"]
    assert table_rows(open_docx(document.content).tables[0])[0] == ["序号", "作品名称", "报送单位"]


@pytest.fixture(scope="module")
def list_pdf() -> bytes:
    return published_pdf(AWARDED, title="“红色光影 英雄重庆”优秀作品名单", subtitle="2027年1月10日")


def test_the_pdf_embeds_its_fonts_and_its_chinese_can_be_copied(list_pdf):
    fonts = pdf.pdf_fonts(list_pdf)
    assert fonts and all(font.embedded for font in fonts), fonts
    assert any("CJK" in font.name or "WenQuanYi" in font.name for font in fonts)
    text = "".join(pdf.pdf_text(list_pdf).split())
    assert "“红色光影英雄重庆”优秀作品名单" in text
    positions = [text.index(award) for award in ("一等奖", "二等奖", "三等奖", "优秀作品奖励")]
    assert positions == sorted(positions)
    for entry in AWARDED:
        assert entry.title in text and entry.entrant in text
    assert pdf.page_count(list_pdf) == 1


@pytest.mark.django_db
def test_a_file_suffix_names_the_file_apart_from_the_final_list(hubei):
    entries = [PublishedEntry("一封家书", "长川市委统战部", "优秀作品")]
    preview = campaign_published_list(hubei, entries=entries, subtitle="（预览稿，尚未公布）",
                                      file_suffix="（预览稿）")
    assert preview.file_name == "“微光映同心”优秀作品名单（预览稿）.docx"
    assert campaign_published_list(hubei, entries=entries).file_name == "“微光映同心”优秀作品名单.docx"
    paragraphs = [p for p in body_paragraphs(open_docx(preview.content)) if p]
    assert paragraphs[:2] == ["“微光映同心”优秀作品名单", "（预览稿，尚未公布）"]

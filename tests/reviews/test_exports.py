"""The organiser's score sheets and ranking, read back with openpyxl as Excel would open them."""

import io
from datetime import UTC, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from guangying.campaigns.models import CampaignRole
from guangying.reviews import exports, services
from guangying.reviews.models import Assignment, ReviewRound, Score
from guangying.reviews.rounds import open_round, rounds_for, save_score
from guangying.submissions.models import WorkState
from tests.factories import EntrantFactory, UserFactory, WorkFactory, member_of
from tests.reviews.helpers import client_for

pytestmark = pytest.mark.django_db

HOSTILE = "=cmd|' /C calc'!A0"
SCRIPT = "<script>alert(1)</script>"
HIGH = {"emotion": "9", "depth": "9", "appeal": "9", "reach": "9", "craft": "9"}
MID = {"emotion": "8", "depth": "7", "appeal": "9", "reach": "6", "craft": "8.5"}
LOW = {"emotion": "5", "depth": "5", "appeal": "5", "reach": "5", "craft": "5"}



def book(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def reviewer(campaign, name: str, unit_name: str = ""):
    user = UserFactory(name=name)
    CampaignRole.objects.create(campaign=campaign, user=user, role=CampaignRole.Role.REVIEWER,
                                unit_name=unit_name)
    return user


@pytest.fixture
def scored(hubei, unit, other_unit):
    """初审 open: two works with three reviewers each; submitted, draft and untouched scores."""
    work_a = WorkFactory(entrant=unit, title="一封家书", state=WorkState.PASSED)
    work_b = WorkFactory(entrant=other_unit, title=HOSTILE, state=WorkState.PASSED)
    first, _second = rounds_for(hubei)
    open_round(first)
    jia = reviewer(hubei, "专家甲", "示例研究院")
    yi, bing = reviewer(hubei, "专家乙"), reviewer(hubei, "专家丙")
    a = {r.name: Assignment.objects.create(round=first, work=work_a, reviewer=r) for r in (jia, yi, bing)}
    b = {r.name: Assignment.objects.create(round=first, work=work_b, reviewer=r) for r in (jia, yi, bing)}
    save_score(a["专家甲"], HIGH, comment=SCRIPT, by=jia, submit=True)
    save_score(a["专家乙"], MID, comment="结构完整", by=yi, submit=True)
    save_score(a["专家丙"], LOW, comment=HOSTILE, by=bing, submit=True)
    save_score(b["专家甲"], {"emotion": "7"}, comment="还没看完", by=jia)  # a draft
    save_score(b["专家乙"], MID, by=yi, submit=True)
    Score.objects.filter(assignment=a["专家甲"]).update(submitted_at=datetime(2026, 11, 30, 6, 5, tzinfo=UTC))
    return first, work_a, work_b, a, b


def test_one_sheet_per_reviewer_with_their_works(scored):
    first, *_ = scored
    workbook = book(exports.reviewer_workbook(first))
    assert workbook.sheetnames == ["专家丙", "专家乙", "专家甲"]
    sheet = rows(workbook["专家甲"])
    assert sheet[0][0] == "初审 · 评审专家：专家甲（示例研究院）"
    header = sheet[1]
    assert header[:3] == ("序号", "作品名称", "报送主体")
    assert "情感温度（10 分）" in header and "制作水平（10 分）" in header
    assert header[-5:] == ("总分（百分制）", "评语", "状态", "提交时间", "最后保存时间")
    by_title = {row[1]: dict(zip(header, row, strict=False)) for row in sheet[2:] if row[1]}
    done = by_title["一封家书"]
    assert done["报送主体"] == "长川市委统战部"
    assert done["情感温度（10 分）"] == 9 and done["总分（百分制）"] == 90
    assert done["评语"] == SCRIPT and done["状态"] == "已提交"
    assert done["提交时间"] == "2026-11-30 14:05"  # Asia/Shanghai, as text
    draft = by_title[HOSTILE]
    assert draft["状态"] == "草稿" and draft["情感温度（10 分）"] == 7 and draft["内容深度（10 分）"] is None
    assert draft["总分（百分制）"] is None and draft["提交时间"] is None and draft["评语"] == "还没看完"
    assert draft["报送主体"] == "明德大学党委统战部"
    untouched = next(r for r in rows(workbook["专家丙"])[2:] if r[1] == HOSTILE)
    untouched = dict(zip(header, untouched, strict=False))
    assert untouched["状态"] == "未评" and untouched["情感温度（10 分）"] is None
    assert any(row[0] == "评审专家签名：" for row in sheet)


def test_decimal_points_stay_exact(scored):
    first, *_ = scored
    sheet = rows(book(exports.reviewer_workbook(first))["专家乙"])
    header = sheet[1]
    row = dict(zip(header, next(r for r in sheet[2:] if r[1] == "一封家书"), strict=False))
    assert row["制作水平（10 分）"] == 8.5
    assert Decimal(str(row["总分（百分制）"])) == Decimal("77")  # (8+7+9+6+8.5)/50×100


def test_hostile_titles_and_comments_stay_text(scored, hubei, organiser):
    first, *_ = scored
    for content in (exports.reviewer_workbook(first), exports.work_workbook(first),
                    exports.ranking_workbook(first)):
        workbook = book(content)
        seen = set()
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.value in (HOSTILE, SCRIPT):
                        assert cell.data_type == "s", (sheet.title, cell.coordinate)
                        seen.add(cell.value)
                    assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
        assert HOSTILE in seen
    assert SCRIPT in {c.value for s in book(exports.reviewer_workbook(first)).worksheets
                      for r in s.iter_rows() for c in r}


def test_reviewer_names_that_collide_get_unique_sheet_names(hubei, unit):
    work = WorkFactory(entrant=unit, title="作品", state=WorkState.PASSED)
    first, _second = rounds_for(hubei)
    open_round(first)
    long = "中国传媒大学影视艺术研究院纪录片创作研究中心特聘评审专家"  # more than 31 characters
    names = [long + "甲", long + "乙", "A/B:C*D?E[F]G\\H", "'引号'", "History", "", "专家", "专家"]
    for name in names:
        Assignment.objects.create(round=first, work=work, reviewer=reviewer(hubei, name))
    workbook = book(exports.reviewer_workbook(first))
    titles = workbook.sheetnames
    assert len(titles) == len(names)
    assert len({t.casefold() for t in titles}) == len(titles)
    for title in titles:
        assert 0 < len(title) <= 31 and not set(title) & set("[]:*?/\\")
        assert not title.startswith("'") and not title.endswith("'") and title.casefold() != "history"
    assert sum(1 for t in titles if t.startswith(long[:25])) == 2
    assert "ABCDEFGH" in titles and "引号" in titles


def test_sheet_names_by_rule():
    taken: set[str] = set()
    assert exports.sheet_name("Sheet", taken) == "Sheet"
    assert exports.sheet_name("sheet", taken) == "sheet(2)"
    assert exports.sheet_name("x" * 40, taken) == "x" * 31
    assert exports.sheet_name("x" * 40, taken) == "x" * 28 + "(2)"
    assert exports.sheet_name("x" * 31, taken) == "x" * 28 + "(3)"
    assert exports.sheet_name("[]:*?/\\", taken, fallback="空") == "空"
    assert exports.sheet_name("''", taken, fallback="空") == "空(2)"


def test_an_empty_round_gives_workbooks_with_a_header(hubei):
    first, _second = rounds_for(hubei)
    for content, header_row in ((exports.reviewer_workbook(first), 0), (exports.work_workbook(first), 1),
                                (exports.ranking_workbook(first), 1)):
        workbook = book(content)
        assert len(workbook.worksheets) == 1
        sheet = rows(workbook.worksheets[0])
        assert len(sheet) == header_row + 1
        assert sheet[header_row][1] == "作品名称" or "作品" in sheet[header_row]


def test_the_work_sheet_carries_each_review_and_the_rounds_score(scored):
    first, *_ = scored
    trimmed = "本轮得分（去掉一个最高分和一个最低分后的平均分）"
    sheet = rows(book(exports.work_workbook(first))["按作品"])
    assert "去掉一个最高分和一个最低分后的平均分" in sheet[0][0]
    header = sheet[1]
    assert header[:5] == ("名次", "作品名称", "报送主体", trimmed, "评审专家")
    lines = [dict(zip(header, r, strict=False)) for r in sheet[2:]]
    of_a = [r for r in lines if r["作品名称"] == "一封家书"]
    assert [r["评审专家"] for r in of_a] == ["专家丙", "专家乙", "专家甲"]
    assert {r[trimmed] for r in of_a} == {77}  # the middle mark
    assert {r["名次"] for r in of_a} == {1}
    counted = {r["评审专家"]: r["计分"] for r in of_a}
    assert counted == {"专家甲": "去掉的最高分", "专家乙": "计入", "专家丙": "去掉的最低分"}
    assert {r["报送主体"] for r in of_a} == {"长川市委统战部"}
    of_b = {r["评审专家"]: r for r in lines if r["作品名称"] == HOSTILE}
    assert of_b["专家甲"]["状态"] == "草稿" and of_b["专家甲"]["计分"] == "未提交"
    assert of_b["专家丙"]["状态"] == "未评"
    assert of_b["专家乙"]["计分"] == "计入" and of_b["专家乙"][trimmed] == 77
    # Works in ranking order: the first rows are the first work's.
    assert lines[0]["作品名称"] == "一封家书"


def test_a_work_nobody_was_given_says_so(hubei, unit):
    WorkFactory(entrant=unit, title="无人评", state=WorkState.PASSED)
    first, _second = rounds_for(hubei)
    open_round(first)
    sheet = rows(book(exports.work_workbook(first))["按作品"])
    assert sheet[2][1] == "无人评" and sheet[2][4] == "（未分配评审专家）"


def test_a_round_without_criteria_takes_the_overall_mark(chongqing):
    entrant = EntrantFactory(campaign=chongqing, name="渝中区示例单位")
    work = WorkFactory(entrant=entrant, title="红岩", state=WorkState.PASSED)
    first = rounds_for(chongqing)[0]
    assert not first.criteria.exists()
    open_round(first)
    expert = reviewer(chongqing, "渝专家")
    save_score(Assignment.objects.create(round=first, work=work, reviewer=expert), {}, overall="86.5",
               by=expert, submit=True)
    sheet = rows(book(exports.reviewer_workbook(first))["渝专家"])
    row = dict(zip(sheet[1], sheet[2], strict=False))
    assert row["综合评分（100 分）"] == 86.5 and row["状态"] == "已提交" and "总分（百分制）" not in row
    works = rows(book(exports.work_workbook(first))["按作品"])
    row = dict(zip(works[1], works[2], strict=False))
    assert row["综合评分（100 分）"] == 86.5 and row["名次"] == 1


def test_a_zscore_round_shows_the_standardised_value(scored):
    first, *_ = scored
    ReviewRound.objects.filter(pk=first.pk).update(method=ReviewRound.Method.ZSCORE)
    first.refresh_from_db()
    sheet = rows(book(exports.work_workbook(first))["按作品"])
    assert "标准化得分" in sheet[1]


def test_a_blind_round_still_names_entrants_to_the_organiser(scored, hubei, organiser):
    first, *_ = scored
    ReviewRound.objects.filter(pk=first.pk).update(blind=True)
    client = client_for(organiser)
    for name in ("sheets_reviewers", "sheets_works", "results_xlsx"):
        response = client.get(reverse(f"reviews:{name}", args=[hubei.slug, "first"]))
        assert response.status_code == 200, name
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
        cells = {c.value for s in book(response.content).worksheets for r in s.iter_rows() for c in r}
        assert "长川市委统战部" in cells and "明德大学党委统战部" in cells, name


def test_the_ranking_keeps_its_columns_and_adds_the_entrant(scored, hubei, organiser):
    response = client_for(organiser).get(reverse("reviews:results_xlsx", args=[hubei.slug, "first"]))
    sheet = rows(book(response.content).active)
    title = sheet[0][0]
    assert title.startswith("微光映同心 · 初审 · 评分排名")
    assert "去掉一个最高分和一个最低分后的平均分" in title
    header = sheet[1]
    assert header.index("报送主体") == header.index("作品") + 1 and "情感温度（10 分）" in header
    first_row = dict(zip(header, sheet[2], strict=False))
    assert first_row["作品"] == "一封家书" and first_row["报送主体"] == "长川市委统战部"
    assert first_row["名次"] == 1


def test_nobody_but_the_organiser_reaches_the_sheets(scored, hubei, unit, chongqing):
    _first, _work_a, _work_b, a, _b = scored
    expert = a["专家甲"].reviewer
    other_organiser = UserFactory()
    CampaignRole.objects.create(campaign=chongqing, user=other_organiser, role=CampaignRole.Role.ORGANISER)
    for user in (expert, member_of(unit, UserFactory()), other_organiser):
        client = client_for(user)
        for name in ("sheets_reviewers", "sheets_works", "results_xlsx"):
            assert client.get(reverse(f"reviews:{name}", args=[hubei.slug, "first"])).status_code == 404
    anonymous = Client().get(reverse("reviews:sheets_works", args=[hubei.slug, "first"]))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_unknown_rounds_and_campaigns_are_not_found(scored, hubei, organiser):
    client = client_for(organiser)
    assert client.get(reverse("reviews:sheets_works", args=[hubei.slug, "third"])).status_code == 404
    assert client.get(reverse("reviews:sheets_reviewers", args=["nowhere", "first"])).status_code == 404
    assert client.post(reverse("reviews:sheets_works", args=[hubei.slug, "first"])).status_code == 405


def test_every_sheet_has_widths_and_a_frozen_header(scored, hubei):
    first, *_ = scored
    for content, frozen in ((exports.reviewer_workbook(first), "C3"), (exports.work_workbook(first), "C3"),
                            (exports.ranking_workbook(first), "D3")):
        for sheet in book(content).worksheets:
            assert sheet.freeze_panes == frozen, sheet.title
            widths = {key: dim.width for key, dim in sheet.column_dimensions.items()}
            assert widths and all(exports.COLUMN_MIN <= w <= exports.COLUMN_MAX for w in widths.values())
    ranking = book(exports.ranking_workbook(first)).active
    header = [c.value for c in ranking[2]]
    title_column = ranking.column_dimensions["C"].width  # 作品: the longest title is wider than 名次
    assert header[2] == "作品" and title_column > ranking.column_dimensions["A"].width
    assert ranking.print_title_rows == "$2:$2"


def test_the_ranking_has_the_recorded_marks_the_points_and_names(scored, hubei, organiser):
    first, *_ = scored
    sheet = rows(book(exports.ranking_workbook(first)).active)
    header = sheet[1]
    assert "晋级" in header and all(row[header.index("晋级")] is None for row in sheet[2:])  # nothing chosen
    services.advance(first, top=1, by=organiser)
    sheet = rows(book(exports.ranking_workbook(first)).active)
    lines = {row[header.index("作品")]: dict(zip(header, row, strict=False)) for row in sheet[2:]}
    assert lines["一封家书"]["晋级"] == "晋级" and lines[HOSTILE]["晋级"] == "未晋级"
    assert lines["一封家书"]["情感温度（10 分）"] == 8  # the middle mark of 9, 8, 5: on its own scale
    notes = lines["一封家书"]["说明"]
    assert "评委专家甲" in notes and "评委专家丙" in notes  # the trimmed marks, by name
    assert "评委专家甲尚未评分" not in notes
    assert "评委专家甲" in lines[HOSTILE]["说明"] and "评委专家丙尚未评分" in lines[HOSTILE]["说明"]


def test_the_last_rounds_ranking_says_selected(scored, hubei):
    first, *_ = scored
    ReviewRound.objects.filter(campaign=hubei).exclude(pk=first.pk).delete()  # 初审 is now the only round
    header = rows(book(exports.ranking_workbook(first)).active)[1]
    assert "入选" in header and "晋级" not in header


def test_a_zscore_ranking_says_which_columns_are_standardised(scored):
    first, *_ = scored
    ReviewRound.objects.filter(pk=first.pk).update(method=ReviewRound.Method.ZSCORE)
    first.refresh_from_db()
    header = rows(book(exports.ranking_workbook(first)).active)[1]
    assert "得分（标准化后）" in header and "分差（标准化后）" in header
    assert "情感温度（10 分，标准化后）" in header and "有效评审" in header

"""The works list as a workbook: the campaign's own rows as columns, text that stays text."""

import hashlib
import io
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from guangying.campaigns.models import Entrant
from guangying.submissions import workflow
from guangying.submissions.exports import works_workbook
from guangying.submissions.models import Work, WorkState
from tests.factories import EntrantFactory, WorkFactory, member_of

from .helpers import complete_form, complete_work

pytestmark = pytest.mark.django_db

FIXED = ["序号", "作品名称", "报送主体", "主体类型", "所在单位", "状态", "提交时间", "单独延期至", "集数",
         "视频文件", "视频 SHA-256"]


def open_sheet(data: bytes):
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["作品列表"]
    return workbook["作品列表"]


def rows_of(sheet) -> list[dict[str, object]]:
    header = [cell.value for cell in sheet[1]]
    return [dict(zip(header, (cell.value for cell in row), strict=True))
            for row in sheet.iter_rows(min_row=2)]


def test_hubei_headers_are_the_info_sheet_rows(hubei):
    sheet = open_sheet(works_workbook(hubei, []))
    header = [cell.value for cell in sheet[1]]
    assert header == [
        *FIXED, "选题方向", "主创人员信息", "作品简介", "视频脚本内容", "联系人", "联系电话", "版权承诺书",
        "使用人工智能生成合成内容",
    ]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.max_row == 1


def test_chongqing_headers_are_the_registration_rows(chongqing):
    header = [cell.value for cell in open_sheet(works_workbook(chongqing, []))[1]]
    assert header == [
        *FIXED, "征集主题", "作品类别", "作品时长", "播出情况", "联系人", "联系电话", "作品创作团队情况",
        "作品简介", "版权承诺书", "最终视频文稿", "使用人工智能生成合成内容",
    ]


def test_rows_carry_the_form_files_and_state(unit, member, mp4_bytes):
    work = workflow.create_work(unit, member, title="光谷里的微光")
    complete_work(work, member, mp4_bytes)
    work.categories = {"direction": "jingchu"}
    work.save()
    workflow.submit(work, member)
    draft = workflow.create_work(unit, member, title="未完成的草稿")
    works = Work.objects.filter(pk__in=[work.pk, draft.pk]).order_by("pk")

    first, second = rows_of(open_sheet(works_workbook(unit.campaign, works)))

    work.refresh_from_db()
    assert first["序号"] == 1
    assert first["作品名称"] == "光谷里的微光"
    assert first["报送主体"] == first["所在单位"] == "长川市委统战部"
    assert first["主体类型"] == "单位"
    assert first["状态"] == "已提交"
    assert first["提交时间"] == timezone.localtime(work.submitted_at).strftime("%Y-%m-%d %H:%M")
    assert first["集数"] == 1
    assert first["视频文件"] == "长川市委统战部-光谷里的微光.mp4"
    assert first["视频 SHA-256"] == hashlib.sha256(mp4_bytes).hexdigest()
    assert first["选题方向"] == "微光·闪耀荆楚"
    assert first["主创人员信息"] == "姓名：张小明 职务：导演 联系方式：13800000001"
    assert first["联系电话"] == "027-12345678"
    assert first["版权承诺书"] == "已上传"
    assert first["使用人工智能生成合成内容"] == "否"
    assert second["作品名称"] == "未完成的草稿"
    assert second["状态"] == "草稿"
    assert second["版权承诺书"] == "缺"
    assert second["视频文件"] is None
    assert second["提交时间"] is None


def test_chongqing_row_shows_duration_broadcast_series_and_individuals(chongqing, mp4_bytes):
    person = EntrantFactory(campaign=chongqing, kind=Entrant.Kind.INDIVIDUAL, name="赵小川",
                            affiliation="示例中学")
    user = member_of(person)
    work = workflow.create_work(person, user, title="红岩家书")
    workflow.add_episode(work, user)
    complete_work(work, user, mp4_bytes)
    work.form_data["broadcast"] = {"status": "aired", "platform": "华龙网", "link": "https://example.org/v/1"}
    work.categories = {"theme": ["achievements", "new_era"], "genre": "vlog"}
    work.uses_ai = True
    work.save()
    extended = datetime(2026, 12, 5, 18, 0, tzinfo=chongqing.rules.zone)
    Work.objects.filter(pk=work.pk).update(deadline_extended_until=extended)

    (row,) = rows_of(open_sheet(works_workbook(chongqing, Work.objects.filter(pk=work.pk))))

    assert (row["报送主体"], row["主体类型"], row["所在单位"]) == ("赵小川", "个人", "示例中学")
    assert row["集数"] == 2
    assert row["视频文件"] == "赵小川-红岩家书.mp4\n赵小川-红岩家书.mp4"
    assert row["作品时长"] == "4分30秒"
    assert row["播出情况"] == "已播出 华龙网 https://example.org/v/1"
    assert row["征集主题"] == "百年奋斗重大成就和历史经验、“十五五”时期的奋斗风貌"
    assert row["作品类别"] == "Vlog"
    assert row["单独延期至"] == "2026-12-05 18:00"
    assert row["最终视频文稿"] == "已上传"
    assert row["使用人工智能生成合成内容"] == "是"


@pytest.mark.parametrize(
    "title",
    ['=HYPERLINK("http://x","点我")', "=1+1", "+SUM(1,2)", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0"],
)
def test_text_that_looks_like_a_formula_stays_text(unit, title):
    work = WorkFactory(entrant=unit, title=title)
    work.form_data = {"synopsis": title, "creators": [{"name": title, "post": "", "contact": ""}]}
    work.save()
    sheet = open_sheet(works_workbook(unit.campaign, [work]))
    header = [cell.value for cell in sheet[1]]
    row = sheet[2]
    title_cell = row[header.index("作品名称")]
    assert title_cell.value == title
    assert title_cell.data_type == "s"
    synopsis_cell = row[header.index("作品简介")]
    assert (synopsis_cell.value, synopsis_cell.data_type) == (title, "s")
    assert all(cell.data_type != "f" for cell in row)


def test_long_text_wraps(unit):
    work = WorkFactory(entrant=unit)
    complete_form(work)
    work.form_data["script"] = "第一场：清晨的实验室。" * 20
    work.save()
    sheet = open_sheet(works_workbook(unit.campaign, [work]))
    header = [cell.value for cell in sheet[1]]
    cell = sheet[2][header.index("视频脚本内容")]
    assert cell.value == "第一场：清晨的实验室。" * 20
    assert cell.alignment.wrap_text is True


# ---- through the organiser's page, with the list's filters


@pytest.fixture
def listed(hubei, unit, other_unit, member, other_member, mp4_bytes):
    handed_in = workflow.create_work(unit, member, title="光谷里的微光")
    complete_work(handed_in, member, mp4_bytes)
    workflow.submit(handed_in, member)
    draft = workflow.create_work(unit, member, title="同心路上")
    other = workflow.create_work(other_unit, other_member, title="明德讲堂")
    discarded = workflow.create_work(other_unit, other_member, title="已撤销的草稿")
    workflow.discard(discarded, other_member)
    return {"handed_in": handed_in, "draft": draft, "other": other, "discarded": discarded}


def export(client, organiser, campaign, **params):
    client.force_login(organiser)
    response = client.get(reverse("submissions:manage_export", args=[campaign.slug]), params)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return [row["作品名称"] for row in rows_of(open_sheet(response.content))]


def test_export_without_filters_lists_every_live_work(client, organiser, hubei, listed):
    assert sorted(export(client, organiser, hubei)) == sorted(["光谷里的微光", "同心路上", "明德讲堂"])


def test_export_filters_by_state(client, organiser, hubei, listed):
    assert export(client, organiser, hubei, state=WorkState.SUBMITTED) == ["光谷里的微光"]
    assert export(client, organiser, hubei, state=WorkState.WITHDRAWN) == ["已撤销的草稿"]


def test_export_filters_by_entrant_and_text(client, organiser, hubei, listed, other_unit):
    assert export(client, organiser, hubei, entrant=other_unit.pk) == ["明德讲堂"]
    assert export(client, organiser, hubei, q="微光") == ["光谷里的微光"]
    assert sorted(export(client, organiser, hubei, q="长川")) == ["光谷里的微光", "同心路上"]
    assert export(client, organiser, hubei, q="不存在的名称") == []


def test_export_is_named_after_the_campaign(client, organiser, hubei, listed):
    client.force_login(organiser)
    response = client.get(reverse("submissions:manage_export", args=[hubei.slug]))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition
    assert "%E5%BE%AE%E5%85%89%E6%98%A0%E5%90%8C%E5%BF%83" in disposition  # 微光映同心
    assert disposition.endswith(".xlsx")


def test_export_is_for_organisers_only(client, member, hubei, listed):
    client.force_login(member)
    response = client.get(reverse("submissions:manage_export", args=[hubei.slug]))
    assert response.status_code == 404

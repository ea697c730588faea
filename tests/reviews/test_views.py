"""The organiser's review desk through its pages: open, assign, watch progress, rank, advance, export."""

import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from guangying.campaigns.models import CampaignRole
from guangying.reviews.models import Assignment, ReviewLog, ReviewRound, RoundWork
from guangying.reviews.rounds import save_score
from guangying.submissions.models import WorkState
from tests.factories import UserFactory, WorkFactory, member_of
from tests.reviews.helpers import client_for

pytestmark = pytest.mark.django_db

MARKS = {"emotion": 8, "depth": 7, "appeal": 9, "reach": 6, "craft": 8}



@pytest.fixture
def desk(hubei, unit, other_unit, organiser):
    for entrant in (unit, other_unit):
        for n in range(3):
            WorkFactory(entrant=entrant, title=f"{entrant.name[:2]}{n}", state=WorkState.PASSED)
    for i, name in enumerate(["长川市委统战部", "", ""]):
        CampaignRole.objects.create(campaign=hubei, user=UserFactory(name=f"专家{i}"),
                                    role=CampaignRole.Role.REVIEWER, unit_name=name)
    return client_for(organiser)


def url(name, hubei, *args):
    return reverse(f"reviews:{name}", args=[hubei.slug, *args])


def test_the_organiser_runs_the_first_round(desk, hubei, unit):
    page = desk.get(url("rounds", hubei)).content.decode()
    assert "初审" in page and "复审" in page and "情感温度" in page and "开始本轮评审" in page
    response = desk.post(url("action", hubei, "first", "open"), follow=True)
    assert "共 6 件作品参评" in response.content.decode()
    response = desk.post(url("action", hubei, "first", "assign"), follow=True)
    page = response.content.decode()
    assert "已分配" in page
    first = ReviewRound.objects.get(campaign=hubei, key="first")
    # The unit's own reviewer is kept off its three works: two reviewers each, and the page says so.
    assert first.assignments.count() == 3 * 3 + 3 * 2
    assert not first.assignments.filter(work__entrant=unit, reviewer__name="专家0").exists()
    assert "少于" in page or "只有" in page
    for a in Assignment.objects.filter(round=first):
        save_score(a, MARKS, by=a.reviewer, submit=True)
    page = desk.get(url("rounds", hubei)).content.decode()
    assert "专家0" in page and "已评" in page
    results = desk.get(url("results", hubei, "first")).content.decode()
    assert "去掉一个最高分和一个最低分" in results and "长川" in results
    response = desk.post(url("advance", hubei, "first"), {"top": "2"}, follow=True)
    assert "晋级下一轮" in response.content.decode()
    assert RoundWork.objects.filter(round=first, advanced=True).count() >= 2
    sheet = desk.get(url("results_xlsx", hubei, "first"))
    book = openpyxl.load_workbook(io.BytesIO(sheet.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 8 and "情感温度（10 分）" in rows[1]  # a title line, the header, six works
    desk.post(url("action", hubei, "first", "close"))
    assert ReviewRound.objects.get(pk=first.pk).status == ReviewRound.Status.CLOSED
    response = desk.post(url("action", hubei, "second", "open"), follow=True)
    assert "复审" in response.content.decode()
    assert ReviewRound.objects.get(campaign=hubei, key="second").entries.count() >= 2


def test_refusals_are_said(desk, hubei):
    response = desk.post(url("action", hubei, "second", "open"), follow=True)
    assert "尚未结束" in response.content.decode()
    response = desk.post(url("action", hubei, "first", "assign"), follow=True)
    assert "请先开始本轮评审" in response.content.decode()
    desk.post(url("action", hubei, "first", "open"))
    for bad in ({"top": "0"}, {"top": "两"}, {"at_least": "八十"}, {}):
        response = desk.post(url("advance", hubei, "first"), bad, follow=True)
        assert "晋级名额" in response.content.decode() or "请填写" in response.content.decode()
    assert desk.post(url("action", hubei, "first", "nonsense")).status_code == 404


def test_nobody_else_reaches_the_desk(desk, hubei, unit, member):
    reviewer = CampaignRole.objects.filter(campaign=hubei, role=CampaignRole.Role.REVIEWER).first().user
    stranger = member_of(unit, UserFactory())
    for user in (member, reviewer, stranger):
        client = client_for(user)
        assert client.get(url("rounds", hubei)).status_code == 404
        assert client.post(url("action", hubei, "first", "open")).status_code == 404
        assert client.get(url("results_xlsx", hubei, "first")).status_code == 404
    anonymous = Client().get(url("rounds", hubei))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert not ReviewRound.objects.filter(status=ReviewRound.Status.OPEN).exists()


def run_first(desk, hubei):
    desk.post(url("action", hubei, "first", "open"))
    desk.post(url("action", hubei, "first", "assign"))
    first = ReviewRound.objects.get(campaign=hubei, key="first")
    for a in Assignment.objects.filter(round=first).order_by("work_id", "reviewer_id"):
        save_score(a, {k: min(10, v + a.work_id % 3) for k, v in MARKS.items()}, by=a.reviewer, submit=True)
    return first


def test_the_results_page_is_short_names_everyone_and_shows_the_recorded_marks(desk, hubei):
    first = run_first(desk, hubei)
    waiting = Assignment.objects.filter(round=first).select_related("reviewer").first()
    waiting.score.delete()
    page = desk.get(url("results", hubei, "first")).content.decode()
    head = page.split("<thead>")[1].split("</thead>")[0]
    assert head.count("<th") == 6 and "报送主体" in head and "分歧" in head and "晋级" in head
    assert "长川市委统战部" in page and "明德大学党委统战部" in page  # the organiser is never blind
    assert f"评委{waiting.reviewer.name}尚未评分，不计入。" in page
    assert "<details>" in page and "情感温度（10 分）" in page
    assert page.count("计分方法") == 1 and "去掉一个最高分和一个最低分后的平均分" in page
    assert 'class="badge state-passed"' not in page  # nothing chosen yet
    response = desk.post(url("advance", hubei, "first"), {"top": "2", "at_least": "60"}, follow=True)
    page = response.content.decode()
    assert "晋级下一轮（前 2 名中达到 60 分的作品）" in page
    chosen = set(RoundWork.objects.filter(round=first, advanced=True).values_list("work_id", flat=True))
    assert page.count('class="badge state-passed"') == len(chosen) >= 2
    assert page.count("未晋级") == 6 - len(chosen)
    assert "两项都填时，取前若干名中达到分数线的作品" in page


def test_advancing_is_refused_once_the_next_round_opened_and_the_page_says_why(desk, hubei):
    first = run_first(desk, hubei)
    desk.post(url("advance", hubei, "first"), {"top": "3"})
    desk.post(url("action", hubei, "first", "close"))
    desk.post(url("action", hubei, "second", "open"))
    marked = set(RoundWork.objects.filter(round=first, advanced=True).values_list("work_id", flat=True))
    page = desk.get(url("results", hubei, "first")).content.decode()
    assert "「复审」已经开始，「初审」的晋级作品不能再修改。" in page and 'name="top"' not in page
    response = desk.post(url("advance", hubei, "first"), {"top": "1"}, follow=True)
    assert "「复审」已经开始" in response.content.decode()
    still = set(RoundWork.objects.filter(round=first, advanced=True).values_list("work_id", flat=True))
    assert still == marked
    # 复审 is the last round: its column and form say 入选
    page = desk.get(url("results", hubei, "second")).content.decode()
    assert "选出入选作品（最后一轮）" in page and "入选名额" in page
    response = desk.post(url("advance", hubei, "second"), {"at_least": "0"}, follow=True)
    assert "件入选作品（达到 0 分）" in response.content.decode()


def test_the_rounds_page_holds_back_the_next_round_and_asks_before_closing(desk, hubei):
    page = desk.get(url("rounds", hubei)).content.decode()
    second = page.split('data-round="second"')[1]
    assert "「初审」结束并选出晋级作品后，才能开始本轮评审。" in second
    assert "disabled" in second.split("</section>")[0]
    desk.post(url("action", hubei, "first", "open"))
    page = desk.get(url("rounds", hubei)).content.decode()
    first = page.split('data-round="first"')[1].split("</section>")[0]
    assert "data-confirm=" in first and "评分全部锁定" in first
    desk.post(url("action", hubei, "first", "close"))
    second = desk.get(url("rounds", hubei)).content.decode().split('data-round="second"')[1]
    assert "才能开始本轮评审" not in second and "disabled" not in second.split("</section>")[0]
    response = desk.post(url("action", hubei, "first", "assign"), follow=True)
    assert "「初审」已结束，评分已锁定，不能再分配作品。" in response.content.decode()


def test_a_hostile_title_is_shown_as_text_on_the_results_page(desk, hubei, unit):
    WorkFactory(entrant=unit, title="<script>alert(1)</script>", state=WorkState.PASSED)
    run_first(desk, hubei)
    page = desk.get(url("results", hubei, "first")).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_desks_changes_are_in_the_audit_trail_with_who(desk, hubei, organiser):
    first = run_first(desk, hubei)
    desk.post(url("advance", hubei, "first"), {"top": "2"})
    desk.post(url("action", hubei, "first", "close"))
    lines = ReviewLog.objects.filter(round=first).order_by("pk")
    assert [(line.action, line.actor) for line in lines] == [
        ("round_opened", organiser), ("assigned", organiser), ("advanced", organiser),
        ("round_closed", organiser)]

"""The review's audit trail: every saved score and every logged change, who and when, filtered and paged."""

import ast
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from guangying.campaigns.models import CampaignRole
from guangying.reviews import audit_views, log
from guangying.reviews.models import Assignment, ReviewLog, ScoreChange
from guangying.reviews.rounds import open_round, rounds_for, save_score
from guangying.submissions.models import WorkState
from tests.factories import EntrantFactory, UserFactory, WorkFactory, member_of
from tests.reviews.helpers import client_for

pytestmark = pytest.mark.django_db

MARKS = {"emotion": "8", "depth": "7", "appeal": "9", "reach": "6", "craft": "8.5"}
SCRIPT = "<script>alert('评语')</script>"
HOSTILE = "=cmd|' /C calc'!A0"



def audit_url(campaign, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("reviews:audit", args=[campaign.slug]) + (f"?{query}" if query else "")


def entries(page: str) -> list[str]:
    """The kinds of the table's rows, in order."""
    return re.findall(r'<tr data-entry="(\w+)">', page)


def at(minutes: int) -> datetime:
    return datetime(2026, 8, 10, 1, 0, tzinfo=UTC) + timedelta(minutes=minutes)


@pytest.fixture
def trail(hubei, unit, other_unit, organiser):
    """初审 open, two reviewers on two works, their saves at known times, and two logged changes."""
    work_a = WorkFactory(entrant=unit, title="一封家书", state=WorkState.PASSED)
    work_b = WorkFactory(entrant=other_unit, title=HOSTILE, state=WorkState.PASSED)
    first, _second = rounds_for(hubei)
    open_round(first)
    ReviewLog.objects.filter(action="round_opened").delete()  # the trail below is the one under test
    jia, yi = UserFactory(name="专家甲"), UserFactory(name="专家乙")
    for person in (jia, yi):
        CampaignRole.objects.create(campaign=hubei, user=person, role=CampaignRole.Role.REVIEWER)
    pairs = {(w.title, r.name): Assignment.objects.create(round=first, work=w, reviewer=r)
             for w in (work_a, work_b) for r in (jia, yi)}
    saves = [
        (("一封家书", "专家甲"), {"emotion": "6"}, "初稿", False, 0),
        (("一封家书", "专家甲"), MARKS, SCRIPT, True, 10),
        (("一封家书", "专家乙"), MARKS, "很好", True, 20),
        ((HOSTILE, "专家甲"), MARKS, HOSTILE, True, 30),
        (("一封家书", "专家甲"), {**MARKS, "craft": "9"}, "改了制作水平", True, 40),
    ]
    for key, values, comment, submit, minutes in saves:
        assignment = pairs[key]
        save_score(assignment, values, comment=comment, by=assignment.reviewer, submit=submit)
        ScoreChange.objects.filter(pk=ScoreChange.objects.latest("pk").pk).update(changed_at=at(minutes))
    assigned = log.record(hubei, "assigned", "自动分配作品：每件作品 2 位评审专家", actor=organiser,
                          round=first)
    # A key the trail has no words for (one added later, or an old one).
    moved = log.record(hubei, "assignment_change", "把《一封家书》从专家乙改给专家甲", actor=organiser,
                       round=first, work=work_a.pk, reviewer=yi.pk)
    ReviewLog.objects.filter(pk=assigned.pk).update(at=at(-5))
    ReviewLog.objects.filter(pk=moved.pk).update(at=at(25))
    return first, work_a, work_b, jia, yi


def test_every_saved_score_and_every_logged_change_in_time_order(trail, hubei, organiser):
    response = client_for(organiser).get(audit_url(hubei))
    page = response.content.decode()
    assert response.status_code == 200
    assert "共 7 条记录" in page
    # Newest first: 40, 30, 25 (log), 20, 10, 0, -5 (log).
    assert entries(page) == ["score", "score", "log", "score", "score", "score", "log"]
    # The times in the campaign's own zone (Asia/Shanghai, UTC+8).
    for minutes in (40, 30, 25, 20, 10, 0, -5):
        assert (at(minutes) + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S") in page
    assert page.count("专家甲") >= 4 and "专家乙" in page
    assert "改了制作水平" in page and "制作水平 9" in page and "情感温度 6" in page and "初稿" in page
    assert "自动分配作品" in page and "把《一封家书》从专家乙改给专家甲" in page and organiser.name in page
    assert SCRIPT not in page and "&lt;script&gt;" in page


def test_each_save_names_who_saved_it(trail, hubei, organiser):
    """Every ScoreChange row is a line of the page, with the person who saved it."""
    page = client_for(organiser).get(audit_url(hubei)).content.decode()
    rows = re.findall(r'<tr data-entry="score">(.*?)</tr>', page, flags=re.S)
    assert len(rows) == ScoreChange.objects.count() == 5
    for change, row in zip(ScoreChange.objects.order_by("-changed_at"), rows, strict=True):
        assert change.changed_by.name in row
        assert (change.changed_at + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M") in row


def test_filters(trail, hubei, organiser):
    _first, work_a, work_b, jia, yi = trail
    client = client_for(organiser)
    page = client.get(audit_url(hubei, reviewer=yi.pk)).content.decode()
    # Yi's one save and the log line that names Yi.
    assert entries(page) == ["log", "score"] and "很好" in page and "改了制作水平" not in page
    page = client.get(audit_url(hubei, work=work_b.pk)).content.decode()
    assert entries(page) == ["score"] and "calc" in page
    page = client.get(audit_url(hubei, work=work_a.pk, reviewer=jia.pk)).content.decode()
    assert entries(page) == ["score", "score", "score"]
    page = client.get(audit_url(hubei, round="first")).content.decode()
    assert len(entries(page)) == 7
    page = client.get(audit_url(hubei, round="second")).content.decode()
    assert entries(page) == [] and "没有符合条件的记录" in page
    assert "以下筛选条件无效" not in page


def kinds(page: str) -> list[tuple[str, str]]:
    """(entry kind, the 类型 badge's words) of the table's rows, in order."""
    row = r'<tr data-entry="(\w+)">\s*<td[^>]*>.*?</td>\s*<td[^>]*><span class="badge[^"]*">([^<]*)</span>'
    return re.findall(row, page, flags=re.S)


def test_each_line_says_in_words_what_it_was(trail, hubei, organiser):
    """A save is a draft, a submission or a change to a submitted score; a logged change has its name."""
    page = client_for(organiser).get(audit_url(hubei)).content.decode()
    assert kinds(page) == [("score", "修改已提交的评分"), ("score", "提交评分"), ("log", "其他操作"),
                           ("score", "提交评分"), ("score", "提交评分"), ("score", "保存草稿"),
                           ("log", "自动分配")]
    # No raw key where there are words; an unknown key stays readable beside 「其他操作」, small.
    assert ">assigned<" not in page and "操作 assigned" not in page
    assert '<small class="muted" data-action="assignment_change">assignment_change</small>' in page
    assert page.count("data-action=") == 1
    assert '<span class="badge state-submitted">保存草稿</span>' in page
    assert '<span class="badge state-passed">提交评分</span>' in page


def test_every_save_after_the_submission_is_a_change_to_it(trail, hubei, organiser):
    """Even saved as a draft, a submitted score's change is a submission (ScoreChange.submitted)."""
    first, work_a, _work_b, jia, _yi = trail
    assignment = Assignment.objects.get(round=first, work=work_a, reviewer=jia)
    save_score(assignment, {**MARKS, "craft": "7"}, comment="又改了", by=jia, submit=False)
    page = client_for(organiser).get(audit_url(hubei, work=work_a.pk, reviewer=jia.pk)).content.decode()
    assert [label for _kind, label in kinds(page)] == ["修改已提交的评分", "修改已提交的评分", "提交评分",
                                                       "保存草稿"]


def _record_keys(tree: ast.AST) -> set[str]:
    """The action keys of every ``log.record(…)`` call: each string its second argument can be."""
    keys = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or len(node.args) < 2:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name != "record":
            continue
        keys |= {n.value for n in ast.walk(node.args[1])
                 if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    return keys


def test_every_action_the_review_logs_has_words():
    package = Path(audit_views.__file__).parent
    keys = set()
    for path in package.glob("*.py"):
        keys |= _record_keys(ast.parse(path.read_text(encoding="utf-8")))
    assert {"assignment_added", "decisions_released", "round_settings"} <= keys  # the scan finds them
    missing = sorted(key for key in keys if key not in audit_views.ACTION_LABELS)
    assert missing == [], f"log.record keys without words on the audit page: {missing}"
    # The round's life and the organiser's bulk steps, logged by the desk.
    for key, words in (("round_opened", "开始评审"), ("round_closed", "结束评审"), ("assigned", "自动分配"),
                       ("advanced", "选出晋级作品")):
        assert audit_views.action_label(key) == (words, "")


def test_unknown_hostile_and_round_keys(hubei, organiser):
    first = rounds_for(hubei)[0]
    log.record(hubei, "<b>x</b>", "奇怪的操作", actor=organiser)
    log.record(hubei, "round_settings", "增加了评审轮次「加赛」", actor=organiser, round=first,
               changed=["added"])
    log.record(hubei, "round_settings", "删除了评审轮次「加赛」", actor=organiser, changed=["removed"])
    log.record(hubei, "round_settings", "「初审」设置已修改：计分方法", actor=organiser, round=first,
               changed=["method"])
    log.record(hubei, "round_settings", "旧的一行", actor=organiser, changed="added")  # a malformed detail
    page = client_for(organiser).get(audit_url(hubei)).content.decode()
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert [label for _kind, label in kinds(page)] == ["修改本轮设置", "修改本轮设置", "删除评审轮次",
                                                       "增加评审轮次", "其他操作"]
    assert audit_views.action_label("") == ("其他操作", "")


def test_works_of_one_title_are_told_apart_in_the_filter(trail, hubei, unit, other_unit, organiser):
    """The demo has works of the same title from two units: the filter names each work's entrant."""
    first, work_a, _work_b, _jia, yi = trail
    twin = WorkFactory(entrant=other_unit, title="一封家书", state=WorkState.PASSED)
    again = WorkFactory(entrant=unit, title="一封家书", state=WorkState.PASSED)
    for work in (twin, again):
        Assignment.objects.create(round=first, work=work, reviewer=yi)
    page = client_for(organiser).get(audit_url(hubei, work=twin.pk)).content.decode()
    options = dict(re.findall(r'<option value="(\d+)"(?: selected)?>([^<]*)</option>',
                              page.split('id="f-work"')[1].split("</select>")[0]))
    assert options[str(twin.pk)] == f"一封家书（{other_unit.name}）"
    assert options[str(work_a.pk)] == f"一封家书（{unit.name}） · 编号 {work_a.pk}"
    assert options[str(again.pk)] == f"一封家书（{unit.name}） · 编号 {again.pk}"
    assert len(set(options.values())) == len(options)
    assert f'<option value="{twin.pk}" selected>' in page


@pytest.mark.parametrize("params", [
    {"round": "nonexistent"}, {"round": "x" * 500}, {"reviewer": "abc"}, {"reviewer": "-1"},
    {"reviewer": "1%20OR%201=1"}, {"reviewer": "9" * 100}, {"work": "٣"}, {"work": "1.5"},
    {"work": "999999"}, {"page": "abc"}, {"page": "-3"}, {"page": "99999"}, {"page": "1e9"},
])
def test_bad_parameters_are_ignored_safely(trail, hubei, organiser, params):
    response = client_for(organiser).get(audit_url(hubei, **params))
    page = response.content.decode()
    assert response.status_code == 200
    assert len(entries(page)) == 7
    if "page" not in params:
        assert "以下筛选条件无效，已忽略" in page


def test_filters_from_another_campaign_are_ignored(trail, hubei, chongqing, organiser):
    entrant = EntrantFactory(campaign=chongqing, name="渝中区示例单位")
    work = WorkFactory(entrant=entrant, title="红岩", state=WorkState.PASSED)
    first = rounds_for(chongqing)[0]
    open_round(first)
    ReviewLog.objects.filter(action="round_opened").delete()
    outsider = UserFactory(name="渝专家")
    CampaignRole.objects.create(campaign=chongqing, user=outsider, role=CampaignRole.Role.REVIEWER)
    save_score(Assignment.objects.create(round=first, work=work, reviewer=outsider), {}, overall="80",
               comment="重庆的评语", by=outsider, submit=True)
    client = client_for(organiser)
    page = client.get(audit_url(hubei)).content.decode()
    assert "重庆的评语" not in page and len(entries(page)) == 7
    for params in ({"work": work.pk}, {"reviewer": outsider.pk}):
        page = client.get(audit_url(hubei, **params)).content.decode()
        assert "以下筛选条件无效" in page and len(entries(page)) == 7 and "重庆的评语" not in page
    page = client.get(audit_url(chongqing)).content.decode()
    assert "重庆的评语" in page and "综合评分 80" in page and len(entries(page)) == 1


def test_a_hundred_lines_a_page(trail, hubei, organiser):
    first, work_a, _work_b, jia, _yi = trail
    score = Assignment.objects.get(round=first, work=work_a, reviewer=jia).score
    ScoreChange.objects.bulk_create([
        ScoreChange(score=score, changed_by=jia, values=MARKS, comment=f"第{n}次") for n in range(230)])
    client = client_for(organiser)
    first_page = client.get(audit_url(hubei)).content.decode()
    assert "共 237 条记录" in first_page and len(entries(first_page)) == 100 and "1 / 3" in first_page
    assert "page=2" in first_page
    last = client.get(audit_url(hubei, page=3)).content.decode()
    assert len(entries(last)) == 37 and entries(last)[-1] == "log"
    filtered = client.get(audit_url(hubei, reviewer=jia.pk)).content.decode()
    assert f"reviewer={jia.pk}&amp;page=2" in filtered


def test_the_trail_as_xlsx(trail, hubei, organiser):
    _first, _work_a, _work_b, _jia, yi = trail
    client = client_for(organiser)
    response = client.get(reverse("reviews:audit_xlsx", args=[hubei.slug]))
    assert response.status_code == 200 and ".xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "类型", "操作人")
    assert len(rows) == 8
    assert rows[1][0] == (at(40) + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    assert rows[1][1] == "修改已提交的评分" and rows[1][2] == "专家甲" and rows[1][8] == "改了制作水平"
    assert [row[1] for row in rows[2:]] == ["提交评分", "其他操作（assignment_change）", "提交评分",
                                            "提交评分", "保存草稿", "自动分配"]
    assert rows[3][4] == "一封家书" and rows[3][5] == "长川市委统战部"
    assert rows[3][6] == "专家乙"
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    assert HOSTILE in {c.value for r in sheet.iter_rows() for c in r}
    filtered = client.get(reverse("reviews:audit_xlsx", args=[hubei.slug]) + f"?reviewer={yi.pk}&work=zz")
    rows = list(openpyxl.load_workbook(io.BytesIO(filtered.content)).active.iter_rows(values_only=True))
    assert len(rows) == 3


def test_the_xlsx_of_a_long_trail_has_every_line(trail, hubei, organiser):
    first, work_a, _work_b, jia, _yi = trail
    score = Assignment.objects.get(round=first, work=work_a, reviewer=jia).score
    ScoreChange.objects.bulk_create([ScoreChange(score=score, changed_by=jia, values=MARKS, comment=str(n))
                                     for n in range(1100)])
    response = client_for(organiser).get(reverse("reviews:audit_xlsx", args=[hubei.slug]))
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 1107


def test_the_desk_links_to_the_trail(trail, hubei, organiser):
    page = client_for(organiser).get(reverse("reviews:rounds", args=[hubei.slug])).content.decode()
    assert reverse("reviews:audit", args=[hubei.slug]) in page
    assert reverse("reviews:sheets_reviewers", args=[hubei.slug, "first"]) in page
    assert reverse("reviews:sheets_works", args=[hubei.slug, "first"]) in page
    assert reverse("reviews:audit", args=[hubei.slug]) + "?round=first" in page


def test_nobody_but_the_organiser_reaches_the_trail(trail, hubei, unit, chongqing):
    _first, _work_a, _work_b, jia, _yi = trail
    other_organiser = UserFactory()
    CampaignRole.objects.create(campaign=chongqing, user=other_organiser, role=CampaignRole.Role.ORGANISER)
    for user in (jia, member_of(unit, UserFactory()), other_organiser):
        client = client_for(user)
        assert client.get(audit_url(hubei)).status_code == 404
        assert client.get(reverse("reviews:audit_xlsx", args=[hubei.slug])).status_code == 404
    anonymous = Client().get(audit_url(hubei))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert client_for(jia).get(audit_url(hubei, reviewer=jia.pk)).status_code == 404


def test_the_page_is_read_only(trail, hubei, organiser):
    client = client_for(organiser)
    before = (ScoreChange.objects.count(), ReviewLog.objects.count())
    assert client.post(audit_url(hubei)).status_code == 405
    assert client.post(reverse("reviews:audit_xlsx", args=[hubei.slug])).status_code == 405
    assert (ScoreChange.objects.count(), ReviewLog.objects.count()) == before

"""The reviewer's workspace: only their own works, watched and scored, save-and-next, blind rounds."""

import pytest
from django.test import Client
from django.urls import reverse

from guangying.reviews.models import (
    Assignment,
    Conflict,
    ReviewLog,
    ReviewRound,
    RoundWork,
    Score,
    ScoreChange,
)
from guangying.reviews.rounds import close_round, open_round, rounds_for, save_score
from guangying.submissions.models import WorkState
from tests.factories import UserFactory, WorkFactory
from tests.reviews.helpers import client_for
from tests.submissions.helpers import HUBEI_FORM

pytestmark = pytest.mark.django_db

# Lines the set-up itself writes (opening the round, assigning): not what the tests look at.
SET_UP = ("round_opened", "assigned")

MARKS = {"emotion": "8", "depth": "7", "appeal": "9", "reach": "6", "craft": "8.5"}



@pytest.fixture
def assigned(hubei, unit):
    works = [WorkFactory(entrant=unit, title=f"作品{n}", state=WorkState.PASSED, form_data=dict(HUBEI_FORM))
             for n in range(3)]
    first, _second = rounds_for(hubei)
    open_round(first)
    reviewer, other = UserFactory(name="专家甲"), UserFactory(name="专家乙")
    mine = [Assignment.objects.create(round=first, work=w, reviewer=reviewer) for w in works[:2]]
    theirs = Assignment.objects.create(round=first, work=works[2], reviewer=other)
    return first, reviewer, mine, theirs


def test_a_reviewer_sees_only_their_works(assigned):
    _first, reviewer, mine, theirs = assigned
    client = client_for(reviewer)
    page = client.get(reverse("reviews:mine")).content.decode()
    assert "作品0" in page and "作品1" in page and "作品2" not in page
    assert client.get(reverse("reviews:score", args=[theirs.pk])).status_code == 404
    refused = client.post(reverse("reviews:score", args=[theirs.pk]), {**MARKS, "action": "submit"})
    assert refused.status_code == 404
    assert not ScoreChange.objects.exists()
    assert client.get(reverse("reviews:score", args=[999999])).status_code == 404
    anonymous = Client().get(reverse("reviews:score", args=[mine[0].pk]))
    assert anonymous.status_code == 302


def test_score_and_go_on_to_the_next_work(assigned):
    _first, reviewer, mine, _theirs = assigned
    client = client_for(reviewer)
    page = client.get(reverse("reviews:score", args=[mine[0].pk])).content.decode()
    assert "情感温度" in page and "制作水平" in page and "提交并评下一件" in page and "review.js" in page
    assert "讲述一位党外专家" in page  # the work's form
    response = client.post(reverse("reviews:score", args=[mine[0].pk]), {**MARKS, "action": "submit_next"})
    assert response.status_code == 302 and response["Location"] == reverse("reviews:score", args=[mine[1].pk])
    assert mine[0].score.values["craft"] == "8.5" and mine[0].score.submitted_at
    response = client.post(reverse("reviews:score", args=[mine[1].pk]), {**MARKS, "action": "submit_next"})
    assert response["Location"] == reverse("reviews:mine")  # nothing left


def test_a_reviewer_is_never_given_the_contacts_blind_or_not(assigned):
    _first, reviewer, mine, _theirs = assigned
    page = client_for(reviewer).get(reverse("reviews:score", args=[mine[0].pk])).content.decode()
    assert "张小明" in page and "导演" in page  # who made it, in a round that is not blind
    assert "13800000001" not in page and "027-12345678" not in page and "李联络" not in page


def test_a_closed_round_takes_no_declaration_and_says_nothing_about_changing(assigned):
    first, reviewer, mine, _theirs = assigned
    client = client_for(reviewer)
    client.post(reverse("reviews:score", args=[mine[0].pk]), {**MARKS, "action": "submit"})
    close_round(first)
    page = client.get(reverse("reviews:score", args=[mine[0].pk])).content.decode()
    assert "评审结束前可以修改" not in page and "data-conflict" not in page and "不在评审中" in page
    response = client.post(reverse("reviews:declare_conflict", args=[mine[0].pk]), {"reason": "亲属"},
                           follow=True)
    assert "无需在此声明" in response.content.decode() and not Conflict.objects.exists()


def test_the_list_puts_the_round_under_way_first_counts_and_tells_equal_titles_apart(
        assigned, hubei, other_unit):
    first, reviewer, mine, _theirs = assigned
    client = client_for(reviewer)
    client.post(reverse("reviews:score", args=[mine[0].pk]), {**MARKS, "action": "submit"})
    page = client.get(reverse("reviews:mine")).content.decode()
    assert "已评 1 / 2 件" in page
    twin = WorkFactory(entrant=other_unit, title="作品0", state=WorkState.PASSED)
    Assignment.objects.create(round=first, work=twin, reviewer=reviewer)
    page = client.get(reverse("reviews:mine")).content.decode()
    assert "（长川市委统战部）" in page and "（明德大学党委统战部）" in page
    ReviewRound.objects.filter(pk=first.pk).update(blind=True)
    page = client.get(reverse("reviews:mine")).content.decode()
    assert "长川市委统战部" not in page and f"编号 {twin.pk}" in page
    # A closed round goes below the one under way.
    close_round(first)
    second = ReviewRound.objects.get(campaign=hubei, key="second")
    ReviewRound.objects.filter(pk=second.pk).update(status=ReviewRound.Status.OPEN)
    Assignment.objects.create(round=second, work=twin, reviewer=reviewer)
    page = client.get(reverse("reviews:mine")).content.decode()
    assert page.index("复审") < page.index("初审")


def test_a_bad_score_keeps_what_was_typed_and_says_why(assigned):
    _first, reviewer, mine, _theirs = assigned
    response = client_for(reviewer).post(reverse("reviews:score", args=[mine[0].pk]),
                                         {**MARKS, "depth": "12", "comment": "很好", "action": "submit"})
    page = response.content.decode()
    assert response.status_code == 400 and "0 到 10" in page and "很好" in page and 'value="12"' in page
    assert not ScoreChange.objects.exists()


def test_a_comment_over_the_limit_is_refused_not_cut(assigned):
    _first, reviewer, mine, _theirs = assigned
    long = "很" * 5001
    response = client_for(reviewer).post(reverse("reviews:score", args=[mine[0].pk]),
                                         {**MARKS, "comment": long, "action": "submit"})
    page = response.content.decode()
    assert response.status_code == 400 and "评语最多 5000 字，现有 5001 字" in page and long in page
    assert not ScoreChange.objects.exists()


def test_a_blind_round_leaves_out_who_sent_and_made_the_work(assigned):
    first, reviewer, mine, _theirs = assigned
    ReviewRound.objects.filter(pk=first.pk).update(blind=True)
    page = client_for(reviewer).get(reverse("reviews:score", args=[mine[0].pk])).content.decode()
    assert "长川市委统战部" not in page and "张小明" not in page and "李联络" not in page
    assert "匿名评审" in page and "讲述一位党外专家" in page


def test_others_scores_only_where_the_round_shows_them(assigned):
    first, reviewer, mine, _theirs = assigned
    colleague = UserFactory(name="专家丙")
    shared = Assignment.objects.create(round=first, work=mine[0].work, reviewer=colleague)
    save_score(shared, MARKS, comment="丙的评语", by=colleague, submit=True)
    client = client_for(reviewer)
    url = reverse("reviews:score", args=[mine[0].pk])
    assert "丙的评语" not in client.get(url).content.decode()
    ReviewRound.objects.filter(pk=first.pk).update(others_scores=ReviewRound.OthersScores.AFTER_OWN)
    assert "丙的评语" not in client.get(url).content.decode()
    client.post(url, {**MARKS, "action": "submit"})
    page = client.get(url).content.decode()
    assert "丙的评语" in page
    assert "情感温度 8" in page and "emotion" not in page.split("其他专家的评分")[1]  # by name, not key
    assert "专家丙" not in page  # nor who gave them


def test_the_header_links_a_reviewer_to_their_works(assigned, member):
    _first, reviewer, _mine, _theirs = assigned
    assert reverse("reviews:mine") in client_for(reviewer).get(reverse("home")).content.decode()
    assert reverse("reviews:mine") not in client_for(member).get(reverse("home")).content.decode()


# -- A reviewer's own declaration of a conflict, and the 「入选」 switch --


def test_declaring_a_conflict_takes_the_work_and_its_draft_off_the_reviewers_list(assigned, hubei, organiser):
    first, reviewer, mine, _theirs = assigned
    client = client_for(reviewer)
    client.post(reverse("reviews:score", args=[mine[0].pk]), {**MARKS, "comment": "未完", "action": "save"})
    assert Score.objects.filter(assignment=mine[0], submitted_at__isnull=True).exists()
    page = client.get(reverse("reviews:score", args=[mine[0].pk])).content.decode()
    assert "声明利益冲突" in page and "已保存的草稿一并删除" in page
    response = client.post(reverse("reviews:declare_conflict", args=[mine[0].pk]),
                           {"reason": "报送单位是我曾任职的单位"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("reviews:mine")
    assert "已记录您声明的利益冲突" in page and "已从您的评审作品中移除" in page
    listing = page.split("<h1>")[-1]
    assert "作品0" not in listing and "作品1" in listing
    assert not Assignment.objects.filter(pk=mine[0].pk).exists()
    assert not Score.objects.filter(assignment_id=mine[0].pk).exists()
    conflict = Conflict.objects.get()
    assert (conflict.reviewer, conflict.work, conflict.created_by) == (reviewer, mine[0].work, reviewer)
    assert ReviewLog.objects.get(action="assignment_removed").actor == reviewer
    assert ReviewLog.objects.get(action="conflict_declared").detail["by_reviewer"] is True
    assert client.get(reverse("reviews:score", args=[mine[0].pk])).status_code == 404
    # The organiser sees the work now lacks a reviewer, and the reviewer's own words.
    desk = client_for(organiser)
    progress = desk.get(reverse("reviews:assignments", args=[hubei.slug, first.key])).content.decode()
    assert "缺 3 位" in progress
    declared = desk.get(reverse("reviews:conflicts", args=[hubei.slug])).content.decode()
    assert "报送单位是我曾任职的单位" in declared


def test_a_declared_conflict_removes_nothing_already_submitted(assigned):
    _first, reviewer, mine, _theirs = assigned
    client = client_for(reviewer)
    client.post(reverse("reviews:score", args=[mine[1].pk]), {**MARKS, "action": "submit"})
    page = client.get(reverse("reviews:score", args=[mine[1].pk])).content.decode()
    assert "已提交的评分不会撤销" in page
    response = client.post(reverse("reviews:declare_conflict", args=[mine[1].pk]), {"reason": "亲属"},
                           follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("reviews:score", args=[mine[1].pk])
    assert "已提交的评分不会因此撤销" in page
    assert Assignment.objects.filter(pk=mine[1].pk, score__submitted_at__isnull=False).exists()
    assert Conflict.objects.filter(reviewer=reviewer, work=mine[1].work).count() == 1
    again = client.post(reverse("reviews:declare_conflict", args=[mine[1].pk]), {"reason": "亲属"},
                        follow=True)
    assert "已登记过这项利益冲突" in again.content.decode()
    assert Conflict.objects.count() == 1


def test_a_declaration_needs_a_reason_and_the_reviewers_own_work(assigned):
    _first, reviewer, mine, theirs = assigned
    client = client_for(reviewer)
    for reason, said in (("", "请填写利益冲突的原因"), ("很" * 201, "原因最多 200 字")):
        response = client.post(reverse("reviews:declare_conflict", args=[mine[0].pk]), {"reason": reason},
                               follow=True)
        assert said in response.content.decode()
    for pk in (theirs.pk, 10 ** 30):
        assert client.post(reverse("reviews:declare_conflict", args=[pk]), {"reason": "x"}).status_code == 404
    assert client.get(reverse("reviews:declare_conflict", args=[mine[0].pk])).status_code == 405
    assert not Conflict.objects.exists() and Assignment.objects.filter(pk=mine[0].pk).exists()


def test_the_advance_switch_off_cannot_be_forced_by_a_post(assigned):
    first, reviewer, mine, _theirs = assigned
    client = client_for(reviewer)
    page = client.get(reverse("reviews:score", args=[mine[0].pk])).content.decode()
    assert "入选下一轮" not in page and "data-advance" not in page
    response = client.post(reverse("reviews:set_advanced", args=[mine[0].pk]), {"advanced": "1"})
    assert response.status_code == 403
    assert not RoundWork.objects.filter(round=first, advanced=True).exists()
    assert not ReviewLog.objects.exclude(action__in=SET_UP).exists()


def test_where_reviewers_may_change_state_they_mark_a_work_chosen_and_the_log_says_who(assigned, hubei,
                                                                                       organiser):
    first, reviewer, mine, theirs = assigned
    ReviewRound.objects.filter(pk=first.pk).update(reviewers_change_state=True)
    client = client_for(reviewer)
    url = reverse("reviews:set_advanced", args=[mine[0].pk])
    page = client.get(reverse("reviews:score", args=[mine[0].pk])).content.decode()
    assert "标记为「入选下一轮」" in page
    page = client.post(url, {"advanced": "1"}, follow=True).content.decode()
    assert "专家甲将《作品0》标记为入选" in page and "取消「入选下一轮」" in page
    assert RoundWork.objects.get(round=first, work=mine[0].work).advanced
    line = ReviewLog.objects.get(action="work_advanced")
    assert line.actor == reviewer and line.round == first
    results = client_for(organiser).get(reverse("reviews:results", args=[hubei.slug, first.key]))
    assert "目前已选出 1 件" in results.content.decode()
    for bad in ("", "yes", "2", "<script>"):
        page = client.post(url, {"advanced": bad}, follow=True).content.decode()
        assert "无法识别的操作" in page and "<script>" not in page.split("</header>")[-1]
    refused = client.post(reverse("reviews:set_advanced", args=[theirs.pk]), {"advanced": "1"})
    assert refused.status_code == 404
    client.post(url, {"advanced": "0"})
    assert not RoundWork.objects.get(round=first, work=mine[0].work).advanced
    assert ReviewLog.objects.get(action="work_not_advanced").actor == reviewer
    close_round(first)
    page = client.post(url, {"advanced": "1"}, follow=True).content.decode()
    assert "不在评审中，作品状态不能修改" in page
    assert not RoundWork.objects.filter(round=first, advanced=True).exists()


def test_the_last_round_says_chosen_not_next_round(assigned, hubei):
    first, reviewer, mine, _theirs = assigned
    ReviewRound.objects.filter(campaign=hubei).exclude(pk=first.pk).delete()
    ReviewRound.objects.filter(pk=first.pk).update(reviewers_change_state=True)
    page = client_for(reviewer).get(reverse("reviews:score", args=[mine[0].pk])).content.decode()
    assert "标记为「入选」" in page and "入选下一轮" not in page

"""A round's life on real records: made from the rules, opened with its works, scored with a trail, closed."""

from decimal import Decimal

import pytest

from guangying.reviews.models import Assignment, ReviewRound, ScoreChange
from guangying.reviews.rounds import (
    RoundError,
    blindness_warning,
    close_round,
    open_round,
    rounds_for,
    save_score,
)
from guangying.submissions.models import WorkState
from tests.factories import EntrantFactory, UserFactory, WorkFactory

pytestmark = pytest.mark.django_db


def test_hubei_rounds_and_criteria_come_from_the_notice(hubei):
    first, second = rounds_for(hubei)
    assert [first.label, second.label] == ["初审", "复审"]
    assert first.entry == ReviewRound.Entry.PASSED and second.entry == ReviewRound.Entry.ADVANCED
    assert [c.label for c in first.criteria.all()] == ["情感温度", "内容深度", "感染力", "传播力", "制作水平"]
    assert all(c.weight == Decimal(1) and c.scale_max == 10 for c in first.criteria.all())
    assert rounds_for(hubei) == [first, second]  # made once


def test_chongqing_leaves_the_criteria_to_the_organiser(chongqing):
    [expert] = rounds_for(chongqing)
    assert expert.label == "专家评选" and not expert.criteria.exists()


def test_a_blind_round_says_when_the_rules_name_the_unit_on_screen(hubei, chongqing):
    first, _second = rounds_for(hubei)
    assert blindness_warning(first) is None  # not blind
    first.blind = True
    warning = blindness_warning(first)
    assert warning and "片尾标注报送单位名称" in warning
    [expert] = rounds_for(chongqing)
    expert.blind = True
    assert "文件名" in blindness_warning(expert) and "片尾" not in blindness_warning(expert)


@pytest.fixture
def opened(hubei, unit):
    passed = [WorkFactory(entrant=unit, title=f"通过{n}", state=WorkState.PASSED) for n in range(3)]
    WorkFactory(entrant=unit, title="草稿", state=WorkState.DRAFT)
    first, second = rounds_for(hubei)
    assert open_round(first) == 3
    return first, second, passed


def test_a_round_takes_the_passed_works_once(opened):
    first, second, passed = opened
    assert first.status == ReviewRound.Status.OPEN and first.opened_at
    assert sorted(e.work_id for e in first.entries.all()) == sorted(w.pk for w in passed)
    with pytest.raises(RoundError, match="已经开始过"):
        open_round(first)
    with pytest.raises(RoundError, match="尚未结束"):
        open_round(second)


def test_the_next_round_takes_what_the_last_advanced(opened):
    first, second, passed = opened
    first.entries.filter(work=passed[0]).update(advanced=True)
    close_round(first)
    assert open_round(second) == 1
    assert [e.work for e in second.entries.all()] == [passed[0]]


def test_a_round_with_no_works_does_not_open(hubei):
    first, _second = rounds_for(hubei)
    with pytest.raises(RoundError, match="没有可以参加"):
        open_round(first)


@pytest.fixture
def assignment(opened):
    first, _second, passed = opened
    reviewer = UserFactory(name="评审甲")
    return Assignment.objects.create(round=first, work=passed[0], reviewer=reviewer)


FULL = {"emotion": "8.5", "depth": 7, "appeal": "9", "reach": 6, "craft": "10"}


def test_scores_are_saved_with_their_trail(assignment):
    reviewer = assignment.reviewer
    draft = save_score(assignment, {"emotion": "8"}, by=reviewer)
    assert draft.submitted_at is None and draft.values == {"emotion": "8.0"}
    score = save_score(assignment, FULL, comment="情感真挚", by=reviewer, submit=True)
    assert score.submitted_at and score.values["emotion"] == "8.5" and score.values["craft"] == "10.0"
    again = save_score(assignment, {**FULL, "reach": "7"}, comment="改一处", by=reviewer, submit=True)
    assert again.submitted_at == score.submitted_at  # first submission kept
    trail = list(ScoreChange.objects.filter(score=score))
    assert [c.values.get("reach") for c in trail] == [None, "6.0", "7.0"]
    assert all(c.changed_by == reviewer for c in trail)


@pytest.mark.parametrize(("values", "message"), [
    ({"emotion": "11"}, "0 到 10"), ({"emotion": "-1"}, "0 到 10"), ({"emotion": "八"}, "须为数字"),
    ({"emotion": "8.25"}, "一位小数"), ({"emotion": "NaN"}, "0 到 10"), ({"emotion": "Infinity"}, "0 到 10"),
    ({"beauty": "5"}, "没有这个评分项"),
])
def test_bad_scores_are_refused_with_a_reason(assignment, values, message):
    with pytest.raises(RoundError, match=message):
        save_score(assignment, values, by=assignment.reviewer)
    assert not ScoreChange.objects.exists()


def test_a_submitted_score_is_complete_and_commented_where_asked(assignment):
    with pytest.raises(RoundError, match="还有评分项未填：内容深度"):
        save_score(assignment, {k: v for k, v in FULL.items() if k != "depth"}, by=assignment.reviewer,
                   submit=True)
    ReviewRound.objects.filter(pk=assignment.round_id).update(comment_required=True)
    with pytest.raises(RoundError, match="要求填写评语"):
        save_score(assignment, FULL, comment="  ", by=assignment.reviewer, submit=True)


def test_a_closed_round_keeps_its_scores(assignment):
    save_score(assignment, FULL, by=assignment.reviewer, submit=True)
    close_round(assignment.round)
    with pytest.raises(RoundError, match="不在评审中"):
        save_score(assignment, {**FULL, "craft": "1"}, by=assignment.reviewer, submit=True)
    assert assignment.score.values["craft"] == "10.0"


def test_scores_are_saved_only_within_the_rounds_dates(assignment, client):
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    round_ = assignment.round
    now = timezone.now()
    ReviewRound.objects.filter(pk=round_.pk).update(opens_at=now + timedelta(days=1))
    with pytest.raises(RoundError, match="开始评分"):
        save_score(assignment, FULL, by=assignment.reviewer)
    ReviewRound.objects.filter(pk=round_.pk).update(opens_at=now - timedelta(days=2),
                                                    closes_at=now - timedelta(minutes=1))
    with pytest.raises(RoundError, match="截止"):
        save_score(assignment, FULL, by=assignment.reviewer, submit=True)
    client.force_login(assignment.reviewer)
    page = client.get(reverse("reviews:score", args=[assignment.pk])).content.decode()
    assert "已于" in page and "截止" in page and 'name="emotion"' in page and "disabled" in page
    # The organiser moves the date: the same round takes the score, nothing reopened.
    ReviewRound.objects.filter(pk=round_.pk).update(closes_at=now + timedelta(days=1))
    assert save_score(assignment, FULL, by=assignment.reviewer, submit=True).submitted_at is not None
    assert "评分截止时间" in client.get(reverse("reviews:mine")).content.decode()


def test_without_criteria_an_overall_score_is_given(chongqing):
    entrant = EntrantFactory(campaign=chongqing, name="示例单位")
    work = WorkFactory(entrant=entrant, state=WorkState.PASSED)
    [expert] = rounds_for(chongqing)
    open_round(expert)
    reviewer = UserFactory()
    assignment = Assignment.objects.create(round=expert, work=work, reviewer=reviewer)
    with pytest.raises(RoundError, match="综合评分"):
        save_score(assignment, {}, by=reviewer, submit=True)
    assert save_score(assignment, {}, overall="92.5", by=reviewer, submit=True).overall == Decimal("92.5")
    with pytest.raises(RoundError, match="0 到 100"):
        save_score(assignment, {}, overall="101", by=reviewer, submit=True)

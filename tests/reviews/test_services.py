"""A Hubei 初审 on real records: assigned without conflicts, scored, ranked by its method, advanced."""


import pytest
from django.utils import timezone

from guangying.campaigns.models import CampaignRole
from guangying.reviews import services, wording
from guangying.reviews.models import Assignment, Conflict, Decision, ReviewLog, ReviewRound, RoundWork
from guangying.reviews.rounds import RoundError, close_round, open_round, rounds_for, save_score
from guangying.submissions.models import WorkState
from tests.factories import EntrantFactory, UserFactory, WorkFactory
from tests.racing import race

pytestmark = pytest.mark.django_db

UNITS = ["长川市委统一战线工作部", "明德大学党委统战部", "东湖示范医院党委统战部", "江城示范集团党委统战部"]


@pytest.fixture
def first_round(hubei):
    entrants = [EntrantFactory(campaign=hubei, name=name) for name in UNITS]
    for entrant in entrants:
        for n in range(3):
            WorkFactory(entrant=entrant, title=f"{entrant.name[:2]}作品{n}", state=WorkState.PASSED)
    reviewers = []
    for i, unit in enumerate(["中共长川市委统战部", "明德大学党委统战部", "", "", ""]):
        user = UserFactory(name=f"专家{i}")
        CampaignRole.objects.create(campaign=hubei, user=user, role=CampaignRole.Role.REVIEWER,
                                    unit_name=unit)
        reviewers.append(user)
    first, _second = rounds_for(hubei)
    first.reviewers_per_work = 3
    first.save()
    open_round(first)
    return first, entrants, reviewers


def test_no_reviewer_gets_a_work_of_their_own_unit_or_a_declared_conflict(first_round, organiser):
    first, entrants, reviewers = first_round
    Conflict.objects.create(campaign=first.campaign, reviewer=reviewers[2], entrant=entrants[3],
                            reason="亲属")
    result = services.assign_round(first, by=organiser)
    pairs = set(Assignment.objects.filter(round=first).values_list("work__entrant_id", "reviewer_id"))
    assert (entrants[0].pk, reviewers[0].pk) not in pairs  # 中共长川市委统战部 is 长川市委统一战线工作部
    assert (entrants[1].pk, reviewers[1].pk) not in pairs
    assert (entrants[3].pk, reviewers[2].pk) not in pairs
    counts = [Assignment.objects.filter(round=first, work=e.work).count() for e in first.entries.all()]
    assert counts == [3] * 12 and not result.shortfalls
    loads = sorted(Assignment.objects.filter(round=first, reviewer=r).count() for r in reviewers)
    assert loads[-1] - loads[0] <= 1


def test_assigning_again_keeps_what_was_scored(first_round, organiser):
    first, _entrants, _reviewers = first_round
    services.assign_round(first, by=organiser)
    scored = Assignment.objects.filter(round=first).first()
    save_score(scored, {"emotion": "8"}, by=scored.reviewer)
    services.assign_round(first, by=organiser, seed=7)
    assert Assignment.objects.filter(pk=scored.pk).exists()


def test_a_reviewer_who_left_gives_up_untouched_works_and_keeps_what_they_began(first_round, organiser):
    first, entrants, reviewers = first_round
    services.assign_round(first, by=organiser)
    leaving = reviewers[4]
    theirs = list(Assignment.objects.filter(round=first, reviewer=leaving).order_by("pk"))
    save_score(theirs[0], {"emotion": "8"}, by=leaving)
    # Left the campaign; a conflict names a work that is not in this round at all.
    CampaignRole.objects.filter(campaign=first.campaign, user=leaving).delete()
    elsewhere = WorkFactory(entrant=entrants[0], title="未参评", state=WorkState.SUBMITTED)
    Conflict.objects.create(campaign=first.campaign, reviewer=reviewers[2], work=elsewhere, reason="亲属")
    services.assign_round(first, by=organiser, seed=3)
    kept = Assignment.objects.filter(round=first, reviewer=leaving)
    assert list(kept) == [theirs[0]]
    # Every work has its three reviewers among those still in the campaign (a draft does not count).
    others = Assignment.objects.filter(round=first).exclude(reviewer=leaving)
    assert all(others.filter(work=e.work).count() == 3 for e in first.entries.all())


MARKS = {"emotion": 8, "depth": 8, "appeal": 8, "reach": 8, "craft": 8}


def test_results_follow_the_rounds_method_and_the_top_works_advance(first_round, organiser):
    first, _entrants, _reviewers = first_round
    services.assign_round(first, by=organiser)
    for index, a in enumerate(Assignment.objects.filter(round=first).order_by("work_id", "reviewer_id")):
        bump = a.work_id % 3  # works differ; one reviewer per work is far off
        marks = {k: min(10, v + bump) for k, v in MARKS.items()}
        if index % 3 == 0:
            marks = {k: 2 for k in MARKS}
        save_score(a, marks, by=a.reviewer, submit=True)
    assert first.method == ReviewRound.Method.TRIMMED
    result = services.results(first)
    assert len(result.ranked) == 12 and all(row.complete == 3 for row in result.rows)
    assert all(row.disagreement for row in result.rows)  # 20 points against 80–100
    chosen = services.advance(first, top=4)
    assert len(chosen) >= 4
    assert set(RoundWork.objects.filter(round=first, advanced=True).values_list("work_id", flat=True)) \
        == set(chosen)
    close_round(first)
    second = ReviewRound.objects.get(campaign=first.campaign, key="second")
    assert open_round(second) == len(chosen)


def test_drafts_do_not_count(first_round, organiser):
    first, _entrants, _reviewers = first_round
    services.assign_round(first, by=organiser)
    a = Assignment.objects.filter(round=first).first()
    save_score(a, MARKS, by=a.reviewer)  # saved, not submitted
    row = services.results(first).row(a.work_id)
    assert row.complete == 0 and row.aggregate is None


def score_all(first, skip=()):
    for a in Assignment.objects.filter(round=first).order_by("work_id", "reviewer_id"):
        if a.pk in skip:
            continue
        bump = a.work_id % 3
        save_score(a, {k: min(10, v + bump) for k, v in MARKS.items()}, by=a.reviewer, submit=True)


def test_the_notes_name_reviewers_and_works_never_their_ids(first_round, organiser):
    first, _entrants, reviewers = first_round
    services.assign_round(first, by=organiser)
    waiting = Assignment.objects.filter(round=first).select_related("reviewer", "work").first()
    score_all(first, skip={waiting.pk})
    result = services.results(first)
    said = [wording.note_text(n) for n in result.row(waiting.work_id).all_notes]
    assert f"评委{waiting.reviewer.name}尚未评分，不计入。" in said
    every = [wording.note_text(n) for row in result.rows for n in row.all_notes]
    assert not any(f"评委 {r.pk}" in t or f"评委{r.pk}" in t for r in reviewers for t in every)
    assert any(t.startswith("去掉一个最高分") and "（评委专家" in t for t in every)


def test_works_sharing_a_title_are_told_apart_by_their_entrant(hubei, unit, other_unit):
    one = WorkFactory(entrant=unit, title="一封家书", state=WorkState.PASSED)
    two = WorkFactory(entrant=other_unit, title="一封家书", state=WorkState.PASSED)
    three = WorkFactory(entrant=unit, title="灯火", state=WorkState.PASSED)
    assert services.work_names([one, two, three]) == {
        one.pk: "《一封家书》（长川市委统战部）", two.pk: "《一封家书》（明德大学党委统战部）",
        three.pk: "《灯火》"}
    same = [UserFactory(name="王立群", email="a@example.org"),
            UserFactory(name="王立群", email="b@example.org"), UserFactory(name="", email="c@example.org")]
    assert list(services.people_names(same).values()) == [
        "王立群（a@example.org）", "王立群（b@example.org）", "c@example.org"]


def test_the_advancing_column_says_what_the_round_recorded(first_round, organiser):
    first, _entrants, _reviewers = first_round
    services.assign_round(first, by=organiser)
    score_all(first)
    assert {row.advances for row in services.results(first).rows} == {None}  # nothing chosen yet
    chosen = services.advance(first, top=4, by=organiser)
    result = services.results(first)
    assert {row.work for row in result.rows if row.advances} == set(chosen)
    assert {row.advances for row in result.rows if row.work not in chosen} == {False}
    # a mark changed since (by a reviewer allowed to, say) is what the table shows
    other = next(row.work for row in result.rows if row.work not in chosen)
    RoundWork.objects.filter(round=first, work_id=other).update(advanced=True)
    assert services.results(first).row(other).advances is True
    # a rule that chose nothing still says so: every work 未晋级
    services.advance(first, at_least=101, by=organiser)
    assert {row.advances for row in services.results(first).rows} == {False}


def test_advancing_is_refused_before_opening_after_the_next_round_opened_and_after_release(
        first_round, organiser):
    first, _entrants, _reviewers = first_round
    second = ReviewRound.objects.get(campaign=first.campaign, key="second")
    assert "尚未开始" in services.advance_refusal(second)
    with pytest.raises(RoundError, match="尚未开始"):
        services.advance(second, top=1, by=organiser)
    services.assign_round(first, by=organiser)
    score_all(first)
    chosen = services.advance(first, top=4, by=organiser)
    close_round(first, by=organiser)
    assert services.advance_refusal(first) is None  # closed, the next not open: still the organiser's call
    open_round(second, by=organiser)
    refusal = services.advance_refusal(first)
    assert refusal == "「复审」已经开始，「初审」的晋级作品不能再修改。"
    with pytest.raises(RoundError, match="已经开始"):
        services.advance(first, top=1, by=organiser)
    assert set(RoundWork.objects.filter(round=first, advanced=True).values_list("work_id", flat=True)) \
        == set(chosen)
    # 复审 is the last round: it selects (入选); once the decisions are released, nothing changes.
    assert services.is_final(second) and not services.is_final(first)
    entry = second.entries.first()
    Decision.objects.create(campaign=first.campaign, work=entry.work, award="一等奖", position=1,
                            round=second, released_at=timezone.now())
    assert services.advance_refusal(second) == (
        "评审结果已经公布，入选作品不能再修改。如需修改，请先在「评审结果与公布」中撤回公布。")
    with pytest.raises(RoundError, match="已经公布"):
        services.advance(second, top=1, by=organiser)
    assert not second.entries.filter(advanced=True).exists()
    assert ReviewLog.objects.filter(action="advanced").count() == 1


def test_the_rounds_life_and_the_advancing_are_logged(first_round, organiser):
    first, _entrants, _reviewers = first_round
    services.assign_round(first, by=organiser)
    score_all(first)
    services.advance(first, top=2, at_least="50", by=organiser)
    close_round(first, by=organiser)
    lines = list(ReviewLog.objects.filter(round=first).order_by("pk"))
    assert [line.action for line in lines] == ["round_opened", "assigned", "advanced", "round_closed"]
    opened, assigned, advanced, closed = lines
    assert opened.text == "开始「初审」：12 件作品参评" and opened.detail == {"works": 12}
    assert assigned.actor == organiser and assigned.text.startswith("自动分配「初审」：新增 36 份，取消 0 份")
    assert assigned.detail["added"] == 36
    assert advanced.actor == organiser and "前 2 名中达到 50 分的作品" in advanced.text
    assert "《" in advanced.text and advanced.detail["top"] == 2 and advanced.detail["at_least"] == "50"
    assert sorted(advanced.detail["works"]) == sorted(
        RoundWork.objects.filter(round=first, advanced=True).values_list("work_id", flat=True))
    assert closed.text == "结束「初审」，评分已锁定：已提交 36 份评分" and closed.actor == organiser


def test_assigning_is_only_for_an_open_round(first_round, organiser):
    first, _entrants, _reviewers = first_round
    second = ReviewRound.objects.get(campaign=first.campaign, key="second")
    with pytest.raises(RoundError, match="请先开始本轮评审"):
        services.assign_round(second, by=organiser)
    close_round(first)
    with pytest.raises(RoundError, match="「初审」已结束，评分已锁定，不能再分配作品。"):
        services.assign_round(first, by=organiser)
    assert not Assignment.objects.exists()
    assert not ReviewLog.objects.filter(action="assigned").exists()


def test_reviewers_are_listed_by_name_then_id(first_round):
    first, _entrants, reviewers = first_round
    late = UserFactory(name="专家0")  # the same name as the first, a later id
    CampaignRole.objects.create(campaign=first.campaign, user=late, role=CampaignRole.Role.REVIEWER)
    early = UserFactory(name="丁一")
    CampaignRole.objects.create(campaign=first.campaign, user=early, role=CampaignRole.Role.REVIEWER)
    order = [role.user for role in services.reviewers_of(first)]
    assert order == sorted([*reviewers, late, early], key=lambda u: (u.name, u.pk))
    assert order.index(reviewers[0]) + 1 == order.index(late)




@pytest.mark.django_db(transaction=True)
def test_advancing_while_the_next_round_opens_never_leaves_them_apart(first_round, organiser):
    first, _entrants, _reviewers = first_round
    services.assign_round(first, by=organiser)
    score_all(first)
    services.advance(first, top=6, by=organiser)
    close_round(first, by=organiser)
    second = ReviewRound.objects.get(campaign=first.campaign, key="second")
    results = race(lambda: services.advance(ReviewRound.objects.get(pk=first.pk), top=1, by=organiser),
                   lambda: open_round(ReviewRound.objects.get(pk=second.pk), by=organiser),
                   refused=RoundError)
    assert "crashed" not in {kind for kind, _ in results}, results
    marked = set(RoundWork.objects.filter(round=first, advanced=True).values_list("work_id", flat=True))
    assert set(RoundWork.objects.filter(round=second).values_list("work_id", flat=True)) == marked
    if results[0][0] == "refused":
        assert "已经开始" in results[0][1] and len(marked) >= 6

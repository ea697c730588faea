"""A Hubei 初审 on real records: assigned without conflicts, scored, ranked by its method, advanced."""

import pytest

from guangying.campaigns.models import CampaignRole
from guangying.reviews import services
from guangying.reviews.models import Assignment, Conflict, ReviewRound, RoundWork
from guangying.reviews.rounds import close_round, open_round, rounds_for, save_score
from guangying.submissions.models import WorkState
from tests.factories import EntrantFactory, UserFactory, WorkFactory

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

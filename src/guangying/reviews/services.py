"""A round's assignment and results, from its records through the pure modules and back.

`assignment.py` and `aggregation.py` know nothing of the database; here a round's entries,
reviewers, conflicts and scores become their plain inputs, and their answers become rows.
A reviewer's own unit is the campaign role's 「所在单位」, matched against the entrants' names
and an individual's unit as the credits are (「中共」, 委员会/委, 统战部 spellings alike): a
reviewer of 中共长川市委统战部 never gets a work of 长川市委统一战线工作部.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from guangying.campaigns.models import CampaignRole, Entrant
from guangying.inspection.reading import names

from . import aggregation, assignment
from .models import Assignment, Conflict, ReviewRound, RoundWork, Score


def _same_unit(unit: str, entrant_name: str) -> bool:
    if not unit.strip() or not entrant_name.strip():
        return False
    return names.find_name(unit, entrant_name) is not None or names.find_name(entrant_name, unit) is not None


def reviewers_of(round_: ReviewRound) -> list[CampaignRole]:
    return list(CampaignRole.objects.filter(campaign=round_.campaign, role=CampaignRole.Role.REVIEWER)
                .select_related("user").order_by("pk"))


def pool_for(round_: ReviewRound) -> assignment.Pool:
    """The round's works, its reviewers with the entrants they belong to, and the declared conflicts."""
    entries = list(RoundWork.objects.filter(round=round_).select_related("work__entrant").order_by("work_id"))
    entrants: dict[int, Entrant] = {e.work.entrant_id: e.work.entrant for e in entries}
    works = tuple(
        assignment.Work(id=e.work_id, entrant=e.work.entrant_id, title=e.work.title) for e in entries
    )
    reviewers = []
    for role in reviewers_of(round_):
        own = frozenset(
            pk for pk, entrant in entrants.items()
            if _same_unit(role.unit_name, entrant.name) or _same_unit(role.unit_name, entrant.affiliation)
        )
        reviewers.append(assignment.Reviewer(id=role.user_id, units=own, name=role.user.name))
    conflicts = tuple(
        assignment.Conflict(reviewer=c.reviewer_id, work=c.work_id) if c.work_id
        else assignment.Conflict(reviewer=c.reviewer_id, unit=c.entrant_id)
        for c in Conflict.objects.filter(campaign=round_.campaign).order_by("pk")
    )
    return assignment.Pool(works=works, reviewers=tuple(reviewers), k=max(1, round_.reviewers_per_work),
                           conflicts=conflicts)


def assign_round(round_: ReviewRound, *, by: Any, seed: int | str = 0) -> assignment.Assignment:
    """Assigns the round's works, keeping manual pairs and every pair a reviewer has begun to score.

    Only the difference is written; a pair with a score is never removed.
    """
    with transaction.atomic():
        ReviewRound.objects.select_for_update().get(pk=round_.pk)
        current = list(Assignment.objects.filter(round=round_))
        scored = set(Score.objects.filter(assignment__round=round_).values_list("assignment_id", flat=True))
        locked = [(a.work_id, a.reviewer_id) for a in current if a.locked or a.pk in scored]
        pairs = [(a.work_id, a.reviewer_id) for a in current]
        pool = pool_for(round_)
        result = assignment.rebalance(pool, pairs, locked=locked, seed=seed) if pairs \
            else assignment.assign(pool, seed=seed)
        removed = set(result.removed) - set(locked)
        for a in current:
            if (a.work_id, a.reviewer_id) in removed:
                a.delete()
        Assignment.objects.bulk_create(
            [Assignment(round=round_, work_id=w, reviewer_id=r, created_by=by) for w, r in result.added],
            ignore_conflicts=True,
        )
        return result


def _criteria(round_: ReviewRound) -> list[Any]:
    criteria = list(round_.criteria.all())
    return criteria if criteria else [aggregation.OVERALL]


def results(round_: ReviewRound, *, top: int | None = None,
            at_least: Any = None) -> aggregation.RoundResult:
    """The round's ranking by its own method, from the submitted scores; drafts do not count."""
    criteria = _criteria(round_)
    overall = criteria == [aggregation.OVERALL]
    scores = []
    for score in Score.objects.filter(assignment__round=round_, submitted_at__isnull=False) \
            .select_related("assignment"):
        values = {"overall": score.overall} if overall else dict(score.values)
        scores.append(aggregation.Score(work=score.assignment.work_id, reviewer=score.assignment.reviewer_id,
                                        values=values))
    expected: dict[int, list[int]] = {}
    for work_id, reviewer_id in Assignment.objects.filter(round=round_).values_list("work_id", "reviewer_id"):
        expected.setdefault(work_id, []).append(reviewer_id)
    works = list(RoundWork.objects.filter(round=round_).values_list("work_id", flat=True))
    settings = aggregation.RoundSettings(method=round_.method, disagreement=round_.disagreement_threshold,
                                         top=top, at_least=at_least)
    return aggregation.aggregate_round(scores, criteria, settings, works=works, expected=expected)


def advance(round_: ReviewRound, *, top: int | None = None, at_least: Any = None) -> list[int]:
    """Marks the works that go on to the next round, by the round's ranking; the work ids marked."""
    result = results(round_, top=top, at_least=at_least)
    chosen = list(result.advancing)
    with transaction.atomic():
        RoundWork.objects.filter(round=round_).update(advanced=False)
        RoundWork.objects.filter(round=round_, work_id__in=chosen).update(advanced=True)
    return chosen

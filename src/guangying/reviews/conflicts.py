"""Declared conflicts of interest: who may not review what, and what a declaration undoes.

A conflict names a reviewer and either an entrant (all its works) or one work, for the whole
campaign: every round's assignment honours it (services.pool_for). Declaring one takes the
reviewer off the works it covers in the rounds under way where they have not submitted a score,
a draft included, since a draft by a reviewer with a conflict must not become a score. A
submitted score stays as it is: it is part of a result the organiser may already have read, and
only the organiser decides what to do about it. Withdrawing a conflict gives nothing back; the
organiser assigns again if needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from guangying.campaigns.models import Campaign, Entrant
from guangying.submissions.models import Work

from . import log
from .models import Assignment, Conflict, ReviewRound, Score

MAX_REASON = 200  # characters, as Conflict.reason holds


class ConflictError(ValueError):
    """A declaration that cannot be made, in words for the reviewer or the organiser."""


@dataclass(frozen=True)
class Declared:
    conflict: Conflict
    removed: list[str] = field(default_factory=list)  # titles taken off the reviewer in open rounds
    kept: list[str] = field(default_factory=list)  # titles with a submitted score, left as they are


def clean_reason(reason: str | None) -> str:
    """The reason as it will be kept: required, and refused (not cut) over the limit."""
    text = (reason or "").strip()
    if not text:
        raise ConflictError(_("请填写利益冲突的原因。"))
    if len(text) > MAX_REASON:
        raise ConflictError(_("原因最多 %(max)s 字，现有 %(n)s 字。") % {"max": MAX_REASON, "n": len(text)})
    return text


def describe(conflict: Conflict) -> str:
    """What the conflict is with, for the organiser: a work with its entrant, or an entrant."""
    if conflict.work_id:
        return _("作品《%(title)s》（%(entrant)s）") % {"title": conflict.work.title,
                                                     "entrant": conflict.work.entrant}
    return _("报送主体「%(entrant)s」的全部作品") % {"entrant": conflict.entrant}


def declare(campaign: Campaign, reviewer: Any, *, work: Work | None = None, entrant: Entrant | None = None,
            reason: str, by: Any) -> Declared:
    """Records a conflict and takes the reviewer off what it covers in the open rounds, unless submitted.

    ``work`` and ``entrant`` must be the campaign's own (the caller looks them up in it); exactly one.
    The open rounds are locked first, so that an assignment made at the same moment either comes
    before (and is removed here) or after (and sees the conflict).
    """
    if (work is None) == (entrant is None):
        raise ConflictError(_("请选择一个报送主体或一件作品（只选一项）。"))
    if (work is not None and work.campaign_id != campaign.pk) or \
            (entrant is not None and entrant.campaign_id != campaign.pk):
        raise ConflictError(_("没有这件作品或这个报送主体。"))
    text = clean_reason(reason)
    with transaction.atomic():
        rounds = list(ReviewRound.objects.select_for_update()
                      .filter(campaign=campaign, status=ReviewRound.Status.OPEN).order_by("pk"))
        if Conflict.objects.filter(campaign=campaign, reviewer=reviewer, work=work, entrant=entrant).exists():
            raise ConflictError(_("已登记过这项利益冲突。"))
        conflict = Conflict.objects.create(campaign=campaign, reviewer=reviewer, work=work, entrant=entrant,
                                           reason=text, created_by=by if by.is_authenticated else None)
        covered = Assignment.objects.filter(round__in=rounds, reviewer=reviewer)
        covered = covered.filter(work=work) if work is not None else covered.filter(work__entrant=entrant)
        removed, kept = [], []
        name = reviewer.name or reviewer.email
        for a in covered.select_related("work", "round").order_by("round__position", "work__title", "pk"):
            score = Score.objects.filter(assignment=a).first()
            if score is not None and score.submitted_at is not None:
                kept.append(a.work.title)
                continue
            draft = None
            if score is not None:
                draft = {"values": score.values, "comment": score.comment,
                         "overall": None if score.overall is None else str(score.overall)}
            a.delete()  # its draft score and the draft's trail with it; the draft is kept in the log line
            removed.append(a.work.title)
            said = _("因利益冲突取消分配：%(name)s不再评审《%(title)s》") % {"name": name,
                                                                        "title": a.work.title}
            log.record(campaign, "assignment_removed", said, actor=by, round=a.round, work=a.work_id,
                       reviewer=reviewer.pk, conflict=conflict.pk, draft=draft)
        conflict = Conflict.objects.select_related("work__entrant", "entrant").get(pk=conflict.pk)
        line = _("登记利益冲突：%(name)s与%(what)s，原因：%(reason)s") % {
            "name": name, "what": describe(conflict), "reason": text}
        log.record(campaign, "conflict_declared", line, actor=by, conflict=conflict.pk, reviewer=reviewer.pk,
                   work=conflict.work_id, entrant=conflict.entrant_id, reason=text, removed=removed,
                   kept=kept, by_reviewer=getattr(by, "pk", None) == reviewer.pk)
        return Declared(conflict=conflict, removed=removed, kept=kept)


def withdraw(conflict: Conflict, *, by: Any) -> str:
    """Deletes a declared conflict; what was done. Assignments it removed are not given back."""
    with transaction.atomic():
        locked = (Conflict.objects.select_for_update(of=("self",))
                  .select_related("reviewer", "work__entrant", "entrant")
                  .filter(pk=conflict.pk).first())
        if locked is None:
            raise ConflictError(_("这项利益冲突已被撤销。"))
        name = locked.reviewer.name or locked.reviewer.email
        text = _("撤销利益冲突：%(name)s与%(what)s") % {"name": name, "what": describe(locked)}
        detail = {"reviewer": locked.reviewer_id, "work": locked.work_id, "entrant": locked.entrant_id,
                  "reason": locked.reason}
        locked.delete()
        log.record(locked.campaign, "conflict_withdrawn", text, actor=by, **detail)
        return text

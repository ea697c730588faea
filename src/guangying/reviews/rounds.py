"""The life of a review round: made from the campaign's rules, opened with its works, scored, closed.

A round's works are fixed when it opens (the works that passed the formal check, or those the
previous round advanced), so that a late change of a work's state cannot slip a work into a
round half-scored. A closed round keeps its scores as they were: nothing saves into it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guangying.campaigns.models import Campaign
from guangying.submissions.models import Work, WorkState

from . import log
from .models import Assignment, ReviewRound, RoundCriterion, RoundWork, Score, ScoreChange

MAX_COMMENT = 5000  # characters of a reviewer's comment


class RoundError(ValueError):
    """What cannot be done to a round, in words for the organiser or the reviewer."""


def rounds_for(campaign: Campaign) -> list[ReviewRound]:
    """The campaign's rounds, made from its rule set the first time they are asked for.

    Every review page asks; only the first asking takes the lock that keeps two from making them.
    """
    existing = list(campaign.review_rounds.order_by("position", "pk"))
    if existing:
        return existing
    with transaction.atomic():
        Campaign.objects.select_for_update().get(pk=campaign.pk)
        existing = list(campaign.review_rounds.order_by("position", "pk"))
        if existing:
            return existing
        review = campaign.rules.review
        made = []
        for position, spec in enumerate(review.rounds, start=1):
            round_ = ReviewRound.objects.create(
                campaign=campaign, key=spec.key, label=spec.label, position=position, note=spec.note,
                blind=spec.blind,
                entry=ReviewRound.Entry.PASSED if position == 1 else ReviewRound.Entry.ADVANCED,
            )
            RoundCriterion.objects.bulk_create([
                RoundCriterion(round=round_, key=c.key, label=c.label, weight=Decimal(str(c.weight)),
                               scale_max=c.scale_max, description=c.description, position=i)
                for i, c in enumerate(review.criteria, start=1)
            ])
            made.append(round_)
        return made


def blindness_warning(round_: ReviewRound) -> str | None:
    """Why a blind round cannot hide the entrant, when the campaign's own rules reveal it."""
    if not round_.blind:
        return None
    rules = round_.campaign.rules
    reasons = []
    credits = rules.technical_rule("end_credits")
    if credits is not None and getattr(credits, "must_name_entrant", False):
        reasons.append(_("本活动要求片尾标注报送单位名称，评审专家看完视频就会知道报送单位"))
    if rules.file_naming and "{entrant}" in (rules.file_naming.template or ""):
        reasons.append(_("视频文件名含报送单位名称（平台不向评审专家显示原文件名）"))
    if not reasons:
        return None
    return _("匿名评审无法完全保证：") + "；".join(reasons) + "。"


def _previous(round_: ReviewRound) -> ReviewRound | None:
    return (ReviewRound.objects.filter(campaign=round_.campaign, position__lt=round_.position)
            .order_by("-position", "-pk").first())


def entering_works(round_: ReviewRound) -> list[Work]:
    """The works the round takes when it opens."""
    if round_.entry == ReviewRound.Entry.ADVANCED:
        previous = _previous(round_)
        if previous is None:
            raise RoundError(_("这是第一轮，没有上一轮晋级的作品。"))
        if previous.status != ReviewRound.Status.CLOSED:
            raise RoundError(_("「%(label)s」尚未结束，不能开始下一轮。") % {"label": previous.label})
        return [entry.work for entry in previous.entries.filter(advanced=True).select_related("work")]
    return list(Work.objects.filter(campaign=round_.campaign, state=WorkState.PASSED).order_by("pk"))


def open_round(round_: ReviewRound, *, by: Any = None) -> int:
    """Opens a draft round with its works; the number of works entered. The log's line says who."""
    with transaction.atomic():
        locked = ReviewRound.objects.select_for_update().get(pk=round_.pk)
        if locked.status != ReviewRound.Status.DRAFT:
            raise RoundError(_("「%(label)s」已经开始过，不能再次开始。") % {"label": locked.label})
        works = entering_works(locked)
        if not works:
            raise RoundError(_("没有可以参加「%(label)s」的作品。") % {"label": locked.label})
        RoundWork.objects.bulk_create([RoundWork(round=locked, work=w) for w in works], ignore_conflicts=True)
        locked.status, locked.opened_at = ReviewRound.Status.OPEN, timezone.now()
        locked.save(update_fields=["status", "opened_at"])
        log.record(locked.campaign, "round_opened",
                   _("开始「%(label)s」：%(n)s 件作品参评") % {"label": locked.label, "n": len(works)},
                   actor=by, round=locked, works=len(works))
    round_.refresh_from_db()
    return len(works)


def close_round(round_: ReviewRound, *, by: Any = None) -> None:
    """Closes an open round: its scores are kept as they are from now on. The log's line says who."""
    with transaction.atomic():
        locked = ReviewRound.objects.select_for_update().get(pk=round_.pk)
        if locked.status != ReviewRound.Status.OPEN:
            raise RoundError(_("只有评审中的轮次才能结束。"))
        locked.status, locked.closed_at = ReviewRound.Status.CLOSED, timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        submitted = Score.objects.filter(assignment__round=locked, submitted_at__isnull=False).count()
        text = _("结束「%(label)s」，评分已锁定：已提交 %(n)s 份评分") % {"label": locked.label,
                                                                      "n": submitted}
        log.record(locked.campaign, "round_closed", text, actor=by, round=locked, submitted=submitted)
    round_.refresh_from_db()


def _local(moment: Any, round_: ReviewRound) -> str:
    return timezone.localtime(moment, round_.campaign.rules.zone).strftime("%Y-%m-%d %H:%M")


def scoring_refusal(round_: ReviewRound, at: Any = None) -> str | None:
    """Why scores cannot be saved in the round now, or None: not open, or outside its dates.

    The dates the organiser set are the reviewers' window: before it nothing is saved, after
    it nothing changes, until the organiser moves the date (the round stays open meanwhile,
    so an extension needs no reopening).
    """
    now = at or timezone.now()
    if round_.status != ReviewRound.Status.OPEN:
        return _("「%(label)s」不在评审中，评分不能修改。") % {"label": round_.label}
    if round_.opens_at is not None and now < round_.opens_at:
        return _("「%(label)s」将于 %(when)s 开始评分。") % {"label": round_.label,
                                                        "when": _local(round_.opens_at, round_)}
    if round_.closes_at is not None and now >= round_.closes_at:
        return _("「%(label)s」的评分已于 %(when)s 截止，不能再修改；如需延长，请联系主办方。") % {
            "label": round_.label, "when": _local(round_.closes_at, round_)}
    return None


def _points(raw: Any, label: str, scale_max: int) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise RoundError(_("「%(label)s」须为数字。") % {"label": label}) from None
    if not value.is_finite() or value < 0 or value > scale_max:
        raise RoundError(_("「%(label)s」须在 0 到 %(max)s 分之间。") % {"label": label, "max": scale_max})
    if value != value.quantize(Decimal("0.1")):
        raise RoundError(_("「%(label)s」最多保留一位小数。") % {"label": label})
    return value.quantize(Decimal("0.1"))


def save_score(assignment: Assignment, values: dict[str, Any], *, comment: str = "", overall: Any = None,
               by: Any, submit: bool = False) -> Score:
    """Saves a reviewer's scores (a draft, or submitted), recording the change with who and when.

    Refused once the round is closed, or not yet open, or outside its dates; a submitted score must be
    complete, and
    carry a comment where the round asks for one. Criteria are checked against the round's own
    scale, one decimal at most.
    """
    with transaction.atomic():
        round_ = ReviewRound.objects.select_for_update().get(pk=assignment.round_id)
        refusal = scoring_refusal(round_)
        if refusal:
            raise RoundError(refusal)
        # A change to a submitted score is a change to the submission: checked as one, never a draft.
        submit = submit or Score.objects.filter(assignment=assignment, submitted_at__isnull=False).exists()
        criteria = list(round_.criteria.all())
        known = {c.key for c in criteria}
        unknown = sorted(set(values) - known)
        if unknown:
            raise RoundError(_("没有这个评分项：%(keys)s") % {"keys": "、".join(unknown)})
        clean: dict[str, str] = {}
        for criterion in criteria:
            raw = values.get(criterion.key)
            if raw in (None, ""):
                continue
            clean[criterion.key] = str(_points(raw, criterion.label, criterion.scale_max))
        overall_value = None
        if overall not in (None, ""):
            overall_value = _points(overall, _("综合评分"), 100)
        comment = (comment or "").strip()
        if len(comment) > MAX_COMMENT:
            raise RoundError(_("评语最多 %(max)s 字，现有 %(n)s 字。")
                             % {"max": MAX_COMMENT, "n": len(comment)})
        if submit:
            missing = [c.label for c in criteria if c.key not in clean]
            if missing:
                raise RoundError(_("还有评分项未填：%(labels)s") % {"labels": "、".join(missing)})
            if not criteria and overall_value is None:
                raise RoundError(_("请填写综合评分。"))
            if round_.comment_required and not comment:
                raise RoundError(_("本轮评审要求填写评语。"))
        score, _created = Score.objects.select_for_update().get_or_create(assignment=assignment)
        score.values, score.overall, score.comment = clean, overall_value, comment
        if submit and score.submitted_at is None:
            score.submitted_at = timezone.now()
        score.save()
        ScoreChange.objects.create(score=score, changed_by=by, values=clean, overall=overall_value,
                                   comment=comment, submitted=score.submitted_at is not None)
        return score

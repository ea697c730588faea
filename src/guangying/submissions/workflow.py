"""The life of a work: every change of state goes through here and is recorded.

草稿 → 已提交 → 形式审查：通过 / 退回修改 / 不予受理; a returned work is fixed
and submitted again before the deadline (or its own extension). Quota
checks take a lock on the entrant's row so that two browsers racing for
the last place cannot both win: PostgreSQL locks the row (SELECT … FOR
UPDATE), SQLite serialises writers (transactions begin IMMEDIATE).
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guangying.campaigns.models import Entrant

from .models import HANDED_IN_STATES, QUOTA_STATES, Episode, Work, WorkHistory, WorkState
from .readiness import local_deadline, submission_problems
from .text import clean_text


class WorkflowError(Exception):
    """A refused step, with every reason in words for the person who tried."""

    def __init__(self, messages: list[str] | str) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("；".join(self.messages))


def _record(work: Work, action: str, before: str, user: object, reason: str = "") -> None:
    WorkHistory.objects.create(
        work=work, action=action, from_state=before, to_state=work.state, actor=user, reason=reason
    )


def _lock_entrant(entrant_id: int) -> Entrant:
    return Entrant.objects.select_for_update().select_related("campaign").get(pk=entrant_id)


def _quota_problem(entrant: Entrant, *, excluding: Work | None = None) -> str | None:
    """Creating counts every live work; handing in counts only works handed in."""
    limit = entrant.max_works
    if limit is None:
        return None
    states = HANDED_IN_STATES if excluding is not None else QUOTA_STATES
    taken = Work.objects.filter(entrant=entrant, state__in=states)
    if excluding is not None:
        taken = taken.exclude(pk=excluding.pk)
    if taken.count() >= limit:
        return _("已达报送数量上限：每个报送主体最多 %(n)s 件作品。") % {"n": limit}
    return None


def create_work(entrant: Entrant, user: object, title: str = "") -> Work:
    """A new draft, if the entrant still has a place for it."""
    with transaction.atomic():
        entrant = _lock_entrant(entrant.pk)
        campaign = entrant.campaign
        if not campaign.is_published:
            raise WorkflowError(_("活动尚未发布。"))
        if timezone.now() > campaign.submission_closes_at:
            raise WorkflowError(
                _("报送已于 %(t)s（北京时间）截止，不能再新建作品。")
                % {"t": local_deadline(campaign.submission_closes_at)}
            )
        problem = _quota_problem(entrant)
        if problem:
            raise WorkflowError(problem)
        work = Work.objects.create(
            campaign=campaign,
            entrant=entrant,
            title=clean_text(title, multiline=False)[:200],
            created_by=user,
        )
        Episode.objects.create(work=work, number=1)
        _record(work, WorkHistory.Action.CREATE, "", user)
    return work


def submit(work: Work, user: object, at: datetime | None = None) -> Work:
    """Hand a draft or a returned work in; refused with every reason at once."""
    at = at or timezone.now()
    with transaction.atomic():
        entrant = _lock_entrant(work.entrant_id)
        work = Work.objects.select_related("campaign", "entrant").get(pk=work.pk)
        if work.state not in (WorkState.DRAFT, WorkState.RETURNED):
            raise WorkflowError(
                _("作品当前状态为「%(s)s」，不能提交。") % {"s": work.get_state_display()}
            )
        problems = submission_problems(work, at)
        quota = _quota_problem(entrant, excluding=work)
        if quota:
            problems.insert(0, quota)
        if problems:
            raise WorkflowError(problems)
        before = work.state
        work.state = WorkState.SUBMITTED
        work.submitted_at = at
        work.save(update_fields=["state", "submitted_at", "updated_at"])
        _record(work, WorkHistory.Action.SUBMIT, before, user)
    return work


def _transition(
    work: Work,
    user: object,
    *,
    allowed_from: tuple[str, ...],
    to: str,
    action: str,
    reason: str = "",
    reason_required: bool = False,
) -> Work:
    reason = clean_text(reason)
    if reason_required and not reason:
        raise WorkflowError(_("请填写原因，报送主体会看到它。"))
    if len(reason) > 2000:
        raise WorkflowError(_("原因不能超过 2000 字。"))
    with transaction.atomic():
        work = Work.objects.select_for_update().select_related("campaign").get(pk=work.pk)
        if work.state not in allowed_from:
            raise WorkflowError(
                _("作品当前状态为「%(s)s」，不能执行此操作。") % {"s": work.get_state_display()}
            )
        before = work.state
        work.state = to
        work.save(update_fields=["state", "updated_at"])
        _record(work, action, before, user, reason)
    return work


def withdraw(work: Work, user: object) -> Work:
    """Take a submitted work back to draft to change it (before the formal check and deadline)."""
    if not work.is_before_deadline():
        raise WorkflowError(_("已过截止时间，不能撤回修改。"))
    return _transition(
        work, user, allowed_from=(WorkState.SUBMITTED,), to=WorkState.DRAFT,
        action=WorkHistory.Action.WITHDRAW,
    )


def discard(work: Work, user: object, reason: str = "") -> Work:
    """Give up a draft; it frees its place in the quota but stays on record."""
    return _transition(
        work, user, allowed_from=(WorkState.DRAFT,), to=WorkState.WITHDRAWN,
        action=WorkHistory.Action.DISCARD, reason=reason,
    )


def pass_formal_check(work: Work, user: object, reason: str = "") -> Work:
    return _transition(
        work, user, allowed_from=(WorkState.SUBMITTED,), to=WorkState.PASSED,
        action=WorkHistory.Action.PASS, reason=reason,
    )


def return_for_correction(work: Work, user: object, reason: str) -> Work:
    return _transition(
        work, user, allowed_from=(WorkState.SUBMITTED, WorkState.PASSED), to=WorkState.RETURNED,
        action=WorkHistory.Action.RETURN, reason=reason, reason_required=True,
    )


def reject(work: Work, user: object, reason: str) -> Work:
    return _transition(
        work, user, allowed_from=(WorkState.SUBMITTED, WorkState.RETURNED, WorkState.PASSED),
        to=WorkState.REJECTED, action=WorkHistory.Action.REJECT, reason=reason,
        reason_required=True,
    )


def reopen(work: Work, user: object, reason: str) -> Work:
    """Undo a formal-check decision made by mistake: back to 已提交.

    A rejected work gave its place back; if the unit has filled it since,
    reopening would put the unit over its quota, so it is refused.
    """
    with transaction.atomic():
        entrant = _lock_entrant(work.entrant_id)
        current = Work.objects.get(pk=work.pk)
        if current.state == WorkState.REJECTED:
            problem = _quota_problem(entrant, excluding=current)
            if problem:
                raise WorkflowError([problem, _("请先与该单位确认撤下哪件作品，再恢复这件。")])
        return _transition(
            work, user, allowed_from=(WorkState.PASSED, WorkState.REJECTED),
            to=WorkState.SUBMITTED, action=WorkHistory.Action.REOPEN, reason=reason,
            reason_required=True,
        )


def extend_deadline(work: Work, user: object, until: datetime | None, reason: str) -> Work:
    """Give one work more time than the campaign's deadline, or take the extension back."""
    reason = clean_text(reason)
    if not reason:
        raise WorkflowError(_("请填写延期原因。"))
    if until is not None and until <= work.campaign.submission_closes_at:
        raise WorkflowError(
            _("延期时间必须晚于活动截止时间 %(t)s。")
            % {"t": local_deadline(work.campaign.submission_closes_at)}
        )
    with transaction.atomic():
        work = Work.objects.select_for_update().get(pk=work.pk)
        work.deadline_extended_until = until
        work.save(update_fields=["deadline_extended_until", "updated_at"])
        note = (
            _("延期至 %(t)s：%(r)s") % {"t": local_deadline(until), "r": reason}
            if until
            else _("取消延期：%(r)s") % {"r": reason}
        )
        WorkHistory.objects.create(
            work=work, action=WorkHistory.Action.EXTEND, from_state=work.state,
            to_state=work.state, actor=user, reason=note,
        )
    return work


def editable_by_entrant(work: Work) -> bool:
    return work.state in (WorkState.DRAFT, WorkState.RETURNED) and work.is_before_deadline()


def add_episode(work: Work, user: object) -> Episode:
    rules = work.campaign.rules
    if not rules.series.allowed:
        raise WorkflowError(_("本活动不接受系列作品。"))
    with transaction.atomic():
        # Judged on the locked row: another member may have just submitted it.
        work = Work.objects.select_for_update().select_related("campaign").get(pk=work.pk)
        if not editable_by_entrant(work):
            raise WorkflowError(_("作品当前不能修改。"))
        count = work.episodes.count()
        if rules.series.max_episodes and count >= rules.series.max_episodes:
            raise WorkflowError(_("系列作品最多 %(n)s 集。") % {"n": rules.series.max_episodes})
        last = work.episodes.order_by("-number").first()
        return Episode.objects.create(work=work, number=(last.number + 1) if last else 1)


def remove_episode(episode: Episode, user: object) -> None:
    work = episode.work
    if not editable_by_entrant(work):
        raise WorkflowError(_("作品当前不能修改。"))
    if work.episodes.count() <= 1:
        raise WorkflowError(_("作品至少要有一集。"))
    episode.attachments.update(superseded_at=timezone.now(), episode=None)
    episode.delete()

"""A round's assignment and results, from its records through the pure modules and back.

`assignment.py` and `aggregation.py` know nothing of the database; here a round's entries,
reviewers, conflicts and scores become their plain inputs, and their answers become rows.
A reviewer's own unit is the campaign role's 「所在单位」, matched against the entrants' names
and an individual's unit as the credits are (「中共」, 委员会/委, 统战部 spellings alike): a
reviewer of 中共长川市委统战部 never gets a work of 长川市委统一战线工作部.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guangying.campaigns.models import Campaign, CampaignRole, Entrant
from guangying.inspection.reading import names
from guangying.submissions.models import Work

from . import aggregation, assignment, log, outbox, wording
from .models import Assignment, Conflict, OutgoingMail, ReviewLog, ReviewRound, RoundWork, Score
from .rounds import RoundError


def _same_unit(unit: str, entrant_name: str) -> bool:
    if not unit.strip() or not entrant_name.strip():
        return False
    return names.find_name(unit, entrant_name) is not None or names.find_name(entrant_name, unit) is not None


def reviewers_of(round_: ReviewRound) -> list[CampaignRole]:
    """The campaign's reviewers, by name then id: every page lists them in this one order."""
    return list(CampaignRole.objects.filter(campaign=round_.campaign, role=CampaignRole.Role.REVIEWER)
                .select_related("user").order_by("user__name", "user_id", "pk"))


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

    Only an open round, read under its lock: a draft round has no works yet, a closed one is final.
    Only the difference is written; a pair with a score is never removed. The log's line says how
    many pairs were added and removed.
    """
    with transaction.atomic():
        locked = _lock_round(round_.pk)
        if locked.status == ReviewRound.Status.DRAFT:
            raise RoundError(_("请先开始本轮评审，再分配作品。"))
        if locked.status == ReviewRound.Status.CLOSED:
            raise RoundError(_("「%(label)s」已结束，评分已锁定，不能再分配作品。") % {"label": locked.label})
        pool = pool_for(round_)
        scored = set(Score.objects.filter(assignment__round=round_).values_list("assignment_id", flat=True))
        known_works, known_reviewers = {w.id for w in pool.works}, {r.id for r in pool.reviewers}
        current = []
        for a in Assignment.objects.filter(round=round_):
            if a.work_id in known_works and a.reviewer_id in known_reviewers:
                current.append(a)
            elif a.pk not in scored:
                a.delete()  # a reviewer no longer of the campaign: their untouched works go to others
        kept = [(a.work_id, a.reviewer_id) for a in current if a.locked or a.pk in scored]
        pairs = [(a.work_id, a.reviewer_id) for a in current]
        result = assignment.rebalance(pool, pairs, locked=kept, seed=seed) if pairs \
            else assignment.assign(pool, seed=seed)
        removed = set(result.removed) - set(kept)
        for a in current:
            if (a.work_id, a.reviewer_id) in removed:
                a.delete()
        Assignment.objects.bulk_create(
            [Assignment(round=round_, work_id=w, reviewer_id=r, created_by=by) for w, r in result.added],
            ignore_conflicts=True,
        )
        text = _("自动分配「%(label)s」：新增 %(added)s 份，取消 %(removed)s 份，每件作品 %(k)s 位评审专家")
        log.record(locked.campaign, "assigned",
                   text % {"label": locked.label, "added": len(result.added), "removed": len(removed),
                           "k": pool.k},
                   actor=by, round=locked, added=len(result.added), removed=len(removed),
                   shortfalls=len(result.shortfalls), seed=str(seed))
        return result


def _criteria(round_: ReviewRound) -> list[Any]:
    criteria = list(round_.criteria.all())
    return criteria if criteria else [aggregation.OVERALL]


def later_rounds(round_: ReviewRound) -> list[ReviewRound]:
    """The campaign's rounds after this one, in order."""
    return [r for r in ReviewRound.objects.filter(campaign_id=round_.campaign_id).order_by("position", "pk")
            if (r.position, r.pk) > (round_.position, round_.pk)]


def is_final(round_: ReviewRound) -> bool:
    """The campaign's last round: its marks select works (入选), there is no next round to advance to."""
    return not later_rounds(round_)


def work_names(works: Iterable[Any]) -> dict[int, str]:
    """「《一封家书》」 for each work, with its entrant after a title that two works share.

    The organiser is never blind, so naming the entrant is never a leak; it is only added where
    the title alone would not tell two works apart.
    """
    works = list(works)
    counts = Counter(w.title.strip() for w in works)
    return {w.pk: f"《{w.title}》" + (f"（{w.entrant}）" if counts[w.title.strip()] > 1 else "")
            for w in works}


def people_names(users: Iterable[Any]) -> dict[int, str]:
    """Each reviewer by name (or e-mail without one), with the e-mail after a name that two share."""
    users = list(users)
    shown = {u.pk: (u.name or "").strip() or u.email for u in users}
    counts = Counter(shown.values())
    return {u.pk: shown[u.pk] + (f"（{u.email}）" if counts[shown[u.pk]] > 1 and shown[u.pk] != u.email
                                 else "") for u in users}


def names_for(round_: ReviewRound, work_ids: Iterable[int], reviewer_ids: Iterable[int],
              criteria: Sequence[Any]) -> aggregation.Names:
    """What the results' notes call the round's works, reviewers and criteria (see ``aggregation.Names``)."""
    works = Work.objects.filter(pk__in=set(work_ids)).select_related("entrant")
    users = get_user_model().objects.filter(pk__in=set(reviewer_ids))
    labels = {c.key: getattr(c, "label", "") or _("综合评分") for c in criteria}  # OVERALL has no label
    return aggregation.Names(works=work_names(works), reviewers=people_names(users), criteria=labels)


def _marks_recorded(round_: ReviewRound) -> set[int] | None:
    """The works the round marked as advancing, or None while nothing was ever chosen in it."""
    marked = set(RoundWork.objects.filter(round=round_, advanced=True).values_list("work_id", flat=True))
    if marked or ReviewLog.objects.filter(round=round_, action="advanced").exists():
        return marked
    return None


def results(round_: ReviewRound, *, top: int | None = None,
            at_least: Any = None) -> aggregation.RoundResult:
    """The round's ranking by its own method, from the submitted scores; drafts do not count.

    With ``top`` or ``at_least``, what that rule would advance (``advance`` asks so). Without, the
    advancing column says what the round recorded (RoundWork.advanced), once anything was chosen:
    the marks decided stand, not those a rule would give today. The notes name works and reviewers.
    """
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
    names = names_for(round_, [*works, *expected, *(s.work for s in scores)],
                      [*(s.reviewer for s in scores), *(r for rs in expected.values() for r in rs)], criteria)
    settings = aggregation.RoundSettings(method=round_.method, disagreement=round_.disagreement_threshold,
                                         top=top, at_least=at_least)
    result = aggregation.aggregate_round(scores, criteria, settings, works=works, expected=expected,
                                         names=names)
    if top is None and at_least is None:
        marked = _marks_recorded(round_)
        if marked is not None:
            result = aggregation.with_marks(result, marked)
    return result


def advance_refusal(round_: ReviewRound) -> str | None:
    """Why the round's advancing marks cannot be chosen now, or None.

    Not in a draft round (nothing is scored yet); not once a later round has opened, since it took
    its works from these marks when it opened; not once the campaign's decisions are released,
    since the published list was made from them. Withdrawing the release allows it again.
    """
    from .decisions import is_released  # decisions imports this module

    what = _("入选作品") if is_final(round_) else _("晋级作品")
    if round_.status == ReviewRound.Status.DRAFT:
        return _("「%(label)s」尚未开始，还不能选出%(what)s。") % {"label": round_.label, "what": what}
    opened = next((r for r in later_rounds(round_) if r.status != ReviewRound.Status.DRAFT), None)
    if opened is not None:
        return _("「%(next)s」已经开始，「%(label)s」的%(what)s不能再修改。") % {
            "next": opened.label, "label": round_.label, "what": what}
    if is_released(round_.campaign):
        return _("评审结果已经公布，%(what)s不能再修改。如需修改，请先在「评审结果与公布」中撤回公布。") % {
            "what": what}
    return None


def advance_rule_text(top: int | None, at_least: Any) -> str:
    """The rule in words: 「前 5 名」, 「达到 80 分」, or 「前 5 名中达到 80 分的作品」 when both apply."""
    if top is not None and at_least is not None:
        return _("前 %(top)s 名中达到 %(line)s 分的作品") % {"top": top, "line": at_least}
    if top is not None:
        return _("前 %(top)s 名") % {"top": top}
    return _("达到 %(line)s 分") % {"line": at_least}


def advance(round_: ReviewRound, *, top: int | None = None, at_least: Any = None,
            by: Any = None) -> list[int]:
    """Marks the works that go on to the next round, by the round's ranking; the work ids marked.

    See ``advance_result``, which also gives the rule's notes (a tie across the cut-off, too few works).
    """
    return list(advance_result(round_, top=top, at_least=at_least, by=by).advancing)


def advance_result(round_: ReviewRound, *, top: int | None = None, at_least: Any = None,
                   by: Any = None) -> aggregation.RoundResult:
    """Marks the works that go on to the next round by the round's ranking; the ranking with the rule.

    Both ``top`` and ``at_least`` may be given: a work must then meet both. Refused (RoundError)
    where ``advance_refusal`` says why, read under the campaign's lock (which the release takes)
    and the rounds' (which opening the next one takes), so that neither can slip in between the
    check and the marks. The log's line names the rule and the works.

    The locks are FOR NO KEY UPDATE: they keep out whoever locks the same rows (the release, the
    opening of a round), not a transaction that only writes a line referring to them, as opening a
    round does once it holds its round; a full lock on the campaign would leave the two waiting on
    each other.
    """
    with transaction.atomic():
        Campaign.objects.select_for_update(no_key=True).get(pk=round_.campaign_id)
        rounds = {r.pk: r for r in ReviewRound.objects.select_for_update(no_key=True)
                  .filter(campaign_id=round_.campaign_id).order_by("position", "pk")}
        current = rounds[round_.pk]
        refusal = advance_refusal(current)
        if refusal:
            raise RoundError(refusal)
        result = results(current, top=top, at_least=at_least)
        chosen = list(result.advancing)
        RoundWork.objects.filter(round=current).update(advanced=False)
        RoundWork.objects.filter(round=current, work_id__in=chosen).update(advanced=True)
        titles = [result.names.work(w) for w in chosen]
        shown = str(wording.LIST_SEPARATOR).join(str(t) for t in titles[:10])
        shown += "…" if len(titles) > 10 else ""
        text = (_("「%(label)s」选出入选作品 %(n)s 件（%(rule)s）") if is_final(current)
                else _("「%(label)s」选出晋级作品 %(n)s 件（%(rule)s）")) % {
            "label": current.label, "n": len(chosen), "rule": advance_rule_text(top, at_least)}
        log.record(current.campaign, "advanced", text + (f"：{shown}" if shown else ""), actor=by,
                   round=current, works=chosen, top=top, at_least=None if at_least is None else str(at_least),
                   exceeded_by=result.exceeded_by)
    return result


# --------------------------------------------------------------------------
# Manual changes to a round's assignment, and reminders to the reviewers


def _lock_round(pk: int) -> ReviewRound:
    """The round, locked for the transaction (its row only: the campaign comes along unlocked)."""
    return ReviewRound.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=pk)


def _changeable(round_: ReviewRound) -> None:
    """Assignments change only while a round is under way: a draft round has none, a closed one is final."""
    if round_.status == ReviewRound.Status.DRAFT:
        raise RoundError(_("「%(label)s」尚未开始：请先开始本轮评审并分配作品，再手动调整分配。")
                         % {"label": round_.label})
    if round_.status == ReviewRound.Status.CLOSED:
        raise RoundError(_("「%(label)s」已结束，分配不能再修改。") % {"label": round_.label})


def _current_pairs(round_: ReviewRound, pool: assignment.Pool) -> list[assignment.Pair]:
    """The round's pairs the checker can know: a reviewer no longer of the campaign is left out."""
    works = {w.id for w in pool.works}
    reviewers = {r.id for r in pool.reviewers}
    return [(w, r) for w, r in Assignment.objects.filter(round=round_).values_list("work_id", "reviewer_id")
            if w in works and r in reviewers]


def _refuse_on_errors(problems: list[assignment.Problem]) -> list[str]:
    """Raises the checker's errors as one refusal; returns its warnings, which inform but do not stop."""
    errors = [wording.problem_text(p) for p in problems if p.severity == "error"]
    if errors:
        raise RoundError("；".join(errors))
    return [wording.problem_text(p) for p in problems if p.severity != "error"]


def add_reviewer(round_: ReviewRound, work_id: int, reviewer_id: int, *, by: Any) -> tuple[str, list[str]]:
    """Gives a work to one more reviewer by hand; (what was done, warnings).

    The pure checker decides what may not be (a reviewer of the work's own unit, a declared conflict,
    a reviewer already on the work, a work or reviewer not in the round); its warnings (more than k
    reviewers, loads further apart) are said but do not stop an organiser who means it. The pair is
    locked, so that assigning the round again keeps it. Under the round's lock, so that two organisers
    adding the same pair at once make one assignment.
    """
    with transaction.atomic():
        locked = _lock_round(round_.pk)
        _changeable(locked)
        pool = pool_for(locked)
        problems = assignment.check_change(pool, _current_pairs(locked, pool),
                                           assignment.Add(work_id, reviewer_id))
        warnings = _refuse_on_errors(problems)
        title = next(w.label for w in pool.works if w.id == work_id)
        name = next(r.label for r in pool.reviewers if r.id == reviewer_id)
        try:
            with transaction.atomic():
                Assignment.objects.create(round=locked, work_id=work_id, reviewer_id=reviewer_id, locked=True,
                                          created_by=by)
        except IntegrityError:  # the same pair, added meanwhile where the round's lock does not hold
            said = {"name": name, "title": title}
            code = "change.duplicate"
            duplicate = assignment.Problem(code, "error", assignment.message(code, **said), work_id,
                                           reviewer_id, said)
            raise RoundError(wording.problem_text(duplicate)) from None
        text = _("手动指定：%(name)s评审《%(title)s》") % {"name": name, "title": title}
        log.record(locked.campaign, "assignment_added", text, actor=by, round=locked, work=work_id,
                   reviewer=reviewer_id, locked=True)
        return text, warnings


def remove_reviewer(round_: ReviewRound, work_id: int, reviewer_id: int, *, by: Any) -> tuple[str, list[str]]:
    """Takes a work from a reviewer who has not begun to score it; (what was done, warnings).

    A submitted score belongs to the round's result and a draft is the reviewer's work in progress:
    either refuses the removal (a reviewer with a conflict declares it, which does remove a draft).
    """
    with transaction.atomic():
        locked = _lock_round(round_.pk)
        _changeable(locked)
        pool = pool_for(locked)
        change = assignment.Remove(work_id, reviewer_id)
        current = (Assignment.objects.filter(round=locked, work_id=work_id, reviewer_id=reviewer_id)
                   .select_related("work", "reviewer").first())
        if current is None:
            _refuse_on_errors(assignment.check_change(pool, _current_pairs(locked, pool), change))
            raise RoundError(_("没有这项分配。"))
        who = {"name": current.reviewer.name or current.reviewer.email, "title": current.work.title}
        score = Score.objects.filter(assignment=current).first()
        if score is not None and score.submitted_at is not None:
            raise RoundError(_("%(name)s已提交《%(title)s》的评分，这项分配不能取消："
                               "已提交的评分是本轮结果的一部分。") % who)
        if score is not None:
            raise RoundError(_("%(name)s已开始评《%(title)s》并保存了草稿，这项分配不能取消，否则草稿会丢失。"
                               "请先与评审专家联系；如有利益冲突，可由评审专家在评分页声明，或在「利益冲突」页登记。")
                             % who)
        warnings: list[str] = []
        if any(w.id == work_id for w in pool.works) and any(r.id == reviewer_id for r in pool.reviewers):
            warnings = _refuse_on_errors(assignment.check_change(pool, _current_pairs(locked, pool), change))
        current.delete()
        text = _("取消分配：%(name)s不再评审《%(title)s》") % who
        log.record(locked.campaign, "assignment_removed", text, actor=by, round=locked, work=work_id,
                   reviewer=reviewer_id, was_locked=current.locked)
        return text, warnings


def set_locked(round_: ReviewRound, work_id: int, reviewer_id: int, locked: bool, *, by: Any) -> str:
    """Locks a pair (assigning again keeps it) or unlocks it (assigning again may move it); what was done."""
    with transaction.atomic():
        round_locked = _lock_round(round_.pk)
        _changeable(round_locked)
        current = (Assignment.objects.filter(round=round_locked, work_id=work_id, reviewer_id=reviewer_id)
                   .select_related("work", "reviewer").first())
        if current is None:
            raise RoundError(_("没有这项分配。"))
        who = {"name": current.reviewer.name or current.reviewer.email, "title": current.work.title}
        if current.locked == locked:
            return (_("%(name)s评审《%(title)s》已是手动指定。") if locked
                    else _("%(name)s评审《%(title)s》本来就不是手动指定。")) % who
        current.locked = locked
        current.save(update_fields=["locked"])
        text = (_("锁定分配：%(name)s评审《%(title)s》，重新自动分配时保留") if locked
                else _("解除锁定：%(name)s评审《%(title)s》，重新自动分配时可以调整")) % who
        log.record(round_locked.campaign, "assignment_locked" if locked else "assignment_unlocked", text,
                   actor=by, round=round_locked, work=work_id, reviewer=reviewer_id)
        return text


@dataclass(frozen=True)
class Reminders:
    written: int  # messages now waiting in the outbox
    waiting: int  # reviewers skipped: an unsent reminder for the round already waits
    no_email: int  # reviewers skipped: no e-mail address


def _reminder(round_: ReviewRound, user: Any, left: int) -> tuple[str, str]:
    """A reminder's subject and body, in the site's language: it goes to the reviewer, not the organiser."""
    campaign = round_.campaign
    with translation.override(settings.LANGUAGE_CODE):
        title = campaign.rules.short_title or campaign.title
        subject = _("「%(campaign)s」%(round)s：您还有 %(n)s 件作品待评审") % {
            "campaign": title, "round": round_.label, "n": left}
        lines = [_("%(name)s：") % {"name": user.name or user.email}, "",
                 _("您好！「%(campaign)s」%(round)s分配给您的作品中，还有 %(n)s 件尚未提交评分。")
                 % {"campaign": campaign.title, "round": round_.label, "n": left}]
        if round_.closes_at is not None:
            when = timezone.localtime(round_.closes_at, ZoneInfo(settings.TIME_ZONE))
            lines.append(_("本轮评审将于 %(when)s（北京时间）结束，请在此之前完成评分。")
                         % {"when": f"{when:%Y-%m-%d %H:%M}"})
        link = settings.SITE_URL + reverse("reviews:mine")
        lines += [_("请登录平台，在「我的评审作品」中继续评审："), link, "",
                  _("「%(campaign)s」主办方") % {"campaign": title}]
        return subject, "\n".join(lines) + "\n"


def write_reminders(round_: ReviewRound, *, by: Any) -> Reminders:
    """One reminder for each reviewer with works still to score in an open round, held in the outbox.

    Nothing is sent here: the organiser reads the messages and sends them from the outbox. A reviewer
    who already has an unsent reminder for the round gets no second one, so pressing twice queues
    nothing twice; a reviewer with nothing left, or without an address, gets none.
    """
    with transaction.atomic():
        locked = _lock_round(round_.pk)
        if locked.status != ReviewRound.Status.OPEN:
            raise RoundError(_("只有评审中的轮次才能生成提醒邮件。"))
        left = Counter(Assignment.objects.filter(round=locked).exclude(score__submitted_at__isnull=False)
                       .values_list("reviewer_id", flat=True))
        waiting = set(OutgoingMail.objects.filter(
            campaign=locked.campaign, kind=OutgoingMail.Kind.REMINDER, round=locked, sent_at__isnull=True,
        ).values_list("reviewer_id", flat=True))
        written = skipped = no_email = 0
        for user in get_user_model().objects.filter(pk__in=left).order_by("name", "pk"):
            if user.pk in waiting:
                skipped += 1
                continue
            if not (user.email or "").strip():
                no_email += 1
                continue
            subject, body = _reminder(locked, user, left[user.pk])
            outbox.hold(locked.campaign, OutgoingMail.Kind.REMINDER, to_email=user.email, to_name=user.name,
                        subject=subject, body=body, by=by, round=locked, reviewer=user)
            written += 1
        if written:
            log.record(locked.campaign, "reminders_written",
                       _("生成提醒邮件 %(n)s 封（待发送）") % {"n": written}, actor=by, round=locked,
                       written=written, waiting=skipped, no_email=no_email)
        return Reminders(written=written, waiting=skipped, no_email=no_email)


def reviewer_sets_advanced(assignment_: Assignment, advanced: bool, *, by: Any) -> str:
    """A reviewer marks the work they review as going on (or not), where the round lets reviewers do so.

    Refused unless the round is open and its 「评审专家可以改变作品状态」 is on, both read under the
    round's lock (PermissionDenied when the switch is off: a forged form gets nowhere); the log's
    line names the reviewer, since several may change the same work.
    """
    with transaction.atomic():
        locked = _lock_round(assignment_.round_id)
        if not locked.reviewers_change_state:
            raise PermissionDenied(_("本轮评审不允许评审专家改变作品状态。"))
        if locked.status != ReviewRound.Status.OPEN:
            raise RoundError(_("「%(label)s」不在评审中，作品状态不能修改。") % {"label": locked.label})
        entry = (RoundWork.objects.select_for_update()
                 .filter(round=locked, work_id=assignment_.work_id).first())
        if entry is None:
            raise RoundError(_("这件作品不在本轮评审中。"))
        said = {"title": assignment_.work.title, "name": by.name or by.email}
        if entry.advanced == advanced:
            return (_("《%(title)s》已是入选状态。") if advanced else _("《%(title)s》本来就未入选。")) % said
        entry.advanced = advanced
        entry.save(update_fields=["advanced"])
        text = (_("%(name)s将《%(title)s》标记为入选") if advanced
                else _("%(name)s取消了《%(title)s》的入选")) % said
        log.record(locked.campaign, "work_advanced" if advanced else "work_not_advanced", text, actor=by,
                   round=locked, work=assignment_.work_id, by_reviewer=True)
        return text

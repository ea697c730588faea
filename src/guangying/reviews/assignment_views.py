"""The organiser's pages for a round's assignment by hand, its progress per work, reminders, and conflicts.

Changes go through the pure checker (assignment.check_change) in services: a reviewer of the
work's own unit or with a declared conflict is refused with the checker's words. Where the page
words it itself, it keeps the two apart: a reviewer of the work's own unit is 「本单位回避」 (by
their 所在单位, nothing declared), a declared conflict is 「利益冲突」 (as the 利益冲突 page lists).
To anyone who does not organise the campaign these pages do not exist (404).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from guangying.campaigns.models import CampaignRole, Entrant
from guangying.campaigns.views import campaign_for
from guangying.submissions.models import Work, WorkState

from . import assignment, conflicts, services
from .models import Assignment, Conflict, ReviewRound, RoundWork, Score
from .rounds import RoundError, rounds_for

MANAGE = "reviews.manage_reviews"
MAX_ID_DIGITS = 18  # a database key fits in 63 bits; a longer number is not one


def _round(campaign: Any, key: str) -> ReviewRound:
    rounds_for(campaign)  # made from the rules on first use, whichever page comes first
    return get_object_or_404(ReviewRound, campaign=campaign, key=key)


def parse_id(raw: Any) -> int | None:
    """A form's id as a number, or None: digits only (no sign, no spaces inside, no other scripts' digits)."""
    text = str(raw or "").strip()
    if not text or len(text) > MAX_ID_DIGITS or not text.isascii() or not text.isdigit():
        return None
    return int(text)


OWN_UNIT, DECLARED = "own_unit", "declared"


def why_not(work: assignment.Work, reviewer: assignment.Reviewer) -> str:
    """Why an ineligible reviewer may not review a work: OWN_UNIT first, as the checker ranks the reasons."""
    return OWN_UNIT if not reviewer.units.isdisjoint(work.all_units) else DECLARED


def why_words(why: str) -> str:
    return _("本单位回避") if why == OWN_UNIT else _("利益冲突")


def _blocked(addable: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The reviewers who may not be added, grouped by why: 本单位回避 first, then 利益冲突."""
    groups = []
    for why in (OWN_UNIT, DECLARED):
        names = [r["name"] for r in addable if not r["allowed"] and r["why"] == why]
        if names:
            groups.append({"why": why, "words": why_words(why), "names": names})
    return groups


def _work_rows(round_: ReviewRound, pool: assignment.Pool) -> list[dict[str, Any]]:
    """Per work of the round: its reviewers and their scores' states, its progress, who may be added."""
    entries = list(RoundWork.objects.filter(round=round_).select_related("work__entrant")
                   .order_by("work__title", "work_id"))
    scores = dict(Score.objects.filter(assignment__round=round_).values_list("assignment_id", "submitted_at"))
    on: dict[int, list[dict[str, Any]]] = {}
    rows = []
    current = Assignment.objects.filter(round=round_).select_related("reviewer")
    for a in current.order_by("reviewer__name", "pk"):
        if a.pk not in scores:
            state, label = "none", _("未评")
        elif scores[a.pk] is None:
            state, label = "draft", _("草稿")
        else:
            state, label = "submitted", _("已提交")
        # A pair with a score is kept by every new assignment and cannot be removed by hand: locking
        # it would change nothing, so the page shows its state and offers no 锁定.
        on.setdefault(a.work_id, []).append({
            "assignment": a, "name": a.reviewer.name or a.reviewer.email, "state": state, "label": label,
            "removable": state == "none", "lockable": state == "none"})
        rows.append((a.work_id, a.reviewer_id, state == "submitted"))
    progress = assignment.work_progress(rows, [e.work_id for e in entries])
    eligible = assignment.eligible_reviewers(pool)
    emails = {role.user_id: role.user.email for role in services.reviewers_of(round_)}
    names = {r.id: r.name or emails.get(r.id) or r.label for r in pool.reviewers}  # never a bare user id
    reviewers = sorted(pool.reviewers, key=lambda r: (names[r.id], str(r.id)))
    pool_works = {w.id: w for w in pool.works}
    shown = []
    for entry in entries:
        assigned = {item["assignment"].reviewer_id for item in on.get(entry.work_id, [])}
        allowed = set(eligible.get(entry.work_id, ()))
        p = progress[entry.work_id]
        work = pool_works.get(entry.work_id)
        addable = []
        for r in reviewers:
            if r.id in assigned:
                continue
            why = "" if r.id in allowed or work is None else why_not(work, r)
            addable.append({"id": r.id, "name": names[r.id], "allowed": r.id in allowed, "why": why,
                            "why_words": why_words(why) if why else ""})
        shown.append({
            "entry": entry, "work": entry.work, "reviewers": on.get(entry.work_id, []), "progress": p,
            "short": max(0, pool.k - p.assigned),
            "addable": addable, "can_add": any(r["allowed"] for r in addable), "blocked": _blocked(addable),
        })
    return shown


def _reviewer_rows(round_: ReviewRound) -> list[dict[str, Any]]:
    roles = services.reviewers_of(round_)
    done = set(Score.objects.filter(assignment__round=round_, submitted_at__isnull=False)
               .values_list("assignment_id", flat=True))
    rows = [(a.work_id, a.reviewer_id, a.pk in done) for a in Assignment.objects.filter(round=round_)]
    progress = assignment.reviewer_progress(rows, [role.user_id for role in roles])
    names = {role.user_id: role.user.name or role.user.email for role in roles}
    missing = [pk for pk in progress if pk not in names]
    for a in Assignment.objects.filter(round=round_, reviewer_id__in=missing).select_related("reviewer"):
        names[a.reviewer_id] = a.reviewer.name or a.reviewer.email
    return sorted(({"name": names.get(pk, str(pk)), "progress": p} for pk, p in progress.items()),
                  key=lambda row: (-row["progress"].remaining, row["name"]))


@login_required
@require_safe
def assignments_page(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    round_ = _round(campaign, key)
    pool = services.pool_for(round_)
    works = _work_rows(round_, pool)
    return render(request, "reviews/assignments.html", {
        "campaign": campaign, "round": round_, "works": works, "reviewers": _reviewer_rows(round_),
        "k": pool.k, "short": sum(1 for w in works if w["short"]),
        "changeable": round_.status == ReviewRound.Status.OPEN,
        "no_reviewers": not pool.reviewers,
    })


@login_required
@require_POST
def assignment_change(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    round_ = _round(campaign, key)
    action = request.POST.get("action", "")
    work_id, reviewer_id = parse_id(request.POST.get("work")), parse_id(request.POST.get("reviewer"))
    back = reverse("reviews:assignments", args=[campaign.slug, round_.key])
    if action not in ("add", "remove", "lock", "unlock"):
        messages.error(request, _("无法识别的操作。"))
        return redirect(back)
    if work_id is None or reviewer_id is None:
        messages.error(request, _("请选择作品和评审专家。"))
        return redirect(back)
    try:
        if action == "add":
            done, warnings = services.add_reviewer(round_, work_id, reviewer_id, by=request.user)
        elif action == "remove":
            done, warnings = services.remove_reviewer(round_, work_id, reviewer_id, by=request.user)
        else:
            done = services.set_locked(round_, work_id, reviewer_id, action == "lock", by=request.user)
            warnings = []
    except RoundError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(request, done)
    for warning in warnings:
        messages.warning(request, warning)
    return redirect(f"{back}#work-{work_id}")


@login_required
@require_POST
def reminders(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    round_ = _round(campaign, key)
    back = reverse("reviews:assignments", args=[campaign.slug, round_.key])
    try:
        made = services.write_reminders(round_, by=request.user)
    except RoundError as error:
        messages.error(request, str(error))
        return redirect(back)
    if made.written:
        messages.success(request, _("已生成 %(n)s 封提醒邮件，尚未发送。请到「待发邮件」页阅读后发送。")
                         % {"n": made.written})
    elif not made.waiting and not made.no_email:
        messages.info(request, _("没有需要提醒的评审专家：分配的作品都已提交评分。"))
    if made.waiting:
        messages.info(request, _("%(n)s 位评审专家已有尚未发送的提醒邮件，没有重复生成。")
                      % {"n": made.waiting})
    if made.no_email:
        messages.warning(request, _("%(n)s 位评审专家没有电子邮箱，无法提醒。") % {"n": made.no_email})
    return redirect(back)


# --------------------------------------------------------------------------
# Conflicts of interest


@login_required
@require_safe
def conflicts_page(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    declared = (Conflict.objects.filter(campaign=campaign)
                .select_related("reviewer", "work__entrant", "entrant", "created_by")
                .order_by("-created_at", "-pk"))
    roles = (CampaignRole.objects.filter(campaign=campaign, role=CampaignRole.Role.REVIEWER)
             .select_related("user").order_by("user__name", "pk"))
    works = (Work.objects.filter(campaign=campaign).exclude(state__in=[WorkState.DRAFT, WorkState.WITHDRAWN])
             .select_related("entrant").order_by("title", "pk"))
    return render(request, "reviews/conflicts.html", {
        "campaign": campaign, "conflicts": [{"conflict": c, "what": conflicts.describe(c)} for c in declared],
        "roles": roles, "entrants": Entrant.objects.filter(campaign=campaign).order_by("kind", "name"),
        "works": works, "max_reason": conflicts.MAX_REASON,
    })


@login_required
@require_POST
def conflict_add(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    back = reverse("reviews:conflicts", args=[campaign.slug])
    reviewer_id = parse_id(request.POST.get("reviewer"))
    raw_work, raw_entrant = request.POST.get("work", "").strip(), request.POST.get("entrant", "").strip()
    roles = CampaignRole.objects.filter(campaign=campaign, role=CampaignRole.Role.REVIEWER)
    role = None if reviewer_id is None else roles.filter(user_id=reviewer_id).select_related("user").first()
    if role is None:
        messages.error(request, _("请选择本活动的评审专家。"))
        return redirect(back)
    work = entrant = None
    if raw_work and raw_entrant:
        messages.error(request, _("请选择一个报送主体或一件作品（只选一项）。"))
        return redirect(back)
    if raw_work:
        work_id = parse_id(raw_work)
        work = Work.objects.filter(campaign=campaign, pk=work_id).first() if work_id is not None else None
        if work is None:
            messages.error(request, _("本活动没有这件作品。"))
            return redirect(back)
    elif raw_entrant:
        entrant_id = parse_id(raw_entrant)
        entrant = Entrant.objects.filter(campaign=campaign, pk=entrant_id).first() if entrant_id is not None \
            else None
        if entrant is None:
            messages.error(request, _("本活动没有这个报送主体。"))
            return redirect(back)
    try:
        declared = conflicts.declare(campaign, role.user, work=work, entrant=entrant,
                                     reason=request.POST.get("reason", ""), by=request.user)
    except conflicts.ConflictError as error:
        messages.error(request, str(error))
        return redirect(back)
    name = role.user.name or role.user.email
    messages.success(request, _("已登记利益冲突：%(name)s与%(what)s。")
                     % {"name": name, "what": conflicts.describe(declared.conflict)})
    _say_what_changed(request, declared)
    return redirect(back)


def _say_what_changed(request: HttpRequest, declared: conflicts.Declared) -> None:
    if declared.removed:
        messages.warning(request, _("已取消其在评审中轮次的 %(n)s 项分配（%(titles)s），"
                                    "这些作品可能缺少评审专家，请在「分配与进度」中补充。")
                         % {"n": len(declared.removed), "titles": "、".join(declared.removed)})
    if declared.kept:
        messages.warning(request, _("已提交的评分不受影响：%(titles)s。如需处理，请另行决定。")
                         % {"titles": "、".join(declared.kept)})


@login_required
@require_POST
def conflict_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    conflict = Conflict.objects.filter(campaign=campaign, pk=pk).first()
    if conflict is None:
        messages.error(request, _("这项利益冲突不存在或已被撤销。"))
    else:
        try:
            done = conflicts.withdraw(conflict, by=request.user)
        except conflicts.ConflictError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done + _("。已取消的分配不会自动恢复，如需请重新分配。"))
    return redirect("reviews:conflicts", slug=campaign.slug)

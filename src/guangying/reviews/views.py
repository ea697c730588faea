"""The organiser's review desk: the rounds, their assignment and progress, the results and advancing.

To anyone who does not organise the campaign these pages do not exist (404), as elsewhere.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from guangying.campaigns.views import campaign_for

from . import aggregation, assignment, exports, services, wording
from .models import Assignment, ReviewRound, Score
from .rounds import RoundError, blindness_warning, close_round, open_round, rounds_for

MANAGE = "reviews.manage_reviews"


def _round(campaign: Any, key: str) -> ReviewRound:
    rounds_for(campaign)  # made from the rules on first use, whichever page comes first
    return get_object_or_404(ReviewRound, campaign=campaign, key=key)


def _progress(round_: ReviewRound, roles: list[Any]) -> list[dict[str, Any]]:
    """Per reviewer of the campaign: works assigned in the round, scored, still to score."""
    done = set(Score.objects.filter(assignment__round=round_, submitted_at__isnull=False)
               .values_list("assignment__work_id", "assignment__reviewer_id"))
    rows = [(w, r, (w, r) in done)
            for w, r in Assignment.objects.filter(round=round_).values_list("work_id", "reviewer_id")]
    progress = assignment.reviewer_progress(rows, [role.user_id for role in roles])
    names = {role.user_id: role.user.name or role.user.email for role in roles}
    return [{"name": names.get(reviewer, str(reviewer)), "progress": p} for reviewer, p in progress.items()]


@login_required
@require_safe
def rounds_page(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    shown = []
    rounds = rounds_for(campaign)
    roles = services.reviewers_of(rounds[0]) if rounds else []
    for round_ in rounds:
        shown.append({
            "round": round_, "warning": blindness_warning(round_),
            "works": round_.entries.count(), "assignments": round_.assignments.count(),
            "submitted": Score.objects.filter(assignment__round=round_, submitted_at__isnull=False).count(),
            "criteria": list(round_.criteria.all()), "progress": _progress(round_, roles),
        })
    return render(request, "reviews/rounds.html", {"campaign": campaign, "rounds": shown, "reviewers": roles})


@login_required
@require_POST
def round_action(request: HttpRequest, slug: str, key: str, action: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    round_ = _round(campaign, key)
    try:
        if action == "open":
            count = open_round(round_)
            messages.success(request, _("「%(label)s」已开始，共 %(n)s 件作品参评。")
                             % {"label": round_.label, "n": count})
        elif action == "assign":
            if round_.status != ReviewRound.Status.OPEN:
                raise RoundError(_("请先开始本轮评审，再分配作品。"))
            result = services.assign_round(round_, by=request.user)
            messages.success(request, _("已分配：每件作品 %(k)s 位评审专家。")
                             % {"k": round_.reviewers_per_work})
            said = [wording.shortfall_text(s) for s in result.shortfalls]
            said += [wording.problem_text(p) for p in result.problems]
            for text in said[:10]:
                messages.warning(request, text)
        elif action == "close":
            close_round(round_)
            messages.success(request, _("「%(label)s」已结束，评分已锁定。") % {"label": round_.label})
        else:
            raise Http404
    except RoundError as error:
        messages.error(request, str(error))
    return redirect("reviews:rounds", slug=campaign.slug)


def _table(round_: ReviewRound, result: aggregation.RoundResult) -> tuple[list[str], list[list[Any]]]:
    titles = {e.work_id: e.work.title for e in round_.entries.select_related("work")}
    labels = {c.key: c.label for c in round_.criteria.all()}
    header, rows = wording.table(result, works=titles, criteria=labels)
    return list(header), [list(row) for row in rows]


@login_required
@require_safe
def results_page(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    round_ = _round(campaign, key)
    result = services.results(round_)
    header, rows = _table(round_, result)
    return render(request, "reviews/results.html", {
        "campaign": campaign, "round": round_, "header": header, "rows": rows,
        "notes": [wording.note_text(note) for note in result.all_notes][:20],
        "advanced": round_.entries.filter(advanced=True).count(),
    })


@login_required
@require_POST
def advance(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    round_ = _round(campaign, key)
    top, at_least = request.POST.get("top", "").strip(), request.POST.get("at_least", "").strip()
    try:
        top_n = int(top) if top else None
        if top_n is not None and top_n < 1:
            raise ValueError
        line = at_least or None
        if line is not None:
            float(line)
    except ValueError:
        messages.error(request, _("晋级名额须为正整数，分数线须为数字。"))
        return redirect("reviews:results", slug=campaign.slug, key=round_.key)
    if top_n is None and line is None:
        messages.error(request, _("请填写晋级名额或分数线。"))
        return redirect("reviews:results", slug=campaign.slug, key=round_.key)
    if round_.status == ReviewRound.Status.DRAFT:
        messages.error(request, _("本轮评审尚未开始。"))
        return redirect("reviews:results", slug=campaign.slug, key=round_.key)
    try:
        chosen = services.advance(round_, top=top_n, at_least=line)
    except aggregation.AggregationError as error:
        messages.error(request, wording.error_text(error) if getattr(error, "note", None) else str(error))
        return redirect("reviews:results", slug=campaign.slug, key=round_.key)
    messages.success(request, _("已选出 %(n)s 件作品晋级下一轮。") % {"n": len(chosen)})
    return redirect("reviews:results", slug=campaign.slug, key=round_.key)


@login_required
@require_safe
def results_xlsx(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    round_ = _round(campaign, key)
    return exports.xlsx_response(exports.ranking_workbook(round_), exports.file_name(round_, _("排名")))

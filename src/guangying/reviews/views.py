"""The organiser's review desk: the rounds, their assignment and progress, the results and advancing.

To anyone who does not organise the campaign these pages do not exist (404), as elsewhere.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
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
    """Per reviewer of the campaign: works assigned in the round, scored, still to score.

    In the order of ``services.reviewers_of`` (by name, then id), as every page lists them; one who
    has left the campaign but still has works here comes after, by name too.
    """
    done = set(Score.objects.filter(assignment__round=round_, submitted_at__isnull=False)
               .values_list("assignment__work_id", "assignment__reviewer_id"))
    rows = [(w, r, (w, r) in done)
            for w, r in Assignment.objects.filter(round=round_).values_list("work_id", "reviewer_id")]
    progress = assignment.reviewer_progress(rows, [role.user_id for role in roles])
    names = {role.user_id: role.user.name or role.user.email for role in roles}
    left = get_user_model().objects.filter(pk__in=set(progress) - set(names))
    names.update({user.pk: user.name or user.email for user in left})
    place = {role.user_id: index for index, role in enumerate(roles)}
    order = sorted(progress, key=lambda r: (place.get(r, len(place)), names.get(r, ""), r))
    return [{"name": names.get(r, str(r)), "progress": progress[r]} for r in order]


def _opening_blocked(round_: ReviewRound, previous: ReviewRound | None) -> str | None:
    """Why a draft round cannot open yet: it takes the works the previous round advances, once it is over."""
    if round_.status != ReviewRound.Status.DRAFT or round_.entry != ReviewRound.Entry.ADVANCED:
        return None
    if previous is None or previous.status == ReviewRound.Status.CLOSED:
        return None
    return _("「%(label)s」结束并选出晋级作品后，才能开始本轮评审。") % {"label": previous.label}


@login_required
@require_safe
def rounds_page(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    shown = []
    rounds = rounds_for(campaign)
    roles = services.reviewers_of(rounds[0]) if rounds else []
    for index, round_ in enumerate(rounds):
        shown.append({
            "round": round_, "warning": blindness_warning(round_),
            "works": round_.entries.count(), "assignments": round_.assignments.count(),
            "submitted": Score.objects.filter(assignment__round=round_, submitted_at__isnull=False).count(),
            "criteria": list(round_.criteria.all()), "progress": _progress(round_, roles),
            "blocked": _opening_blocked(round_, rounds[index - 1] if index else None),
        })
    return render(request, "reviews/rounds.html", {"campaign": campaign, "rounds": shown, "reviewers": roles})


@login_required
@require_POST
def round_action(request: HttpRequest, slug: str, key: str, action: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    round_ = _round(campaign, key)
    try:
        if action == "open":
            count = open_round(round_, by=request.user)
            messages.success(request, _("「%(label)s」已开始，共 %(n)s 件作品参评。")
                             % {"label": round_.label, "n": count})
        elif action == "assign":
            result = services.assign_round(round_, by=request.user)
            messages.success(request, _("已分配：每件作品 %(k)s 位评审专家。")
                             % {"k": round_.reviewers_per_work})
            said = [wording.shortfall_text(s) for s in result.shortfalls]
            said += [wording.problem_text(p) for p in result.problems]
            for text in said[:10]:
                messages.warning(request, text)
        elif action == "close":
            close_round(round_, by=request.user)
            messages.success(request, _("「%(label)s」已结束，评分已锁定。") % {"label": round_.label})
        else:
            raise Http404
    except RoundError as error:
        messages.error(request, str(error))
    return redirect("reviews:rounds", slug=campaign.slug)


def _rows(round_: ReviewRound, result: aggregation.RoundResult) -> list[dict[str, Any]]:
    """The results page's rows: the short line of each work, and what its details show.

    The organiser is never blind: each work is named with its entrant, as in the export. Criteria
    are shown on their own scale (8.60 of a 10-point criterion: the scale the reviewers marked
    them on, as on the score form and the score sheets); the total and its statistics on 0–100.
    """
    zscore = result.method == "zscore"
    works = {e.work_id: e.work for e in round_.entries.select_related("work__entrant")}
    criteria = {c.key: c for c in round_.criteria.all()}
    stat_keys = ("used", "median", "minimum", "maximum", "spread", "sd")
    suffix = wording.column_label("standardised") if zscore else ""
    rows = []
    for row in result.rows:
        work = works.get(row.work)
        stats = [(wording.column_label("used"), row.used)] + [
            (wording.column_label(key) + suffix, getattr(row, key)) for key in stat_keys[1:]
            if getattr(row, key) is not None]
        rows.append({
            "work": row.work, "rank": row.rank, "tied": row.tied,
            "title": work.title if work else str(row.work), "entrant": str(work.entrant) if work else "",
            "aggregate": row.aggregate, "complete": row.complete,
            "expected": row.complete + len(row.incomplete), "disagreement": row.disagreement,
            "advances": row.advances,
            "criteria": [(exports.criterion_heading(criteria[key], zscore), value)
                         for key, value in row.points if key in criteria],
            "stats": stats if row.rank is not None else [],
            "reviews": [{"name": result.names.reviewer(line.reviewer), "total": line.total,
                         "value": line.value if zscore and line.normalised else None,
                         "dropped": line.dropped} for line in row.reviews],
            "notes": [wording.note_text(note) for note in row.all_notes],
        })
    return rows


@login_required
@require_safe
def results_page(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    round_ = _round(campaign, key)
    result = services.results(round_)
    final = services.is_final(round_)
    suffix = wording.column_label("standardised") if result.method == "zscore" else ""
    return render(request, "reviews/results.html", {
        "campaign": campaign, "round": round_, "final": final, "rows": _rows(round_, result),
        "method": wording.method_label(result.method), "zscore": result.method == "zscore",
        "aggregate_heading": wording.column_label("aggregate") + suffix,
        "advances_heading": wording.column_label("selected" if final else "advances"),
        "yes": wording.cell_text("selected" if final else "advances"),
        "no": wording.cell_text("not_selected" if final else "stays"),
        "disagreement": wording.cell_text("disagreement"),
        # The method is said above the table: its note would say it twice.
        "notes": [wording.note_text(note) for note in result.all_notes if note.code != "method"][:20],
        "advanced": round_.entries.filter(advanced=True).count(),
        "refusal": services.advance_refusal(round_),
    })


@login_required
@require_POST
def advance(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    round_ = _round(campaign, key)
    back = redirect("reviews:results", slug=campaign.slug, key=round_.key)
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
        return back
    if top_n is None and line is None:
        messages.error(request, _("请填写晋级名额或分数线。"))
        return back
    try:
        result = services.advance_result(round_, top=top_n, at_least=line, by=request.user)
    except RoundError as error:
        messages.error(request, str(error))
        return back
    except aggregation.AggregationError as error:
        messages.error(request, wording.error_text(error) if getattr(error, "note", None) else str(error))
        return back
    said = {"n": len(result.advancing), "rule": services.advance_rule_text(top_n, line)}
    if services.is_final(round_):
        messages.success(request, _("已选出 %(n)s 件入选作品（%(rule)s）。") % said)
    else:
        messages.success(request, _("已选出 %(n)s 件作品晋级下一轮（%(rule)s）。") % said)
    for note in result.advance_notes[1:]:  # the first says what the message above says
        messages.warning(request, wording.note_text(note))
    return back


@login_required
@require_safe
def results_xlsx(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    round_ = _round(campaign, key)
    return exports.xlsx_response(exports.ranking_workbook(round_), exports.file_name(round_, _("排名")))

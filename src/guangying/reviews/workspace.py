"""The reviewer's workspace: the works assigned to them, one page per work to watch and score.

A reviewer reaches only their own assignments; any other address is a page that does not exist
(404). In a blind round the entrant, the contacts and the creators are left out of the page;
the campaign's own rules may still show the unit on screen (rounds.blindness_warning).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from guangying.submissions import checking
from guangying.submissions.exports import form_value
from guangying.submissions.models import Attachment

from . import conflicts, services
from .models import Assignment, ReviewRound, RoundWork, Score
from .rounds import RoundError, save_score, scoring_refusal

# Form rows that name who made or sent the work: not shown in a blind round.
IDENTIFYING_TYPES = {"people", "phone", "email"}
IDENTIFYING_KEYS = {"contact_name", "contact_phone", "team", "creators"}
# Ways to reach people: a reviewer never needs them, blind or not.
CONTACT_TYPES = {"phone", "email"}
CONTACT_KEYS = {"contact_name", "contact_phone"}


@login_required
@require_safe
def my_works(request: HttpRequest) -> HttpResponse:
    """The reviewer's works by round, the rounds under way first, each with how many are done."""
    assignments = (Assignment.objects.filter(reviewer=request.user)
                   .exclude(round__status=ReviewRound.Status.DRAFT)
                   .select_related("round__campaign", "work__entrant", "score")
                   .order_by("round__campaign", "round__position", "work__title", "work_id"))
    groups: dict[int, dict[str, Any]] = {}
    for a in assignments:
        group = groups.setdefault(a.round_id, {"round": a.round, "rows": [], "done": 0})
        group["rows"].append(a)
        group["done"] += bool(getattr(a, "score", None) and a.score.submitted_at)
    for group in groups.values():
        titles = [a.work.title for a in group["rows"]]
        group["repeated"] = {t for t in titles if titles.count(t) > 1}
    rounds = sorted(groups.values(), key=lambda g: (g["round"].status != ReviewRound.Status.OPEN,
                                                    g["round"].campaign_id, g["round"].position))
    return render(request, "reviews/my_works.html", {"rounds": rounds})


def _assignment(request: HttpRequest, pk: int) -> Assignment:
    assignment = get_object_or_404(
        Assignment.objects.select_related("round__campaign", "work__entrant", "work__campaign"), pk=pk)
    if not request.user.has_perm("reviews.score_assignment", assignment):
        raise Http404
    return assignment


def _without_contacts(people: list[Any]) -> list[Any]:
    """The creators with their names and posts, without the phone numbers the form keeps for the organiser."""
    return [{k: v for k, v in person.items() if k not in ("contact", "phone", "email")}
            if isinstance(person, dict) else person for person in people]


def _form_rows(assignment: Assignment) -> list[tuple[str, Any]]:
    rules = assignment.round.campaign.rules
    blind = assignment.round.blind
    rows = []
    for spec in rules.form.fields:
        if spec.key == "title":
            continue
        if blind and (spec.type in IDENTIFYING_TYPES or spec.key in IDENTIFYING_KEYS):
            continue
        if spec.type in CONTACT_TYPES or spec.key in CONTACT_KEYS:
            continue
        value = assignment.work.form_data.get(spec.key)
        if spec.type == "people" and isinstance(value, list):
            value = _without_contacts(value)
        if value in (None, "", [], {}):
            continue
        rows.append((spec.label, form_value(spec, value)))
    return rows


# Checks whose findings quote the file's name or the words on screen (credits, subtitles, marks).
QUOTING_CHECKS = ("file_name", "end_credits", "subtitles", "watermark", "ai_label")


def _identities(assignment: Assignment) -> list[str]:
    entrant = assignment.work.entrant
    names = [entrant.name, entrant.affiliation, entrant.contact_name, entrant.contact_phone,
             entrant.contact_email]
    return [n.strip() for n in names if n and len(n.strip()) >= 2]


def _report_lines(report: Any, assignment: Assignment, english: bool) -> list[dict[str, str]]:
    """The report's findings the reviewer should know of; in a blind round, none that quote who sent it.

    A finding of a check that reads the file's name or the words on screen keeps its rule and
    drops what was found: the file's name is the unit's by the notice's own convention.
    """
    shown = []
    hidden = _identities(assignment) if assignment.round.blind else []
    for line in report.lines:
        if line.outcome.value == "pass":
            continue
        actual = (line.actual_en or line.actual) if english else line.actual
        if assignment.round.blind and (line.check.split(".")[0] in QUOTING_CHECKS
                                       or any(name in actual for name in hidden)):
            actual = _("（匿名评审，不显示）")
        shown.append({"label": line.label_en if english and line.label_en else line.label, "actual": actual})
    return shown[:12]


def _next_assignment(assignment: Assignment) -> Assignment | None:
    """The reviewer's next work to score in the round: the one with fewest submitted reviews."""
    others = (Assignment.objects.filter(round=assignment.round, reviewer=assignment.reviewer)
              .exclude(pk=assignment.pk).exclude(score__submitted_at__isnull=False)
              .annotate(done=Count("work__review_assignments__score",
                                   filter=Q(work__review_assignments__round=assignment.round,
                                            work__review_assignments__score__submitted_at__isnull=False)))
              .order_by("done", "work_id"))
    return others.first()


def _others(assignment: Assignment, own: Score | None,
            criteria: list[Any]) -> list[dict[str, Any]] | None:
    """The other reviewers' submitted scores, where the round shows them: points under the criteria's names.

    Reviewers are not named to each other: 专家一, 专家二 in the order they submitted.
    """
    rule = assignment.round.others_scores
    if rule == ReviewRound.OthersScores.NEVER:
        return None
    if rule == ReviewRound.OthersScores.AFTER_OWN and (own is None or own.submitted_at is None):
        return None
    scores = (Score.objects.filter(assignment__round=assignment.round, assignment__work=assignment.work,
                                   submitted_at__isnull=False).exclude(assignment=assignment)
              .order_by("submitted_at", "pk"))
    return [{"points": [(c.label, score.values.get(c.key, "—")) for c in criteria],
             "overall": score.overall, "comment": score.comment} for score in scores]


def _advance_label(round_: ReviewRound) -> str:
    """「入选下一轮」 where a later round takes this one's chosen works, else 「入选」 (the last round)."""
    later = ReviewRound.objects.filter(campaign_id=round_.campaign_id, position__gt=round_.position).exists()
    return _("入选下一轮") if later else _("入选")


@login_required
@require_http_methods(["GET", "POST"])
def score_work(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    round_ = assignment.round
    criteria = list(round_.criteria.all())
    own = Score.objects.filter(assignment=assignment).first()
    values = dict(own.values) if own else {}
    overall = own.overall if own else None
    comment = own.comment if own else ""
    error = None
    if request.method == "POST":
        values = {c.key: request.POST.get(c.key, "").strip() for c in criteria}
        overall = request.POST.get("overall", "").strip()
        comment = request.POST.get("comment", "")
        submit = request.POST.get("action") in ("submit", "submit_next")
        was_submitted = own is not None and own.submitted_at is not None
        try:
            save_score(assignment, values, comment=comment, overall=overall, by=request.user, submit=submit)
        except RoundError as failure:
            error = str(failure)
        else:
            title = {"title": assignment.work.title}
            if was_submitted:
                messages.success(request, _("已保存对《%(title)s》评分的修改。") % title)
                return redirect("reviews:score", pk=assignment.pk)
            if submit:
                wants_next = request.POST.get("action") == "submit_next"
                following = _next_assignment(assignment) if wants_next else None
                if following is not None:
                    messages.success(request, _("评分已提交：%(title)s") % title)
                    return redirect("reviews:score", pk=following.pk)
                if _next_assignment(assignment) is None:
                    messages.success(request, _("评分已提交：%(title)s。本轮分配给您的作品已全部评完，谢谢！")
                                     % title)
                else:
                    messages.success(request, _("评分已提交：%(title)s") % title)
                return redirect("reviews:mine")
            messages.success(request, _("已保存草稿。"))
            return redirect("reviews:score", pk=assignment.pk)
    videos = Attachment.objects.filter(work=assignment.work, kind=Attachment.VIDEO,
                                       superseded_at__isnull=True)
    reports = []
    for video in videos:
        check = checking.video_check(video)
        report = check.report
        if report is not None:
            english = (get_language() or "").startswith("en")
            reports.append({"video": video, "outcome": report.outcome.value,
                            "outcome_label": report.outcome.label_en if english else report.outcome.label_zh,
                            "lines": _report_lines(report, assignment, english)})
    refusal = scoring_refusal(round_)
    return render(request, "reviews/score.html", {
        "assignment": assignment, "round": round_, "work": assignment.work, "criteria": criteria,
        "values": values, "overall": overall, "comment": comment, "error": error, "own": own,
        "form_rows": _form_rows(assignment), "reports": reports, "others": _others(assignment, own, criteria),
        "editable": refusal is None, "refusal": refusal,
        "may_advance": round_.reviewers_change_state,
        "entry": RoundWork.objects.filter(round=round_, work=assignment.work).first()
        if round_.reviewers_change_state else None,
        "advance_label": _advance_label(round_) if round_.reviewers_change_state else "",
        "max_reason": conflicts.MAX_REASON,
    }, status=400 if error else 200)


@login_required
@require_POST
def declare_conflict(request: HttpRequest, pk: int) -> HttpResponse:
    """The reviewer declares a conflict with the work: off their list unless they have submitted its score."""
    assignment = _assignment(request, pk)
    if assignment.round.status != ReviewRound.Status.OPEN:
        messages.error(request, _("「%(label)s」不在评审中，无需在此声明；如有利益冲突，请直接联系主办方。")
                       % {"label": assignment.round.label})
        return redirect("reviews:score", pk=assignment.pk)
    try:
        conflicts.declare(assignment.round.campaign, request.user, work=assignment.work,
                          reason=request.POST.get("reason", ""), by=request.user)
    except conflicts.ConflictError as error:
        messages.error(request, str(error))
        return redirect("reviews:score", pk=assignment.pk)
    title = {"title": assignment.work.title}
    if not Assignment.objects.filter(pk=assignment.pk).exists():
        messages.success(request, _("已记录您声明的利益冲突。《%(title)s》已从您的评审作品中移除，"
                                    "主办方会另行安排评审专家。") % title)
        return redirect("reviews:mine")
    if Score.objects.filter(assignment=assignment, submitted_at__isnull=False).exists():
        messages.warning(request, _("已记录您声明的利益冲突。您已提交《%(title)s》的评分，"
                                    "已提交的评分不会因此撤销；如需撤销，请联系主办方。") % title)
    else:
        messages.warning(request, _("已记录您声明的利益冲突。本轮评审不在进行中，分配和评分保持不变。"))
    return redirect("reviews:score", pk=assignment.pk)


@login_required
@require_POST
def set_advanced(request: HttpRequest, pk: int) -> HttpResponse:
    """The reviewer marks the work as chosen (or not), only where the round lets reviewers do so."""
    assignment = _assignment(request, pk)
    if not assignment.round.reviewers_change_state:
        raise PermissionDenied(_("本轮评审不允许评审专家改变作品状态。"))
    value = request.POST.get("advanced", "")
    if value not in ("0", "1"):
        messages.error(request, _("无法识别的操作。"))
        return redirect("reviews:score", pk=assignment.pk)
    try:
        done = services.reviewer_sets_advanced(assignment, value == "1", by=request.user)
    except RoundError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("reviews:score", pk=assignment.pk)

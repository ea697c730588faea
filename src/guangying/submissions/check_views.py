"""Pages of the automatic check: a video's report, the compliance matrix, re-checks, waivers.

Every view asks a named rule (permissions.py) about the very object it shows;
to anyone without it the object does not exist (404), as elsewhere.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guangying.campaigns.views import campaign_for
from guangying.inspection.report import Report

from . import checking, compliance
from .models import Attachment, Inspection, Work


def _attachment_for(request: HttpRequest, pk: int) -> Attachment:
    attachment = get_object_or_404(
        Attachment.objects.select_related("work__campaign", "work__entrant", "episode"), pk=pk,
        kind=Attachment.VIDEO,
    )
    if not request.user.has_perm("submissions.view_check_report", attachment):
        raise Http404
    return attachment


def display_lines(report: Report | None) -> list[dict[str, Any]]:
    """The report's lines in the reader's language, from the report's own zh/en fields."""
    if report is None:
        return []
    en = compliance.english()
    lines = []
    for line in report.lines:
        lines.append({
            "check": line.check,
            "label": (line.label_en or line.label) if en else line.label,
            "outcome": line.outcome.value,
            "outcome_label": line.outcome.label_en if en else line.outcome.label_zh,
            "mark": line.outcome.mark,
            "requested": (line.requested_en or line.requested) if en else line.requested,
            "actual": (line.actual_en or line.actual) if en else line.actual,
            "message": (line.message_en or line.message) if en else line.message,
            "severity": line.severity,
            "blocking": line.severity == "hard" and line.outcome in checking.BLOCKING_OUTCOMES,
            "evidence": [
                {"when": _span(e.time_s, e.end_s), "note": (e.note_en or e.note) if en else e.note,
                 "jpeg": e.jpeg_base64}
                for e in line.evidence
            ],
        })
    return lines


def _span(start: float | None, end: float | None) -> str:
    from guangying.inspection.report import _span as span

    return span(start, end)


def report_context(request: HttpRequest, attachment: Attachment) -> dict[str, Any]:
    check = checking.video_check(attachment)
    report = check.report
    en = compliance.english()
    problem = None
    if report is not None and report.problem:
        problem = (report.problem_en or report.problem) if en else report.problem
    verdict = None
    if report is not None:
        from guangying.inspection.report import verdict as words

        verdict = words(report, lang="en" if en else "zh")
    work = attachment.work
    return {
        "attachment": attachment, "work": work, "check": check, "report": report,
        "lines": display_lines(report), "problem": problem, "verdict": verdict,
        "outcome": report.outcome.value if report is not None else "",
        "is_metadata": check.shown is not None and check.shown.mode == Inspection.Mode.METADATA,
        "waived": checking.waived_checks(work),
        "can_waive": request.user.has_perm("submissions.waive_check", work),
        "superseded": attachment.superseded_at is not None,
        "replacement": _replacement_state(attachment, check),
    }


def _replacement_state(attachment: Attachment, check: Any) -> dict[str, Any] | None:
    """For a new video still waiting to take over its slot: which video stays current meanwhile.

    The report of a replacement is read while the old video still counts; the page must not
    let a unit think the new file already replaced it, nor that its faults are the work's.
    """
    if attachment.kind != Attachment.VIDEO or attachment.superseded_at is not None \
            or attachment.episode is None:
        return None
    current = attachment.episode.current_video()
    if current is None or current.pk == attachment.pk:
        return None
    failed = check.full is not None and check.full.status == Inspection.Status.FAILED
    return {"current": current, "failed": failed}


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = _attachment_for(request, pk)
    return render(request, "submissions/check_report.html", report_context(request, attachment))


@login_required
def report_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx fragment that polls while the full check runs; once done it asks for a reload."""
    attachment = _attachment_for(request, pk)
    check = checking.video_check(attachment)
    response = render(request, "submissions/check_progress.html", {"attachment": attachment, "check": check})
    if check.finished and request.GET.get("was") == "pending":
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def waive(request: HttpRequest, pk: int) -> HttpResponse:
    work = get_object_or_404(Work.objects.select_related("campaign"), pk=pk)
    if not request.user.has_perm("submissions.waive_check", work):
        raise Http404
    try:
        checking.waive(work, request.POST.get("check", ""), request.POST.get("reason", ""), request.user)
    except checking.WaiverRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("已豁免该检查项，理由已记录。"))
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return redirect(back)
    return redirect(work.get_absolute_url())


def _matrix(request: HttpRequest, slug: str) -> tuple[Any, list, list, dict[str, str]]:
    campaign = campaign_for(request, slug, "submissions.view_compliance")
    chosen = {key: request.GET.get(key, "").strip() for key in ("entrant", "outcome", "rule")}
    columns, rows = compliance.build(campaign, **chosen)
    return campaign, columns, rows, chosen


@login_required
def compliance_matrix(request: HttpRequest, slug: str) -> HttpResponse:
    campaign, columns, rows, chosen = _matrix(request, slug)
    if request.htmx and request.GET.get("part") == "progress":
        template = "submissions/compliance_progress.html"
    elif request.htmx:
        template = "submissions/compliance_rows.html"
    else:
        template = "submissions/compliance.html"
    all_columns = compliance.columns_for(campaign)
    return render(request, template, {
        "campaign": campaign, "columns": columns, "rows": rows, "chosen": chosen,
        "entrants": campaign.entrants.order_by("name"), "all_columns": all_columns,
        "outcomes": [(o, compliance.outcome_label(o)) for o in compliance.OUTCOME_FILTERS],
        "progress": checking.recheck_progress(campaign), "query": request.GET.urlencode(),
    })


@login_required
def compliance_export(request: HttpRequest, slug: str) -> HttpResponse:
    campaign, columns, rows, _chosen = _matrix(request, slug)
    response = HttpResponse(
        compliance.workbook(campaign, columns, rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="compliance-{campaign.slug}.xlsx"'
    return response


@login_required
@require_POST
def recheck(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request, slug, "submissions.recheck_campaign")
    queued = checking.recheck_all(campaign)
    messages.success(request,
                     _("已安排重新检查 %(n)s 个视频；已按当前规则检查过的不再重复。") % {"n": queued})
    return redirect("submissions:compliance", slug=campaign.slug)


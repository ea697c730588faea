"""The review's audit trail and its score sheets, for the campaign's organisers only.

The trail answers 「谁、何时、改了什么」: every saved score (ScoreChange, as it was saved) and
every other change of the review (ReviewLog) in one list, newest first, filtered by round,
reviewer or work, 100 lines a page and all of them as .xlsx. A filter that is not one of the
campaign's own rounds, reviewers or works is left out and the page says so; it never widens
what is shown beyond the campaign, nor fails.

A ReviewLog line belongs to a reviewer when that person made the change (``actor``) or the line
names them (``detail["reviewer"]``, a user id), and to a work when it names it
(``detail["work"]``, a work id): the keys ``log.record`` callers use for what they changed.

Each line says in words what it was: a save of a score is a draft, a submission, or a change to a
submitted score (``ScoreChange.submitted`` and the score's earlier saves); a logged change is named
after its ``action`` (``ACTION_LABELS``). An action not named there still shows, as 「其他操作」 with
its key beside it, so that a change logged under a new key is never hidden nor mislabelled.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import CharField, F, Min, Q, QuerySet, Value
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from guangying.campaigns.models import Campaign, CampaignRole
from guangying.campaigns.views import campaign_for
from guangying.submissions.models import Work

from . import exports
from .models import Assignment, ReviewLog, ReviewRound, RoundCriterion, ScoreChange
from .rounds import rounds_for

MANAGE = "reviews.manage_reviews"
PER_PAGE = 100
XLSX_CHUNK = 500
_SCORE, _LOG = "score", "log"


# What each logged change was, by the ``action`` its ``log.record`` call gives.
ACTION_LABELS: dict[str, Promise] = {
    # A round's life
    "round_opened": gettext_lazy("开始评审"),
    "round_closed": gettext_lazy("结束评审"),
    "round_settings": gettext_lazy("修改本轮设置"),
    # Assignment
    "assigned": gettext_lazy("自动分配"),
    "assignment_added": gettext_lazy("手动分配"),
    "assignment_removed": gettext_lazy("取消分配"),
    "assignment_locked": gettext_lazy("锁定分配"),
    "assignment_unlocked": gettext_lazy("解除锁定"),
    "reminders_written": gettext_lazy("生成提醒邮件"),
    "conflict_declared": gettext_lazy("登记利益冲突"),
    "conflict_withdrawn": gettext_lazy("撤销利益冲突"),
    # Advancing works
    "advanced": gettext_lazy("选出晋级作品"),
    "work_advanced": gettext_lazy("标为入选"),
    "work_not_advanced": gettext_lazy("取消入选"),
    # Decisions and mail
    "award_levels": gettext_lazy("设置奖项"),
    "decisions_proposed": gettext_lazy("生成暂定结果"),
    "decision_staged": gettext_lazy("修改暂定结果"),
    "decisions_cleared": gettext_lazy("清空暂定结果"),
    "decisions_released": gettext_lazy("公布评审结果"),
    "decisions_withdrawn": gettext_lazy("撤回公布"),
    "mail_deleted": gettext_lazy("删除待发邮件"),
    "mail_sent": gettext_lazy("发送邮件"),
}
# round_settings lines that add or remove a round say so in ``detail["changed"]``.
ROUND_ADDED, ROUND_REMOVED = gettext_lazy("增加评审轮次"), gettext_lazy("删除评审轮次")
OTHER_ACTION = gettext_lazy("其他操作")


def action_label(action: str, detail: dict[str, Any] | None = None) -> tuple[str, str]:
    """(the words for a logged change, its key when there are no words for it, else "").

    The key of an unknown action is kept beside 「其他操作」 so that nothing logged goes unnamed.
    """
    if action == "round_settings" and isinstance(detail, dict):
        changed = detail.get("changed")
        if changed == ["added"]:
            return str(ROUND_ADDED), ""
        if changed == ["removed"]:
            return str(ROUND_REMOVED), ""
    label = ACTION_LABELS.get(action)
    return (str(label), "") if label is not None else (str(OTHER_ACTION), action)


def score_label(submitted: bool, first_submission: bool) -> str:
    """A save of a score in words: a draft, the submission, or a change to a submitted score."""
    if not submitted:
        return _("保存草稿")
    return _("提交评分") if first_submission else _("修改已提交的评分")


# --------------------------------------------------------------------------
# Filters


@dataclass
class Filters:
    """The filters asked for that hold in this campaign; ``ignored`` names those that did not."""

    round: ReviewRound | None = None
    reviewer: Any = None
    work: Work | None = None
    ignored: list[str] = field(default_factory=list)

    def query(self) -> str:
        """The filters as a query string, for the pages' links and the .xlsx."""
        params = QueryDict(mutable=True)
        if self.round is not None:
            params["round"] = self.round.key
        if self.reviewer is not None:
            params["reviewer"] = str(self.reviewer.pk)
        if self.work is not None:
            params["work"] = str(self.work.pk)
        return params.urlencode()


def reviewers_of(campaign: Campaign) -> list[Any]:
    """Everyone who reviews in the campaign: its reviewer roles and anyone ever assigned a work."""
    ids = set(CampaignRole.objects.filter(campaign=campaign, role=CampaignRole.Role.REVIEWER)
              .values_list("user_id", flat=True))
    ids |= set(Assignment.objects.filter(round__campaign=campaign).values_list("reviewer_id", flat=True))
    return sorted(get_user_model().objects.filter(pk__in=ids), key=lambda u: (exports.person(u), u.pk))


def works_of(campaign: Campaign) -> QuerySet[Work]:
    """The works the review has touched: those that entered a round or were assigned."""
    return (Work.objects.filter(campaign=campaign)
            .filter(Q(review_entries__isnull=False) | Q(review_assignments__isnull=False))
            .select_related("entrant").distinct().order_by("title", "entrant__name", "pk"))


def work_choices(works: Iterable[Work]) -> list[tuple[int, str]]:
    """(id, label) for the 作品 filter: the title with its entrant, since titles repeat across units.

    Two works of one title from one entrant are told apart by their number as well.
    """
    works = list(works)
    seen: dict[tuple[str, int], int] = {}
    for work in works:
        seen[(work.title, work.entrant_id)] = seen.get((work.title, work.entrant_id), 0) + 1
    choices = []
    for work in works:
        label = _("%(title)s（%(entrant)s）") % {"title": work.title, "entrant": work.entrant}
        if seen[(work.title, work.entrant_id)] > 1:
            label += _(" · 编号 %(pk)s") % {"pk": work.pk}
        choices.append((work.pk, label))
    return choices


def _number(raw: str) -> int | None:
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        return None
    return int(raw)


def read_filters(campaign: Campaign, params: QueryDict) -> Filters:
    """The round (by key), reviewer and work (by id) asked for, if they are the campaign's own."""
    filters = Filters()
    key = (params.get("round") or "").strip()
    if key:
        filters.round = ReviewRound.objects.filter(campaign=campaign, key=key[:40]).first()
        if filters.round is None:
            filters.ignored.append(_("轮次"))
    raw = params.get("reviewer") or ""
    if raw.strip():
        number = _number(raw)
        filters.reviewer = next((u for u in reviewers_of(campaign) if u.pk == number), None)
        if filters.reviewer is None:
            filters.ignored.append(_("评审专家"))
    raw = params.get("work") or ""
    if raw.strip():
        number = _number(raw)
        filters.work = None if number is None else works_of(campaign).filter(pk=number).first()
        if filters.work is None:
            filters.ignored.append(_("作品"))
    return filters


# --------------------------------------------------------------------------
# The trail


def trail(campaign: Campaign, filters: Filters) -> QuerySet:
    """(kind, at, pk) of every score change and log line that passes the filters, newest first.

    One query (a UNION) that the paginator counts and slices, so a page reads 100 keys whatever
    the length of the trail.
    """
    scores = ScoreChange.objects.filter(score__assignment__round__campaign=campaign)
    logs = ReviewLog.objects.filter(campaign=campaign)
    if filters.round is not None:
        scores = scores.filter(score__assignment__round=filters.round)
        logs = logs.filter(round=filters.round)
    if filters.reviewer is not None:
        scores = scores.filter(score__assignment__reviewer=filters.reviewer)
        logs = logs.filter(Q(actor=filters.reviewer) | Q(detail__reviewer=filters.reviewer.pk))
    if filters.work is not None:
        scores = scores.filter(score__assignment__work=filters.work)
        logs = logs.filter(detail__work=filters.work.pk)
    kind = CharField(max_length=5)
    columns = ("entry_kind", "entry_at", "entry_pk")
    scores = (scores.order_by().annotate(entry_kind=Value(_SCORE, output_field=kind),
                                         entry_at=F("changed_at"), entry_pk=F("pk"))
              .values_list(*columns))
    logs = (logs.order_by().annotate(entry_kind=Value(_LOG, output_field=kind), entry_at=F("at"),
                                     entry_pk=F("pk"))
            .values_list(*columns))
    return scores.union(logs, all=True).order_by("-entry_at", "-entry_kind", "-entry_pk")


@dataclass(frozen=True)
class AuditEntry:
    """One line of the trail as the page and the .xlsx show it."""

    kind: str  # "score" or "log"
    at: datetime
    label: str  # what the line was, in words
    who: str
    round_label: str
    work_title: str
    entrant: str
    reviewer: str
    values: str
    text: str
    action: str = ""  # the key of a logged change that has no words (shown beside 「其他操作」)
    submitted: bool = False  # a score line: a submission or a change to one, not a draft

    @property
    def kind_label(self) -> str:
        """The 类型 as one cell of text: the words, and an unknown action's key in brackets."""
        return f"{self.label}（{self.action}）" if self.action else self.label


def _values_text(change: ScoreChange, labels: dict[tuple[int, str], str]) -> str:
    round_id = change.score.assignment.round_id
    parts = [f"{labels.get((round_id, key), key)} {value}" for key, value in (change.values or {}).items()]
    if change.overall is not None:
        parts.append(_("综合评分 %(value)s") % {"value": change.overall})
    return "；".join(parts)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def entries(campaign: Campaign, keys: Iterable[tuple[str, datetime, int]]) -> list[AuditEntry]:
    """The lines for these keys, in their order, read in three queries whatever their number."""
    keys = list(keys)
    changes = (ScoreChange.objects.filter(pk__in=[pk for kind, _at, pk in keys if kind == _SCORE])
               .select_related("changed_by", "score__assignment__round", "score__assignment__reviewer",
                               "score__assignment__work__entrant").in_bulk())
    logs = (ReviewLog.objects.filter(pk__in=[pk for kind, _at, pk in keys if kind == _LOG])
            .select_related("actor", "round").in_bulk())
    labels = {(c.round_id, c.key): c.label
              for c in RoundCriterion.objects.filter(round__campaign=campaign)}
    named_works = {_int((log.detail or {}).get("work")) for log in logs.values()} - {None}
    works = Work.objects.filter(campaign=campaign, pk__in=named_works).select_related("entrant").in_bulk()
    named_people = {_int((log.detail or {}).get("reviewer")) for log in logs.values()} - {None}
    people = get_user_model().objects.filter(pk__in=named_people).in_bulk()
    first_submitted = dict(
        ScoreChange.objects.filter(score_id__in={c.score_id for c in changes.values()}, submitted=True)
        .values("score_id").annotate(first=Min("pk")).values_list("score_id", "first"))
    shown = []
    for kind, _at, pk in keys:
        if kind == _SCORE and pk in changes:
            change = changes[pk]
            assignment = change.score.assignment
            shown.append(AuditEntry(
                kind=_SCORE, at=change.changed_at,
                label=score_label(change.submitted, first_submitted.get(change.score_id) == change.pk),
                submitted=change.submitted,
                who=exports.person(change.changed_by),
                round_label=assignment.round.label, work_title=assignment.work.title,
                entrant=str(assignment.work.entrant), reviewer=exports.person(assignment.reviewer),
                values=_values_text(change, labels), text=change.comment,
            ))
        elif kind == _LOG and pk in logs:
            log = logs[pk]
            detail = log.detail or {}
            work = works.get(_int(detail.get("work")))
            label, unknown = action_label(log.action, detail)
            shown.append(AuditEntry(
                kind=_LOG, at=log.at, label=label, action=unknown, who=exports.person(log.actor),
                round_label=log.round.label if log.round else "", work_title=work.title if work else "",
                entrant=str(work.entrant) if work else "",
                reviewer=exports.person(people.get(_int(detail.get("reviewer")))),
                values="", text=log.text,
            ))
    return shown


def all_entries(campaign: Campaign, filters: Filters) -> Iterator[AuditEntry]:
    keys = trail(campaign, filters)
    total = keys.count()
    for start in range(0, total, XLSX_CHUNK):
        yield from entries(campaign, keys[start:start + XLSX_CHUNK])


# --------------------------------------------------------------------------
# Pages


@login_required
@require_safe
def audit_page(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    rounds = rounds_for(campaign)
    filters = read_filters(campaign, request.GET)
    page = Paginator(trail(campaign, filters), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "reviews/audit.html", {
        "campaign": campaign, "rounds": rounds, "reviewers": reviewers_of(campaign),
        "works": work_choices(works_of(campaign)), "filters": filters, "query": filters.query(), "page": page,
        "entries": entries(campaign, page.object_list),
        "zone": campaign.rules.timezone,
    })


@login_required
@require_safe
def audit_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    filters = read_filters(campaign, request.GET)
    name = f"{campaign.rules.short_title or campaign.slug}-{_('评审记录')}.xlsx"
    return exports.xlsx_response(exports.audit_workbook(campaign, all_entries(campaign, filters)), name)


def _round(request: HttpRequest, slug: str, key: str) -> ReviewRound:
    campaign = campaign_for(request, slug, MANAGE)
    rounds_for(campaign)
    return get_object_or_404(ReviewRound.objects.select_related("campaign"), campaign=campaign, key=key)


@login_required
@require_safe
def reviewer_sheets(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    round_ = _round(request, slug, key)
    return exports.xlsx_response(exports.reviewer_workbook(round_),
                                 exports.file_name(round_, _("评分表（按专家）")))


@login_required
@require_safe
def work_sheets(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    round_ = _round(request, slug, key)
    return exports.xlsx_response(exports.work_workbook(round_),
                                 exports.file_name(round_, _("评分表（按作品）")))


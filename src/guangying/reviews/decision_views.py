"""The organiser's pages for the decisions and the outbox: set the levels, stage, release, send.

Thin: every rule is in decisions.py and outbox.py; these pages read the form, call them and
say what happened. To anyone who does not organise the campaign the pages do not exist (404).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from guangying.campaigns.views import campaign_for

from . import aggregation, decisions, outbox, services
from .decisions import DecisionError
from .models import Decision, OutgoingMail, ReviewRound, RoundWork
from .rounds import rounds_for

MANAGE = "reviews.manage_reviews"
BLANK_ROWS = 3
MAX_FORM_ROWS = decisions.MAX_LEVELS + 10  # blank rows the page adds at most
READ_ROWS = 200  # rows of a posted levels form read; more than MAX_LEVELS filled is refused


def _closed_rounds(campaign: Any) -> list[ReviewRound]:
    return [r for r in rounds_for(campaign) if r.status == ReviewRound.Status.CLOSED]


def _table(campaign: Any, table_round: ReviewRound | None) -> list[dict[str, Any]]:
    """The works the organiser decides on: the round's ranking, then any other work with a decision."""
    staged = {d.work_id: d for d in
              Decision.objects.filter(campaign=campaign).select_related("work__entrant")}
    rows: list[dict[str, Any]] = []
    seen: set[int] = set()
    if table_round is not None:
        try:
            result = services.results(table_round)
        except aggregation.AggregationError:
            result = None
        entries = {e.work_id: e for e in
                   RoundWork.objects.filter(round=table_round).select_related("work__entrant")}
        for row in result.rows if result else ():
            entry = entries.get(row.work)
            if entry is None:
                continue
            seen.add(entry.work_id)
            decision = staged.get(entry.work_id)
            rows.append({"work": entry.work, "rank": row.rank, "tied": row.tied, "aggregate": row.aggregate,
                         "advanced": entry.advanced, "award": decision.award if decision else ""})
    for work_id, decision in sorted(staged.items(), key=lambda item: (item[1].position or 10**9, item[0])):
        if work_id not in seen:
            rows.append({"work": decision.work, "rank": decision.position or None, "tied": False,
                         "aggregate": None, "advanced": False, "award": decision.award})
    return rows


def _page(request: HttpRequest, campaign: Any, *, level_rows: list[dict[str, str]] | None = None,
          status: int = 200) -> HttpResponse:
    levels = decisions.award_levels(campaign)
    closed = _closed_rounds(campaign)
    first = (Decision.objects.filter(campaign=campaign, round__isnull=False).select_related("round")
             .order_by("-staged_at", "-pk").first())
    table_round = first.round if first is not None else (closed[-1] if closed else None)
    extra = BLANK_ROWS
    if level_rows is None:
        level_rows = [{"label": level.label, "count": "" if level.count is None else str(level.count)}
                      for level in levels]
        try:
            extra = min(MAX_FORM_ROWS, max(0, int(request.GET.get("rows", BLANK_ROWS))))
        except ValueError:
            extra = BLANK_ROWS
        level_rows += [{"label": "", "count": ""}] * extra
    released_at = decisions.released_at(campaign)
    counts = decisions.level_counts(campaign)
    staged = Decision.objects.filter(campaign=campaign).count()
    return render(request, "reviews/decisions.html", {
        "campaign": campaign, "levels": levels, "level_rows": level_rows, "more_rows": extra + BLANK_ROWS,
        "closed": closed, "marks": decisions.round_marks(campaign, closed),
        "table_round": table_round,
        "table_last": table_round is not None and decisions.is_last_round(table_round),
        "rows": _table(campaign, table_round),
        "counts": counts, "over": [c for c in counts if c.over], "released_at": released_at,
        "staged": staged,
        "sent_results": OutgoingMail.objects.filter(campaign=campaign, kind=OutgoingMail.Kind.RESULT,
                                                    sent_at__isnull=False).count(),
        "pending": outbox.pending(campaign).count(),
    }, status=status)


@login_required
@require_safe
def decisions_page(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    return _page(request, campaign)


@login_required
@require_POST
def set_levels(request: HttpRequest, slug: str) -> HttpResponse:
    """The levels form: rows label_N / count_N; a row with neither is left out."""
    campaign = campaign_for(request, slug, MANAGE)
    posted: list[dict[str, str]] = []
    for n in range(READ_ROWS):
        label = request.POST.get(f"label_{n}", "")
        count = request.POST.get(f"count_{n}", "")
        if label.strip() or count.strip():
            posted.append({"label": label[:200], "count": count[:20]})
    try:
        levels = []
        for row in posted:
            label = " ".join(row["label"].split())
            if not label:
                raise DecisionError(_("名额「%(count)s」所在行没有填写奖项名称。") % {"count": row["count"]})
            levels.append((label, decisions.parse_count(row["count"], label)))
        decisions.set_award_levels(campaign, levels, request.user)
    except DecisionError as error:
        messages.error(request, str(error))
        return _page(request, campaign, level_rows=[*posted, {"label": "", "count": ""}], status=400)
    messages.success(request, _("奖项已保存：%(levels)s") % {"levels": decisions.describe_levels(levels)})
    return redirect("reviews:decisions", slug=campaign.slug)


@login_required
@require_POST
def propose(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    key = request.POST.get("round", "")
    round_ = next((r for r in _closed_rounds(campaign) if r.key == key), None)
    if round_ is None:
        messages.error(request, _("请选择一个已结束的评审轮次。"))
        return redirect("reviews:decisions", slug=campaign.slug)
    try:
        proposal = decisions.propose(round_, request.user)
    except DecisionError as error:
        messages.error(request, str(error))
        return redirect("reviews:decisions", slug=campaign.slug)
    messages.success(request, _("已按「%(round)s」排名生成暂定结果：%(n)s 件作品。")
                     % {"round": round_.label, "n": len(proposal.awards)})
    for note in proposal.notes:
        messages.warning(request, note)
    return redirect("reviews:decisions", slug=campaign.slug)


@login_required
@require_POST
def stage(request: HttpRequest, slug: str) -> HttpResponse:
    """The staged table's selects: award_<work id> = a level, or empty for 未入选."""
    campaign = campaign_for(request, slug, MANAGE)
    changes: dict[Any, str] = {}
    for name, value in request.POST.items():
        if name.startswith("award_"):
            changes[name.removeprefix("award_")] = value
    if not changes:
        messages.error(request, _("没有收到要修改的作品。"))
        return redirect("reviews:decisions", slug=campaign.slug)
    try:
        changed = decisions.stage_many(campaign, changes, request.user)
    except DecisionError as error:
        messages.error(request, str(error) + _("（本次修改均未保存。）"))
        return redirect("reviews:decisions", slug=campaign.slug)
    if changed:
        messages.success(request, _("已修改 %(n)s 件作品的奖项。") % {"n": changed})
    else:
        messages.info(request, _("没有改动。"))
    return redirect("reviews:decisions", slug=campaign.slug)


@login_required
@require_POST
def clear(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    try:
        count = decisions.clear(campaign, request.user)
    except DecisionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已清空暂定结果：%(n)s 件作品。") % {"n": count})
    return redirect("reviews:decisions", slug=campaign.slug)


@login_required
@require_POST
def release(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("请先勾选「我已核对名单和名额」，再公布结果。"))
        return redirect("reviews:decisions", slug=campaign.slug)
    try:
        done = decisions.release(campaign, request.user)
    except DecisionError as error:
        messages.error(request, str(error))
        return redirect("reviews:decisions", slug=campaign.slug)
    if done.mails:
        messages.success(request, _("评审结果已公布：%(n)s 件作品。结果通知 %(m)s 封已放入待发邮件，"
                                    "请阅读后发送。") % {"n": done.decisions, "m": done.mails})
    else:
        messages.success(request, _("评审结果已公布：%(n)s 件作品。没有需要写的结果通知。")
                         % {"n": done.decisions})
    if done.corrections:
        messages.info(request, _("其中 %(n)s 封是更正通知：这些报送主体已收到过结果通知，结果有变，"
                                 "通知标题注明「（更正）」。") % {"n": done.corrections})
    if done.unchanged:
        messages.info(request, _("%(n)s 个报送主体的结果与已发送的通知相同，不再重复通知：%(names)s")
                      % {"n": len(done.unchanged), "names": "、".join(done.unchanged[:20])
                         + ("…" if len(done.unchanged) > 20 else "")})
    if done.without_address:
        messages.warning(request, _("以下报送主体没有联系邮箱，未写通知：%(names)s")
                         % {"names": "、".join(done.without_address[:20])})
    return redirect("reviews:outbox", slug=campaign.slug)


@login_required
@require_POST
def withdraw(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("请先勾选确认，再撤回公布。"))
        return redirect("reviews:decisions", slug=campaign.slug)
    try:
        deleted = decisions.withdraw(campaign, request.user)
    except DecisionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已撤回公布，结果回到暂定状态；未发送的结果通知 %(n)s 封已删除。"
                                    "已发送的通知无法收回。") % {"n": deleted})
    return redirect("reviews:decisions", slug=campaign.slug)


# --------------------------------------------------------------------------
# The outbox


@login_required
@require_safe
def outbox_page(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    mails = OutgoingMail.objects.filter(campaign=campaign).select_related("sent_by", "entrant")
    unsent = list(mails.filter(sent_at__isnull=True).order_by("kind", "entrant__name", "to_email", "pk"))
    for mail in unsent:
        # The kind is shown only where the subject does not already say it (「…评审结果通知」 says it).
        kind = mail.get_kind_display()
        mail.kind_label = "" if str(kind) in mail.subject else kind  # type: ignore[attr-defined]
    return render(request, "reviews/outbox.html", {
        "campaign": campaign, "from_address": outbox.from_address(),
        "replies_to": _reply_shown(request.user),
        "unsent": [m for m in unsent if not m.failure], "failed": [m for m in unsent if m.failure],
        "sent": list(mails.filter(sent_at__isnull=False).order_by("-sent_at", "-pk")[:500]),
        "released_at": decisions.released_at(campaign),
    })


def _reply_shown(user: Any) -> str:
    """「王主任 <wang@example.org>」: where replies to what this organiser sends go, as the page says it."""
    if not outbox.reply_to(user):
        return ""
    address = " ".join(str(user.email).split())
    name = " ".join(str(getattr(user, "name", "") or "").split())
    return f"{name} <{address}>" if name else address


def _mail_id(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("mail", ""))
    except ValueError:
        return None


@login_required
@require_POST
def outbox_send(request: HttpRequest, slug: str) -> HttpResponse:
    """「全部发送」 (mail=all) or one message; each is sent once, whatever the clicks."""
    campaign = campaign_for(request, slug, MANAGE)
    if request.POST.get("mail") == "all":
        mails = list(outbox.pending(campaign).order_by("pk"))
    else:
        pk = _mail_id(request)
        mails = list(outbox.pending(campaign).filter(pk=pk)) if pk is not None else []
        if not mails:
            messages.error(request, _("没有这封待发邮件（可能已发送或已删除）。"))
            return redirect("reviews:outbox", slug=campaign.slug)
    if not mails:
        messages.info(request, _("没有待发送的邮件。"))
        return redirect("reviews:outbox", slug=campaign.slug)
    sent, failed = outbox.send(campaign, mails, by=request.user)
    if sent:
        messages.success(request, _("已发送 %(n)s 封邮件。") % {"n": sent})
    if failed:
        messages.error(request, _("%(n)s 封邮件发送失败，原因见下方，可稍后重新发送。") % {"n": failed})
    if not sent and not failed:
        messages.info(request, _("这些邮件已经发送过了。"))
    return redirect("reviews:outbox", slug=campaign.slug)


@login_required
@require_POST
def outbox_delete(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    pk = _mail_id(request)
    try:
        if pk is None:
            raise DecisionError(_("没有这封待发邮件（可能已发送或已删除）。"))
        mail = decisions.discard_mail(campaign, pk, request.user)
    except DecisionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已删除发给 %(to)s 的邮件。") % {"to": mail.to_email})
    return redirect("reviews:outbox", slug=campaign.slug)

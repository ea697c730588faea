"""The review's decisions: awards staged from a round's ranking or by hand, then released together.

Why staged, then released: an organiser settles the whole list (who gets 一等奖, who is on the
excellent list) before anyone learns anything, and everyone learns it at the same moment —
every decision of a campaign carries the same ``released_at``. Until then nothing is public:
not the campaign's page, not the published list, not a message.

Why an outbox: the release writes the result notifications (one text per entrant, to its
contact address and to each member's), but sends nothing; the organiser reads them on the
outbox page and sends them there (outbox.send). A withdrawn release takes its unsent
messages back; a message already sent cannot be recalled, and the page says so. Released
again, only an entrant whose results changed since its letter was sent is written to, with a
correction (「（更正）」); one told these very results hears nothing twice.

Award levels (一等奖 1、二等奖 2、三等奖 3、优秀作品 …) are the campaign's AwardLevel rows,
made from the rule set's outcomes on first use; a level without a count takes as many works
as the organiser stages. Every change writes a line in the review's log, inside the same
transaction as the change, under a lock on the campaign's row, so that two organisers'
pages (or two clicks) cannot release twice or stage into a release.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from guangying.campaigns.models import Campaign, Entrant, EntrantMember
from guangying.documents.published import PublishedEntry, default_title, entrant_header
from guangying.submissions.models import Work

from . import aggregation, log, outbox, services, wording
from .models import AwardLevel, Decision, OutgoingMail, ReviewLog, ReviewRound, RoundWork

MAX_LEVELS = 20
MAX_LABEL = 60
MAX_COUNT = 1000
NOT_SELECTED = "未入选"
DEFAULT_LEVELS = ("优秀作品",)  # a rule set that names no outcome still has its excellent list


class DecisionError(ValueError):
    """What cannot be done to the decisions, in words for the organiser."""


# --------------------------------------------------------------------------
# State


def _lock(campaign: Campaign) -> Campaign:
    """The campaign's row, locked: every change to the decisions is made one at a time."""
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def released_at(campaign: Campaign) -> datetime | None:
    """When the campaign's decisions were released; None while they are staged (or there are none)."""
    return (Decision.objects.filter(campaign=campaign, released_at__isnull=False)
            .order_by("-released_at").values_list("released_at", flat=True).first())


def is_released(campaign: Campaign) -> bool:
    return released_at(campaign) is not None


def _refuse_if_released(campaign: Campaign) -> None:
    if is_released(campaign):
        raise DecisionError(_("评审结果已经公布，不能再修改。如需修改，请先撤回公布。"))


# --------------------------------------------------------------------------
# Award levels


def award_levels(campaign: Campaign) -> list[AwardLevel]:
    """The campaign's award levels in order, made from the rule set's outcomes the first time.

    Hubei's notice names 优秀作品, Chongqing's 优秀作品 and 特别优秀作品奖励; neither says how
    many, so the levels start without counts. Like the rounds, only the first asking takes
    the lock that keeps two pages from making them twice.
    """
    existing = list(campaign.award_levels.order_by("position", "pk"))
    if existing:
        return existing
    with transaction.atomic():
        _lock(campaign)
        existing = list(campaign.award_levels.order_by("position", "pk"))
        if existing:
            return existing
        labels = list(campaign.rules.review.outcomes) or list(DEFAULT_LEVELS)
        return [AwardLevel.objects.create(campaign=campaign, label=label[:MAX_LABEL], count=None,
                                          position=position)
                for position, label in enumerate(labels, start=1)]


def parse_count(text: Any, label: str = "") -> int | None:
    """A count as typed in the levels form: empty is no count; otherwise a whole number 0–1000."""
    raw = str(text if text is not None else "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or int(raw) > MAX_COUNT:
        raise DecisionError(_("「%(label)s」的名额须为 0 到 %(max)s 的整数，或留空表示不限，"
                              "而不是「%(raw)s」。")
                            % {"label": label or _("奖项"), "max": MAX_COUNT, "raw": raw[:20]})
    return int(raw)


def _clean_levels(levels: Iterable[tuple[str, int | None]]) -> list[tuple[str, int | None]]:
    clean: list[tuple[str, int | None]] = []
    seen: set[str] = set()
    for raw_label, count in levels:
        label = " ".join(str(raw_label or "").split())
        if not label:
            raise DecisionError(_("奖项名称不能为空。"))
        if len(label) > MAX_LABEL:
            raise DecisionError(_("奖项名称最多 %(max)s 字，「%(start)s…」有 %(n)s 字。")
                                % {"max": MAX_LABEL, "start": label[:10], "n": len(label)})
        if label == NOT_SELECTED:
            raise DecisionError(_("「%(label)s」是未获奖作品的说法，不能作为奖项名称。") % {"label": label})
        if label in seen:
            raise DecisionError(_("奖项「%(label)s」重复。") % {"label": label})
        if count is not None and (isinstance(count, bool) or not isinstance(count, int)
                                  or not 0 <= count <= MAX_COUNT):
            raise DecisionError(_("「%(label)s」的名额须为 0 到 %(max)s 的整数，或不限。")
                                % {"label": label, "max": MAX_COUNT})
        seen.add(label)
        clean.append((label, count))
    if not clean:
        raise DecisionError(_("请至少设置一个奖项。"))
    if len(clean) > MAX_LEVELS:
        raise DecisionError(_("最多设置 %(max)s 个奖项。") % {"max": MAX_LEVELS})
    return clean


def set_award_levels(campaign: Campaign, levels: Sequence[tuple[str, int | None]],
                     by: Any) -> list[AwardLevel]:
    """Replaces the campaign's levels with ``levels`` (label, count or None), in that order.

    Refused once the decisions are released (the public list names them), and refused while
    staged decisions still carry a label the new levels drop: a level is not taken away from
    works under the organiser's eyes; they change those works' awards first, or propose again.
    """
    clean = _clean_levels(levels)
    with transaction.atomic():
        _lock(campaign)
        _refuse_if_released(campaign)
        labels = {label for label, _count in clean}
        orphaned = sorted(set(Decision.objects.filter(campaign=campaign).exclude(award__in=labels)
                              .values_list("award", flat=True)))
        if orphaned:
            raise DecisionError(
                _("已有作品暂定为「%(awards)s」，不能删除或改名这些奖项。请先修改这些作品的奖项，或清空暂定结果。")
                % {"awards": "、".join(orphaned)})
        before = [(a.label, a.count) for a in campaign.award_levels.order_by("position", "pk")]
        AwardLevel.objects.filter(campaign=campaign).delete()
        AwardLevel.objects.bulk_create([
            AwardLevel(campaign=campaign, label=label, count=count, position=position)
            for position, (label, count) in enumerate(clean, start=1)
        ])
        log.record(campaign, "award_levels", _("设置奖项：%(levels)s") % {"levels": describe_levels(clean)},
                   actor=by, before=[list(x) for x in before], after=[list(x) for x in clean])
    return list(campaign.award_levels.order_by("position", "pk"))


def describe_levels(levels: Iterable[tuple[str, int | None]]) -> str:
    """「一等奖 1 名、二等奖 2 名、优秀作品 不限」, for the log and the page."""
    return "、".join(f"{label} {count} 名" if count is not None else f"{label} 不限"
                    for label, count in levels)


# --------------------------------------------------------------------------
# Proposing from a ranking


@dataclass(frozen=True)
class Proposal:
    """What ``propose`` staged: (work id, award, rank) in ranking order, and what the organiser should know.
    """

    awards: tuple[tuple[int, str, int], ...]
    notes: tuple[str, ...] = ()


def plan_awards(rows: Sequence[aggregation.WorkRow], levels: Sequence[tuple[str, int | None]],
                advanced: Iterable[int], *, last: bool = False) -> Proposal:
    """Levels given down the ranking; pure, so the rule can be read and tested on its own.

    Counted levels cover places in turn: with 一等奖 1、二等奖 2、三等奖 3, 一等奖 is place 1,
    二等奖 places 2–3, 三等奖 places 4–6. A work takes the level whose places include its
    rank. Works tied at a count's boundary (same rank, ``tied``) all take the *higher*
    level: the arithmetic does not split a tie, and none of them is pushed down by its id.
    The level is then over its count, the next one short by as much (competition ranking
    skips the shared places), the proposal's notes say so, and ``release`` refuses until
    the organiser has settled it by hand — the same rule as advancing, where a tie at the
    cut-off advances together for the organiser to decide (复议).

    The first level without a count takes every remaining ranked work that the round marked
    advanced (RoundWork.advanced), or none if the round marked none: 「不限名额」 means as many
    as the jury let through, not the whole field. Levels after it receive nothing here; the
    organiser gives them by hand. Works without a complete review are never given a level.
    ``last`` says the round is the campaign's last, where the marks select (入选) rather than
    advance (晋级): only the notes' wording changes.
    """
    advanced = set(advanced)
    places: list[tuple[str, int]] = []
    open_level: str | None = None
    upper = 0
    for label, count in levels:
        if count is None:
            open_level = label
            break
        upper += count
        places.append((label, upper))
    awards: list[tuple[int, str, int]] = []
    given: dict[str, int] = {}
    for row in rows:
        if row.rank is None:
            continue
        award = next((label for label, top in places if row.rank <= top), None)
        if award is None and open_level is not None and row.work in advanced:
            award = open_level
        if award is None:
            continue
        awards.append((int(row.work), award, row.rank))  # type: ignore[call-overload]
        given[award] = given.get(award, 0) + 1
    notes = []
    for label, count in levels:
        if count is not None and given.get(label, 0) > count:
            notes.append(_("「%(label)s」名额 %(count)s 名，因名次并列暂定 %(n)s 件，超出 %(extra)s 件："
                           "请手动调整后再公布。")
                         % {"label": label, "count": count, "n": given[label], "extra": given[label] - count})
    if open_level is not None and not advanced:
        if last:
            notes.append(_("「%(label)s」不限名额，取本轮标记入选的作品；本轮没有标记入选的作品，暂未列入任何作品。"
                           "请先在本轮的评审结果页选出入选作品，再重新生成。") % {"label": open_level})
        else:
            notes.append(_("「%(label)s」不限名额，取本轮标记晋级的作品；本轮没有标记晋级的作品，暂未列入任何作品。"
                           "请先在本轮的评审结果页选出晋级作品，再重新生成。") % {"label": open_level})
    return Proposal(awards=tuple(awards), notes=tuple(notes))


def _results(round_: ReviewRound) -> aggregation.RoundResult:
    try:
        return services.results(round_)
    except aggregation.AggregationError as error:
        raise DecisionError(wording.error_text(error)) from None


def propose(round_: ReviewRound, by: Any) -> Proposal:
    """Stages the decisions from a closed round's ranking (see ``plan_awards``), replacing staged ones.

    Only a closed round: its scores can no longer move under the proposal. Decision.position
    is the work's rank in that round.
    """
    campaign = round_.campaign
    with transaction.atomic():
        _lock(campaign)
        _refuse_if_released(campaign)
        levels = [(level.label, level.count) for level in award_levels(campaign)]
        current = ReviewRound.objects.get(pk=round_.pk)
        if current.status != ReviewRound.Status.CLOSED:
            raise DecisionError(_("「%(label)s」尚未结束：请先结束本轮评审（锁定评分），再按排名生成结果。")
                                % {"label": current.label})
        result = _results(current)
        advanced = RoundWork.objects.filter(round=current, advanced=True).values_list("work_id", flat=True)
        proposal = plan_awards(result.rows, levels, advanced, last=is_last_round(current))
        Decision.objects.filter(campaign=campaign, released_at__isnull=True).delete()
        Decision.objects.bulk_create([
            Decision(campaign=campaign, work_id=work_id, award=award, position=rank, round=current,
                     staged_by=by)
            for work_id, award, rank in proposal.awards
        ])
        log.record(campaign, "decisions_proposed",
                   _("按「%(round)s」排名生成暂定结果：%(n)s 件作品") % {"round": current.label,
                                                                  "n": len(proposal.awards)},
                   actor=by, round=current, awards=[list(a) for a in proposal.awards],
                   notes=list(proposal.notes))
    return proposal


def is_last_round(round_: ReviewRound) -> bool:
    """Whether ``round_`` is its campaign's last round: there its marks select (入选), not advance."""
    last = (ReviewRound.objects.filter(campaign_id=round_.campaign_id).order_by("-position", "-pk")
            .values_list("pk", flat=True).first())
    return last == round_.pk


@dataclass(frozen=True)
class RoundMarks:
    """What a closed round marked, for the organiser to read before proposing from it.

    ``open_levels`` are the levels without a count: the first of them takes the marked works
    that no counted level took, so with nothing marked every one of them takes nothing.
    """

    round: ReviewRound
    marked: int
    last: bool
    open_levels: tuple[str, ...]

    @property
    def mark_word(self) -> str:
        return _("入选") if self.last else _("晋级")

    @property
    def open_levels_empty(self) -> bool:
        """True when proposing from this round would give the levels without a count no work at all."""
        return bool(self.open_levels) and self.marked == 0


def round_marks(campaign: Campaign, rounds: Sequence[ReviewRound]) -> list[RoundMarks]:
    """For each of ``rounds`` (the closed ones the page offers), in order, how many works it marked."""
    counts: dict[int, int] = {}
    marked = RoundWork.objects.filter(round__in=list(rounds), advanced=True)
    for round_id in marked.values_list("round_id", flat=True):
        counts[round_id] = counts.get(round_id, 0) + 1
    last = (ReviewRound.objects.filter(campaign=campaign).order_by("-position", "-pk")
            .values_list("pk", flat=True).first())
    open_levels = tuple(level.label for level in award_levels(campaign) if level.count is None)
    return [RoundMarks(round=r, marked=counts.get(r.pk, 0), last=r.pk == last, open_levels=open_levels)
            for r in rounds]


# --------------------------------------------------------------------------
# Staging by hand


def _entered(campaign: Campaign, work_ids: Iterable[int]) -> dict[int, list[ReviewRound]]:
    """For each work id, the campaign's rounds it took part in, latest first."""
    rounds: dict[int, list[ReviewRound]] = {}
    for entry in (RoundWork.objects.filter(round__campaign=campaign, work_id__in=list(work_ids))
                  .select_related("round").order_by("-round__position", "-round_id")):
        rounds.setdefault(entry.work_id, []).append(entry.round)
    return rounds


def stage_many(campaign: Campaign, changes: Mapping[int, str], by: Any) -> int:
    """Sets (award) or clears ("") the award of several works at once; all or nothing. The number changed.

    A work must have taken part in one of the campaign's rounds (so another campaign's work,
    or a work never reviewed, is refused), and an award must be one of the levels. A newly
    staged work is placed at its rank in the latest round it took part in, when that round
    ranked it; otherwise after the ranked ones.
    """
    levels = {level.label for level in award_levels(campaign)}
    wanted: dict[int, str] = {}
    for work_id, award in changes.items():
        try:
            key = int(work_id)
        except (TypeError, ValueError):
            raise DecisionError(_("作品编号「%(id)s」无效。") % {"id": str(work_id)[:20]}) from None
        label = " ".join(str(award or "").split())
        if label and label not in levels:
            raise DecisionError(_("没有「%(award)s」这个奖项。") % {"award": label[:MAX_LABEL]})
        wanted[key] = label
    with transaction.atomic():
        _lock(campaign)
        _refuse_if_released(campaign)
        rounds = _entered(campaign, wanted)
        unknown = sorted(set(wanted) - set(rounds))
        if unknown:
            raise DecisionError(_("本活动的评审中没有这些作品：编号 %(ids)s。")
                                % {"ids": "、".join(str(pk) for pk in unknown[:10])})
        current = {d.work_id: d for d in Decision.objects.filter(campaign=campaign, work_id__in=list(wanted))}
        ranks: dict[int, dict[int, int]] = {}
        changed = 0
        for work_id, award in sorted(wanted.items()):
            decision = current.get(work_id)
            before = decision.award if decision else ""
            if award == before:
                continue
            if not award:
                decision.delete()  # type: ignore[union-attr]
            elif decision is not None:
                decision.award, decision.staged_by = award, by
                decision.save(update_fields=["award", "staged_by"])
            else:
                round_ = rounds[work_id][0]
                if round_.pk not in ranks:
                    ranks[round_.pk] = _ranks(round_)
                Decision.objects.create(campaign=campaign, work_id=work_id, award=award, round=round_,
                                        position=ranks[round_.pk].get(work_id, 0), staged_by=by)
            title = Work.objects.filter(pk=work_id).values_list("title", flat=True).first() or str(work_id)
            log.record(campaign, "decision_staged",
                       _("《%(title)s》：%(before)s → %(after)s")
                       % {"title": title, "before": before or NOT_SELECTED, "after": award or NOT_SELECTED},
                       actor=by, work=work_id, before=before, after=award)
            changed += 1
    return changed


def _ranks(round_: ReviewRound) -> dict[int, int]:
    if round_.status == ReviewRound.Status.DRAFT:
        return {}
    try:
        result = services.results(round_)
    except aggregation.AggregationError:
        return {}
    return {int(row.work): row.rank for row in result.rows if row.rank is not None}  # type: ignore[call-overload]


def stage(campaign: Campaign, work: Work, award: str, by: Any) -> int:
    """Sets or clears ("") one work's award by hand; see ``stage_many``."""
    return stage_many(campaign, {work.pk: award}, by)


def clear(campaign: Campaign, by: Any) -> int:
    """Removes every staged decision (before release): a clean start, or to free a level for renaming."""
    with transaction.atomic():
        _lock(campaign)
        _refuse_if_released(campaign)
        count, _detail = Decision.objects.filter(campaign=campaign).delete()
        if count:
            log.record(campaign, "decisions_cleared", _("清空暂定结果：%(n)s 件作品") % {"n": count},
                       actor=by)
    return count


# --------------------------------------------------------------------------
# Counting and listing


@dataclass(frozen=True)
class LevelCount:
    label: str
    count: int | None
    staged: int

    @property
    def over(self) -> int:
        return max(0, self.staged - self.count) if self.count is not None else 0


def level_counts(campaign: Campaign) -> list[LevelCount]:
    """Each level's works against its count, in the levels' order."""
    staged: dict[str, int] = {}
    for award in Decision.objects.filter(campaign=campaign).values_list("award", flat=True):
        staged[award] = staged.get(award, 0) + 1
    return [LevelCount(label=level.label, count=level.count, staged=staged.get(level.label, 0))
            for level in award_levels(campaign)]


def _entries(campaign: Campaign, *, released: bool) -> list[PublishedEntry]:
    order = {level.label: i for i, level in enumerate(award_levels(campaign))}
    decisions = list(Decision.objects.filter(campaign=campaign, released_at__isnull=not released)
                     .select_related("work__entrant"))
    decisions.sort(key=lambda d: (order.get(d.award, len(order)), d.award, d.position or 10**9,
                                  d.work.title, d.work_id))
    return [PublishedEntry(title=d.work.title, entrant=str(d.work.entrant), award=d.award) for d in decisions]


def released_entries(campaign: Campaign) -> list[PublishedEntry]:
    """The released list, by level order then rank: what the public page and the published list show."""
    return _entries(campaign, released=True)


def staged_entries(campaign: Campaign) -> list[PublishedEntry]:
    """The staged list in the same order, for the organiser's preview before release."""
    return _entries(campaign, released=False)


@dataclass(frozen=True)
class PublicList:
    """The released list as the campaign's public page shows it: under each award, in the levels' order."""

    at: datetime
    title: str
    entrant_label: str
    groups: tuple[tuple[str, tuple[PublishedEntry, ...]], ...]


def released_groups(campaign: Campaign) -> PublicList | None:
    """The public page's list; None before release, so nothing of a staged decision shows."""
    at = released_at(campaign)
    if at is None:
        return None
    groups: list[tuple[str, list[PublishedEntry]]] = []
    for entry in released_entries(campaign):
        if not groups or groups[-1][0] != entry.award:
            groups.append((entry.award, []))
        groups[-1][1].append(entry)
    return PublicList(at=at, title=default_title(campaign.rules),
                      entrant_label=entrant_header(campaign.rules),
                      groups=tuple((award, tuple(entries)) for award, entries in groups))


# --------------------------------------------------------------------------
# Release


@dataclass(frozen=True)
class Release:
    at: datetime
    decisions: int
    mails: int
    without_address: tuple[str, ...] = field(default=())  # entrants no message could be written to
    unchanged: tuple[str, ...] = field(default=())  # entrants already sent these very results: no new letter
    corrections: int = 0  # of ``mails``, the letters that correct a notice sent before


Statement = tuple[tuple[int, str], ...]  # (work id, award or 未入选) for each work a letter names, by id


@dataclass(frozen=True)
class Told:
    """What the last result letter actually sent to an entrant stated, and the date it bore.

    ``works`` is None for a letter whose statement is not on record (written before
    statements were kept): then it cannot be shown to be the same, and a correction goes.
    """

    works: Statement | None
    dated: datetime


def _statement(works: Iterable[tuple[int, str]]) -> Statement:
    return tuple(sorted((int(pk), award or NOT_SELECTED) for pk, award in works))


def _told(campaign: Campaign) -> dict[int, Told]:
    """For each entrant sent a result letter of this campaign, what the last one sent stated.

    Why from the release's log line and not from the letter: a letter's text is made for
    people (it changes with the wording, the titles, the entrant's name), while the release
    records, for each letter it wrote, the list of (work, award) it stated. A letter held
    but never sent (deleted at a withdrawal, or failed) told nobody anything and is not counted.
    """
    stated: dict[int, tuple[Statement, datetime]] = {}
    for line in ReviewLog.objects.filter(campaign=campaign, action="decisions_released").order_by("at", "pk"):
        detail = line.detail if isinstance(line.detail, dict) else {}
        try:
            dated = datetime.fromisoformat(str(detail.get("at")))
        except ValueError:
            dated = line.at
        for letter in detail.get("letters") or ():
            try:
                works = _statement((pk, award) for pk, award in letter["works"])
                mail_ids = [int(pk) for pk in letter["mails"]]
            except (KeyError, TypeError, ValueError):
                continue
            for mail_id in mail_ids:
                stated[mail_id] = (works, dated)
    told: dict[int, Told] = {}
    sent = (OutgoingMail.objects.filter(campaign=campaign, kind=OutgoingMail.Kind.RESULT,
                                        sent_at__isnull=False, entrant__isnull=False)
            .order_by("sent_at", "pk").values_list("pk", "entrant_id", "sent_at"))
    for mail_id, entrant_id, sent_at in sent:
        works, dated = stated.get(mail_id, (None, sent_at))
        told[entrant_id] = Told(works=works, dated=dated)
    return told


def _addresses(entrant: Entrant) -> list[tuple[str, str]]:
    """(address, name) to write to for an entrant: its contact, then its members; each address once.

    Addresses are compared without case, as accounts are; blank ones and inactive accounts
    are skipped.
    """
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    candidates = [(entrant.contact_email, entrant.contact_name or entrant.name)]
    for member in (EntrantMember.objects.filter(entrant=entrant, user__is_active=True)
                   .select_related("user").order_by("joined_at", "pk")):
        candidates.append((member.user.email, member.user.name))
    for address, name in candidates:
        address = (address or "").strip()
        if address and address.lower() not in seen:
            seen.add(address.lower())
            out.append((address, name))
    return out


def local_date(campaign: Campaign, moment: datetime) -> str:
    """「2026年12月1日」: the day in the campaign's own time zone, as its notices write dates."""
    local = timezone.localtime(moment, campaign.rules.zone)
    return f"{local.year}年{local.month}月{local.day}日"


def result_message(campaign: Campaign, entrant: Entrant, works: Sequence[tuple[str, str]],
                   at: datetime, *, corrects: datetime | None = None) -> tuple[str, str]:
    """Subject and body of an entrant's result notification; ``works`` are (title, award or "").

    ``corrects`` is the date of the notice this one replaces: the subject then starts with
    「（更正）」 and the letter opens by saying which notice it replaces.
    """
    rules = campaign.rules
    context = {
        "campaign": campaign, "rules": rules, "entrant": entrant,
        "unit": entrant.kind == Entrant.Kind.UNIT,
        "works": [{"title": title, "award": award or NOT_SELECTED, "selected": bool(award)}
                  for title, award in works],
        "selected": [title for title, award in works if award],
        "list_title": default_title(rules),
        "link": settings.SITE_URL + campaign.get_absolute_url(),
        "date": local_date(campaign, at),
        "corrects": local_date(campaign, corrects) if corrects is not None else "",
    }
    subject = render_to_string("reviews/email/result_subject.txt", context).strip()
    body = render_to_string("reviews/email/result_body.txt", context).strip() + "\n"
    return subject, body


def released_subtitle(campaign: Campaign) -> str:
    """The released list's line under its title, who issues it and when: 「主办单位　2026年12月1日公布」.

    The issuer is the rule set's organiser (the notice's 主办单位), on one line; the date is the
    release's, in the campaign's time zone. Empty before release.
    """
    at = released_at(campaign)
    if at is None:
        return ""
    issuer = " ".join(str(campaign.rules.organiser or "").split())
    date = local_date(campaign, at)
    if issuer:
        return _("%(issuer)s　%(date)s公布") % {"issuer": issuer, "date": date}
    return _("%(date)s公布") % {"date": date}


def release(campaign: Campaign, by: Any) -> Release:
    """Releases every staged decision at once, and writes the result notifications into the outbox.

    Refused with nothing staged, or while a counted level holds more works than its count
    (the message names the level). One text per entrant that had a work in any of the
    campaign's rounds, listing each of its works with its award or 「未入选」, to its contact
    address and each member's; nothing is sent here.

    Released again after a withdrawal, an entrant already sent a letter is written to only
    if its results differ from what that letter stated, and then with a correction
    (「（更正）」, replacing the notice of that date); one whose results are the same gets
    nothing new, so nobody is told the same thing twice. An entrant whose letter was never
    sent gets an ordinary letter. What each letter states is kept in the release's log line,
    so that the next release can compare.
    """
    with transaction.atomic():
        _lock(campaign)
        _refuse_if_released(campaign)
        decisions = list(Decision.objects.filter(campaign=campaign, released_at__isnull=True))
        if not decisions:
            raise DecisionError(_("还没有暂定的评审结果，无法公布。"))
        levels = award_levels(campaign)
        known = {level.label for level in levels}
        strays = sorted({d.award for d in decisions} - known)
        if strays:
            raise DecisionError(_("「%(awards)s」不是本活动设置的奖项，请先修改。")
                                % {"awards": "、".join(strays)})
        over = [c for c in level_counts(campaign) if c.over]
        if over:
            raise DecisionError(_("名额超出，不能公布：%(levels)s。请调整后再公布。") % {"levels": "；".join(
                _("「%(label)s」名额 %(count)s 名，暂定 %(n)s 件") % {"label": c.label, "count": c.count,
                                                              "n": c.staged}
                for c in over)})
        now = timezone.now()
        Decision.objects.filter(pk__in=[d.pk for d in decisions]).update(released_at=now)
        awards = {d.work_id: d.award for d in decisions}
        places = {d.work_id: d.position or 10**9 for d in decisions}
        order = {level.label: i for i, level in enumerate(levels)}
        works = (Work.objects.filter(review_entries__round__campaign=campaign).distinct()
                 .select_related("entrant").order_by("entrant__kind", "entrant__name", "entrant_id", "pk"))
        by_entrant: dict[int, tuple[Entrant, list[Work]]] = {}
        for work in works:
            by_entrant.setdefault(work.entrant_id, (work.entrant, []))[1].append(work)
        told = _told(campaign)
        mails = corrections = 0
        without: list[str] = []
        unchanged: list[str] = []
        letters: list[dict[str, Any]] = []
        for entrant, entrant_works in by_entrant.values():
            entrant_works.sort(key=lambda w: (order.get(awards.get(w.pk, ""), len(order)),
                                              places.get(w.pk, 10**9), w.title, w.pk))
            statement = _statement((w.pk, awards.get(w.pk, "")) for w in entrant_works)
            before = told.get(entrant.pk)
            if before is not None and before.works == statement:
                unchanged.append(str(entrant))
                continue
            subject, body = result_message(campaign, entrant,
                                           [(w.title, awards.get(w.pk, "")) for w in entrant_works], now,
                                           corrects=before.dated if before is not None else None)
            addresses = _addresses(entrant)
            if not addresses:
                without.append(str(entrant))
                continue
            held = [outbox.hold(campaign, OutgoingMail.Kind.RESULT, to_email=address, to_name=name,
                                subject=subject, body=body, by=by, entrant=entrant).pk
                    for address, name in addresses]
            mails += len(held)
            if before is not None:
                corrections += len(held)
            letters.append({"entrant": entrant.pk, "works": [list(w) for w in statement], "mails": held,
                            "correction": before is not None})
        text = (_("公布评审结果：%(n)s 件作品；写好结果通知 %(m)s 封，待发送")
                % {"n": len(decisions), "m": mails})
        if corrections:
            text += _("（其中更正通知 %(n)s 封）") % {"n": corrections}
        if unchanged:
            text += _("；%(n)s 个报送主体的结果与已发送的通知相同，未再写通知") % {"n": len(unchanged)}
        log.record(campaign, "decisions_released", text, actor=by, at=now.isoformat(),
                   decisions=len(decisions), mails=mails, corrections=corrections,
                   without_address=without, unchanged=unchanged, letters=letters)
    return Release(at=now, decisions=len(decisions), mails=mails, without_address=tuple(without),
                   unchanged=tuple(unchanged), corrections=corrections)


def withdraw(campaign: Campaign, by: Any) -> int:
    """Takes a release back: the decisions are staged again, the release's unsent notifications deleted.

    Notifications already sent stay sent (and stay in the outbox's record): a mail cannot be
    recalled. The number of unsent notifications deleted.
    """
    with transaction.atomic():
        _lock(campaign)
        at = released_at(campaign)
        if at is None:
            raise DecisionError(_("评审结果尚未公布，无需撤回。"))
        Decision.objects.filter(campaign=campaign).update(released_at=None)
        unsent = OutgoingMail.objects.filter(campaign=campaign, kind=OutgoingMail.Kind.RESULT,
                                             sent_at__isnull=True, created_at__gte=at)
        deleted, _detail = unsent.delete()
        kept = OutgoingMail.objects.filter(campaign=campaign, kind=OutgoingMail.Kind.RESULT,
                                           sent_at__gte=at).count()
        log.record(campaign, "decisions_withdrawn",
                   _("撤回公布：删除未发送的结果通知 %(n)s 封；已发送的 %(kept)s 封无法收回")
                   % {"n": deleted, "kept": kept}, actor=by, deleted=deleted, kept=kept)
    return deleted


# --------------------------------------------------------------------------
# The outbox's own change


def discard_mail(campaign: Campaign, mail_id: int, by: Any) -> OutgoingMail:
    """Deletes one unsent message of the campaign (the organiser decided it should not go)."""
    with transaction.atomic():
        mail = (OutgoingMail.objects.select_for_update()
                .filter(pk=mail_id, campaign=campaign, sent_at__isnull=True).first())
        if mail is None:
            raise DecisionError(_("没有这封待发邮件（可能已发送或已删除）。"))
        log.record(campaign, "mail_deleted", _("删除待发邮件：%(to)s · %(subject)s")
                   % {"to": mail.to_email, "subject": mail.subject}, actor=by, kind=mail.kind,
                   to=mail.to_email)
        mail.delete()
    return mail

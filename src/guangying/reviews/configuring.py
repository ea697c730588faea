"""What an organiser may change in a review round, and when; adding and removing rounds.

A round's settings are promises to the people in it. Before it opens nothing has been promised,
so everything may change. Once it is open, reviewers are scoring against its criteria and its
works were fixed when it opened (rounds.open_round), so the criteria and the entry stay as they
are; its dates, switches, method, disagreement threshold and the number of reviewers per work
(used by the next automatic assignment) may still change. Once it is closed its scores are
locked, and only the method and the disagreement threshold, which change how the ranking is
read and not a single score, may change, until the campaign's results are released: from then
on the published outcome rests on the rounds as they are, and nothing changes.

Every change is checked here under a lock on the round (the form has checked it too, but the
round may have opened since the page was loaded), is all or nothing, and writes one line in the
review's log saying what changed, from what to what.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from guangying.campaigns.models import Campaign

from . import log
from .models import Decision, ReviewRound, RoundCriterion
from .rounds import RoundError, rounds_for

# The settings of a round the organiser edits, in the order the page shows them.
FIELDS = (
    "label", "note", "opens_at", "closes_at", "entry", "blind", "others_scores", "comment_required",
    "reviewers_change_state", "method", "reviewers_per_work", "disagreement_threshold",
)
CRITERIA = "criteria"
SWITCHES = frozenset({"blind", "others_scores", "comment_required", "reviewers_change_state"})

# What still may change once a round is open: nothing a score already given depends on.
OPEN_FIELDS = frozenset({"label", "note", "opens_at", "closes_at", *SWITCHES, "method",
                         "disagreement_threshold", "reviewers_per_work"})
# What still may change once a round is closed: how its ranking is read, not what was scored.
CLOSED_FIELDS = frozenset({"method", "disagreement_threshold"})

MAX_LABEL = 60
MAX_NOTE = 2000
MAX_DESCRIPTION = 2000
MAX_CRITERIA = 30
MAX_ROUNDS = 10  # as many as a rule set may name
MIN_REVIEWERS, MAX_REVIEWERS = 1, 20
MAX_WEIGHT = Decimal(100)
MAX_SCALE = 1000
KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
# Names the reviewer's score form already uses for its own inputs, and the overall mark's key:
# a criterion under one of them would be read as something else.
RESERVED_KEYS = frozenset({"overall", "comment", "action", "csrfmiddlewaretoken", "next"})


class ConfigError(RoundError):
    """A change to a round that is refused, in words for the organiser."""


@dataclass(frozen=True)
class CriterionSpec:
    """One criterion as the organiser entered it; an empty key is made from the label."""

    label: str
    weight: Decimal
    scale_max: int
    description: str = ""
    key: str = ""


@dataclass
class Change:
    """What a save changed (field names, in page order) and what the organiser should know about it."""

    changed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Names and values in words


def field_label(name: str) -> str:
    """The name the page and the messages give a setting."""
    if name == CRITERIA:
        return _("评分项")
    return str(ReviewRound._meta.get_field(name).verbose_name)


def zone_of(campaign: Campaign) -> Any:
    """The campaign's time zone: its dates are entered and shown in it."""
    return campaign.rules.zone


_OWN = object()


def shown(round_: ReviewRound, name: str, value: Any = _OWN) -> str:
    """A setting's value as the page and the log show it (the round's own value when none is given)."""
    if value is _OWN:
        value = getattr(round_, name)
    if name in ("opens_at", "closes_at"):
        if value is None:
            return _("未设定")
        return timezone.localtime(value, zone_of(round_.campaign)).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    choices = {"entry": ReviewRound.Entry, "others_scores": ReviewRound.OthersScores,
               "method": ReviewRound.Method}
    if name in choices:
        return str(dict(choices[name].choices).get(value, value))
    return str(value)


# ---------------------------------------------------------------------------
# What may change now


def released(campaign: Campaign) -> bool:
    """Whether the campaign's results are out: then the rounds they rest on stay as they are."""
    return Decision.objects.filter(campaign=campaign, released_at__isnull=False).exists()


def is_first(round_: ReviewRound) -> bool:
    """The campaign's first round: it can only take the works that passed the formal check."""
    return not ReviewRound.objects.filter(campaign_id=round_.campaign_id, position__lt=round_.position) \
        .exists() and not ReviewRound.objects.filter(campaign_id=round_.campaign_id,
                                                     position=round_.position, pk__lt=round_.pk).exists()


def locks(round_: ReviewRound) -> dict[str, str]:
    """Each setting that cannot change now, with the reason; a setting not named here may change."""
    status = round_.status
    every = [*FIELDS, CRITERIA]
    if status == ReviewRound.Status.CLOSED and released(round_.campaign):
        reason = _("本活动的评审结果已经公布，各轮评审的设置不能再修改。")
        return dict.fromkeys(every, reason)
    if status == ReviewRound.Status.CLOSED:
        reason = _("本轮评审已结束，评分已锁定。只有计分方法和分歧提示阈值还能修改："
                   "它们只改变排名的计算方式，不改动任何评分。")
        return {name: reason for name in every if name not in CLOSED_FIELDS}
    result: dict[str, str] = {}
    if status == ReviewRound.Status.OPEN:
        result["entry"] = _("评审已开始：参评作品在本轮开始时已经确定，不能再改。")
        result[CRITERIA] = _("评审已开始：评审专家已按现有评分项打分，评分项不能再改。")
        for name in FIELDS:
            if name not in OPEN_FIELDS and name not in result:
                result[name] = _("评审已开始，不能再改。")
    elif is_first(round_) and round_.entry == ReviewRound.Entry.PASSED:
        result["entry"] = _("第一轮只能取形式审查通过的作品。")
    return result


def _refuse_locked(round_: ReviewRound, name: str, reasons: dict[str, str]) -> None:
    raise ConfigError(_("「%(field)s」现在不能修改：%(reason)s")
                      % {"field": field_label(name), "reason": reasons[name]})


# ---------------------------------------------------------------------------
# Checking values


def clean_line(value: Any, what: str, *, limit: int, required: bool = True) -> str:
    """One line of text: normalised, no line breaks or invisible characters, within its limit."""
    if not isinstance(value, str):
        raise ConfigError(_("「%(what)s」须为文字。") % {"what": what})
    text = unicodedata.normalize("NFC", value).strip()
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for c in text):
        raise ConfigError(_("「%(what)s」只能是一行文字，不能含换行或不可见字符。") % {"what": what})
    if required and not text:
        raise ConfigError(_("请填写「%(what)s」。") % {"what": what})
    if len(text) > limit:
        raise ConfigError(_("「%(what)s」最多 %(max)s 个字，现有 %(n)s 个字。")
                          % {"what": what, "max": limit, "n": len(text)})
    return text


def clean_text(value: Any, what: str, *, limit: int) -> str:
    """Several lines of text, within their limit."""
    if not isinstance(value, str):
        raise ConfigError(_("「%(what)s」须为文字。") % {"what": what})
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t" for c in text):
        raise ConfigError(_("「%(what)s」含有不可见的控制字符，请删除。") % {"what": what})
    if len(text) > limit:
        raise ConfigError(_("「%(what)s」最多 %(max)s 个字，现有 %(n)s 个字。")
                          % {"what": what, "max": limit, "n": len(text)})
    return text


def _decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, bool):
        raise ConfigError(_("「%(what)s」须为数字。") % {"what": what})
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ConfigError(_("「%(what)s」须为数字。") % {"what": what}) from None
    if not number.is_finite():
        raise ConfigError(_("「%(what)s」须为数字。") % {"what": what})
    return number


def _integer(value: Any, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(_("「%(what)s」须为整数。") % {"what": what})
    if not low <= value <= high:
        raise ConfigError(_("「%(what)s」须在 %(low)s 到 %(high)s 之间。")
                          % {"what": what, "low": low, "high": high})
    return value


def _clean_value(round_: ReviewRound, name: str, value: Any) -> Any:
    """One setting's value checked and normalised, or a refusal naming it."""
    what = field_label(name)
    if name == "label":
        return clean_line(value, what, limit=MAX_LABEL)
    if name == "note":
        return clean_text(value or "", what, limit=MAX_NOTE)
    if name in ("opens_at", "closes_at"):
        if value is None:
            return None
        if not isinstance(value, datetime) or timezone.is_naive(value):
            raise ConfigError(_("「%(what)s」须为带时区的时间。") % {"what": what})
        return value
    if name in ("blind", "comment_required", "reviewers_change_state"):
        if not isinstance(value, bool):
            raise ConfigError(_("「%(what)s」须为开或关。") % {"what": what})
        return value
    if name in ("entry", "others_scores", "method"):
        choices = {"entry": ReviewRound.Entry, "others_scores": ReviewRound.OthersScores,
                   "method": ReviewRound.Method}[name]
        if value not in choices.values:
            raise ConfigError(_("「%(what)s」没有「%(value)s」这一项。")
                              % {"what": what, "value": str(value)[:40]})
        return str(value)
    if name == "reviewers_per_work":
        return _integer(value, what, MIN_REVIEWERS, MAX_REVIEWERS)
    if name == "disagreement_threshold":
        number = _decimal(value, what)
        if not Decimal(0) <= number <= Decimal(100):
            raise ConfigError(_("「%(what)s」须在 0 到 100 之间。") % {"what": what})
        if number != number.quantize(Decimal("0.1")):
            raise ConfigError(_("「%(what)s」最多保留一位小数。") % {"what": what})
        return number.quantize(Decimal("0.1"))
    raise ConfigError(_("没有「%(name)s」这项设置。") % {"name": str(name)[:40]})


def _same(value: Any, current: Any) -> bool:
    """Whether a value is the round's own; a time is entered to the minute, so seconds do not count."""
    if isinstance(value, datetime) and isinstance(current, datetime):
        return value.replace(second=0, microsecond=0) == current.replace(second=0, microsecond=0)
    return value == current


def _auto_key(label: str, taken: set[str]) -> str:
    """A key for a criterion: its label when that is plain ASCII, else c1, c2, … whichever is free."""
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_label).strip("_")[:40].rstrip("_")
    if KEY.fullmatch(slug) and slug not in taken and slug not in RESERVED_KEYS:
        return slug
    n = 1
    while f"c{n}" in taken:
        n += 1
    return f"c{n}"


def clean_criteria(specs: list[CriterionSpec]) -> list[CriterionSpec]:
    """The criteria checked and given keys; every problem is named at once, by row and label.

    Labels must differ (a reviewer could not tell two 「感染力」 apart); a key given must be a
    plain identifier not used by the score form itself; a missing key is made from the label.
    """
    problems: list[str] = []
    if len(specs) > MAX_CRITERIA:
        raise ConfigError(_("评分项最多 %(max)s 项，现有 %(n)s 项。")
                          % {"max": MAX_CRITERIA, "n": len(specs)})
    cleaned: list[CriterionSpec] = []
    seen_labels: dict[str, int] = {}
    given_keys: set[str] = set()
    for row, spec in enumerate(specs, start=1):
        where = _("第 %(row)s 项评分项") % {"row": row}
        try:
            label = clean_line(spec.label, where, limit=MAX_LABEL)
            weight = _decimal(spec.weight, _("「%(label)s」的权重") % {"label": label})
            if not Decimal(0) < weight <= MAX_WEIGHT:
                raise ConfigError(_("「%(label)s」的权重须大于 0、不超过 %(max)s。")
                                  % {"label": label, "max": MAX_WEIGHT})
            if weight != weight.quantize(Decimal("0.01")):
                raise ConfigError(_("「%(label)s」的权重最多保留两位小数。") % {"label": label})
            scale = _integer(spec.scale_max, _("「%(label)s」的满分") % {"label": label}, 1, MAX_SCALE)
            description = clean_text(spec.description or "", _("「%(label)s」的说明") % {"label": label},
                                     limit=MAX_DESCRIPTION)
            key = (spec.key or "").strip()
            if key and (not KEY.fullmatch(key) or key in RESERVED_KEYS):
                raise ConfigError(_("「%(label)s」的标识「%(key)s」不合规：应以小写英文字母开头，"
                                    "只含小写字母、数字和下划线，且不能是 %(reserved)s。")
                                  % {"label": label, "key": key[:40],
                                     "reserved": "、".join(sorted(RESERVED_KEYS))})
            if key and key in given_keys:
                raise ConfigError(_("标识「%(key)s」重复。") % {"key": key})
        except ConfigError as error:
            problems.append(str(error))
            continue
        folded = label.casefold()
        if folded in seen_labels:
            problems.append(_("评分项「%(label)s」重复（第 %(a)s 项和第 %(b)s 项）。")
                            % {"label": label, "a": seen_labels[folded], "b": row})
            continue
        seen_labels[folded] = row
        if key:
            given_keys.add(key)
        cleaned.append(CriterionSpec(label=label, weight=weight.quantize(Decimal("0.01")), scale_max=scale,
                                     description=description, key=key))
    if problems:
        raise ConfigError("；".join(problems))
    taken = set(given_keys)
    keyed = []
    for spec in cleaned:
        key = spec.key or _auto_key(spec.label, taken)
        taken.add(key)
        keyed.append(CriterionSpec(label=spec.label, weight=spec.weight, scale_max=spec.scale_max,
                                   description=spec.description, key=key))
    return keyed


def current_criteria(round_: ReviewRound) -> list[CriterionSpec]:
    return [CriterionSpec(label=c.label, weight=Decimal(c.weight), scale_max=c.scale_max,
                          description=c.description, key=c.key)
            for c in round_.criteria.order_by("position", "pk")]


def _same_criteria(a: list[CriterionSpec], b: list[CriterionSpec]) -> bool:
    def plain(specs: list[CriterionSpec]) -> list[tuple[Any, ...]]:
        return [(s.key, s.label, Decimal(s.weight), s.scale_max, s.description) for s in specs]
    return plain(a) == plain(b)


def _criteria_words(specs: list[CriterionSpec]) -> str:
    if not specs:
        return _("不设评分项（百分制综合评分）")
    return _("%(n)s 项（%(labels)s）") % {"n": len(specs), "labels": "、".join(s.label for s in specs)}


# ---------------------------------------------------------------------------
# Changing a round


def update_round(round_: ReviewRound, values: dict[str, Any], *, by: Any,
                 criteria: list[CriterionSpec] | None = None, seen_status: str | None = None) -> Change:
    """Saves the settings (and, given a list, the criteria) that differ from the round's, all or nothing.

    ``values`` may hold any of FIELDS; a value equal to the round's own is no change and is
    always accepted, so a page may send back what it showed. ``seen_status`` is the status the
    page was made for: if the round has opened or closed since, nothing is saved and the
    organiser is asked to look again, since what they meant may no longer hold.
    """
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise ConfigError(_("没有「%(name)s」这项设置。") % {"name": str(unknown[0])[:40]})
    with transaction.atomic():
        locked = (ReviewRound.objects.select_for_update(of=("self",)).select_related("campaign")
                  .get(pk=round_.pk))
        if seen_status is not None and seen_status != locked.status:
            raise ConfigError(_("「%(label)s」的状态已变为「%(status)s」，这次修改没有保存。"
                                "请核对后重新修改。")
                              % {"label": locked.label, "status": locked.get_status_display()})
        reasons = locks(locked)
        wanted: dict[str, Any] = {}
        for name in FIELDS:
            if name not in values:
                continue
            value = _clean_value(locked, name, values[name])
            if not _same(value, getattr(locked, name)):
                wanted[name] = value
        for name in wanted:
            if name in reasons:
                _refuse_locked(locked, name, reasons)
        if "entry" in wanted and wanted["entry"] != ReviewRound.Entry.PASSED and is_first(locked):
            raise ConfigError(_("第一轮只能取形式审查通过的作品。"))
        opens = wanted.get("opens_at", locked.opens_at)
        closes = wanted.get("closes_at", locked.closes_at)
        if ("opens_at" in wanted or "closes_at" in wanted) and opens and closes and not opens < closes:
            raise ConfigError(_("结束时间须晚于开始时间（现为 %(opens)s 至 %(closes)s）。")
                              % {"opens": shown(locked, "opens_at", opens),
                                 "closes": shown(locked, "closes_at", closes)})
        before_criteria = current_criteria(locked)
        new_criteria = None
        if criteria is not None:
            new_criteria = clean_criteria(criteria)
            if _same_criteria(before_criteria, new_criteria):
                new_criteria = None
            elif CRITERIA in reasons:
                _refuse_locked(locked, CRITERIA, reasons)
        change = Change(changed=[name for name in FIELDS if name in wanted])
        if new_criteria is not None:
            change.changed.append(CRITERIA)
        if not change.changed:
            return change
        parts, before, after = [], {}, {}
        for name in FIELDS:
            if name not in wanted:
                continue
            if name == "note":
                parts.append(_("说明已修改"))
            else:
                was, now = shown(locked, name), shown(locked, name, wanted[name])
                parts.append(f"{field_label(name)}：{was} → {now}")
                before[name], after[name] = was, now
            setattr(locked, name, wanted[name])
        if wanted:
            locked.save(update_fields=list(wanted))
        if new_criteria is not None:
            locked.criteria.all().delete()
            RoundCriterion.objects.bulk_create([
                RoundCriterion(round=locked, key=s.key, label=s.label, weight=s.weight, scale_max=s.scale_max,
                               description=s.description, position=i)
                for i, s in enumerate(new_criteria, start=1)
            ])
            was, now = _criteria_words(before_criteria), _criteria_words(new_criteria)
            parts.append(f"{field_label(CRITERIA)}：{was} → {now}")
            before[CRITERIA], after[CRITERIA] = was, now
        change.notes = _notes(locked, wanted, new_criteria)
        log.record(locked.campaign, "round_settings",
                   _("「%(label)s」设置已修改：") % {"label": locked.label} + "；".join(parts),
                   actor=by, round=locked, changed=change.changed, before=before, after=after)
    round_.refresh_from_db()
    return change


def _notes(round_: ReviewRound, wanted: dict[str, Any], criteria: list[CriterionSpec] | None) -> list[str]:
    """What the organiser should know about a change they just made."""
    notes = []
    if round_.status == ReviewRound.Status.OPEN:
        if "reviewers_per_work" in wanted:
            notes.append(_("每件作品的评审专家人数将在下一次「自动分配作品」时生效，已有的分配不变。"))
        if wanted.get("blind") is True:
            notes.append(_("本轮在评审开始后才改为匿名评审：评审专家此前可能已经看到报送单位。"))
        if wanted.get("blind") is False:
            notes.append(_("本轮不再匿名：评审专家现在能看到报送单位和主创人员。"))
    if round_.status == ReviewRound.Status.CLOSED and wanted:
        notes.append(_("评分本身没有改动，只是排名按新的设置计算。"))
    if criteria == []:
        notes.append(_("本轮不设评分项：评审专家给出百分制综合评分。"))
    return notes


# ---------------------------------------------------------------------------
# Adding and removing rounds


def _round_key(campaign: Campaign, position: int) -> str:
    taken = set(ReviewRound.objects.filter(campaign=campaign).values_list("key", flat=True))
    n = position
    while f"round{n}" in taken:
        n += 1
    return f"round{n}"


def add_round(campaign: Campaign, label: str = "", *, by: Any) -> ReviewRound:
    """A new draft round after the last, taking the works the last one advances, judged as it was.

    It copies the last round's criteria, switches and method, since a further round is most
    often judged like the one before; the organiser then changes what differs. The campaign
    is locked while the round is made, so two organisers adding at once get two keys.
    """
    rounds_for(campaign)
    label = clean_line(label or "", field_label("label"), limit=MAX_LABEL, required=False)
    with transaction.atomic():
        Campaign.objects.select_for_update().get(pk=campaign.pk)
        if released(campaign):
            raise ConfigError(_("本活动的评审结果已经公布，不能再增加评审轮次。"))
        existing = list(ReviewRound.objects.filter(campaign=campaign).order_by("position", "pk"))
        if len(existing) >= MAX_ROUNDS:
            raise ConfigError(_("每个活动最多 %(max)s 轮评审。") % {"max": MAX_ROUNDS})
        last = existing[-1] if existing else None
        top = ReviewRound.objects.filter(campaign=campaign).aggregate(top=Max("position"))["top"]
        position = (top or 0) + 1
        label = label or _("第%(n)s轮评审") % {"n": len(existing) + 1}
        made = ReviewRound.objects.create(
            campaign=campaign, key=_round_key(campaign, len(existing) + 1), label=label, position=position,
            entry=ReviewRound.Entry.ADVANCED if last else ReviewRound.Entry.PASSED,
            **({name: getattr(last, name) for name in (
                "blind", "others_scores", "comment_required", "reviewers_change_state", "method",
                "reviewers_per_work", "disagreement_threshold")} if last else {}),
        )
        copied = current_criteria(last) if last else []
        RoundCriterion.objects.bulk_create([
            RoundCriterion(round=made, key=s.key, label=s.label, weight=s.weight, scale_max=s.scale_max,
                           description=s.description, position=i)
            for i, s in enumerate(copied, start=1)
        ])
        log.record(campaign, "round_settings",
                   _("增加了评审轮次「%(label)s」（取上一轮晋级的作品，评分项同「%(last)s」）")
                   % {"label": made.label, "last": last.label if last else ""},
                   actor=by, round=made, changed=["added"], key=made.key)
    return made


def removal_refusal(round_: ReviewRound) -> str | None:
    """Why the round cannot be removed now, or None when it can.

    Only a round that has not begun and has nobody assigned goes, so nothing in it can be lost;
    the campaign keeps at least one round; and the round that would become the first must be
    able to start on its own (it cannot take the advanced works of a round that is gone).
    """
    if round_.status != ReviewRound.Status.DRAFT:
        return _("「%(label)s」已经开始，不能删除。") % {"label": round_.label}
    if round_.assignments.exists():
        return _("「%(label)s」已有评审分配，不能删除。请先取消分配。") % {"label": round_.label}
    others = list(ReviewRound.objects.filter(campaign_id=round_.campaign_id).exclude(pk=round_.pk)
                  .order_by("position", "pk"))
    if not others:
        return _("「%(label)s」是本活动唯一的评审轮次，不能删除。") % {"label": round_.label}
    if is_first(round_) and others[0].entry == ReviewRound.Entry.ADVANCED:
        return (_("删除后「%(next)s」将成为第一轮，但它取的是上一轮晋级的作品。"
                  "请先把「%(next)s」的参评作品改为形式审查通过的作品。") % {"next": others[0].label})
    return None


def remove_round(round_: ReviewRound, *, by: Any) -> None:
    """Removes a round when removal_refusal allows, under the campaign's lock and the round's."""
    with transaction.atomic():
        Campaign.objects.select_for_update().get(pk=round_.campaign_id)
        locked = (ReviewRound.objects.select_for_update().select_related("campaign")
                  .filter(pk=round_.pk).first())
        if locked is None:
            raise ConfigError(_("这一轮已经删除。"))
        refusal = removal_refusal(locked)
        if refusal:
            raise ConfigError(refusal)
        log.record(locked.campaign, "round_settings",
                   _("删除了评审轮次「%(label)s」") % {"label": locked.label}, actor=by, round=None,
                   changed=["removed"], key=locked.key, label=locked.label)
        locked.delete()

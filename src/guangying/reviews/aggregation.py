"""The scores of one review round: totals, aggregation, disagreement, ranking, advancing.

Pure Python (no Django), so the web application, the .xlsx export and the tests read
the same numbers. Plain data in (``Score`` records and the round's criteria), a
``RoundResult`` out, whose rows the pages and the export can show as they are.

Numbers
    Scores are entered with at most one decimal and weights are short decimals, so
    every number is read through its decimal text (a float 8.1 becomes 81/10, not
    8.0999…) into an exact ``Fraction``. Totals, means, medians and trimmed means are
    exact; only square roots (standard deviations, hence z-scores) are approximated,
    with ``SQRT_DIGITS`` significant digits. Every comparison — ranking, tie rules,
    the disagreement threshold, the advancing threshold — is made on the unrounded
    value rounded to ``COMPARE_PLACES`` decimal places: far below what a jury can
    score, far above the error of a square root, so no order flips and no tie
    splits on arithmetic noise. Values are displayed at ``DISPLAY_PLACES`` decimals,
    rounded half up (四舍五入), as ``Decimal``.

A review's total
    Σ weight·value/scale_max ÷ Σ weight × 100, on a 0–100 scale whatever the
    criteria's scales. A review that lacks a criterion is incomplete: it does not
    count, and its work's row says which reviewer lacks which criterion.

Methods (``RoundSettings.method``)
    ``mean``; ``median`` (an even count takes the mean of the two middle values);
    ``trimmed`` (去掉一个最高分和一个最低分: with three or more complete reviews exactly
    one highest and one lowest are dropped, even when several share the mark; with
    fewer there is nothing to drop, the plain mean is taken and the row says so);
    ``zscore`` (each reviewer's totals are standardised over the works they
    completed, then mapped back onto the 0–100 scale with the round's pooled mean
    and standard deviation, so that a harsh or a lenient reviewer weighs like the
    others; a reviewer with a single complete review, or who gave every work the
    same total, cannot be standardised: their raw totals are kept — the same as
    standardising them against the pool and mapping back — and the rows and the
    reviewer's line say so). Mapped values may fall slightly outside 0–100; they
    are not clipped, since clipping would invent ties. Standard deviations are
    population deviations: they describe the marks given, they estimate nothing.

Per work, the minimum, maximum, spread, standard deviation and median are taken
over every complete review, on the scale the aggregate is on (normalised values
under ``zscore``, raw totals otherwise), so that a trimmed-away extreme still shows
and the tie rules compare what the table shows; under ``zscore`` the table's
headings say these are standardised values (标准化后). The disagreement flag is
always taken on the raw totals, the marks the reviewers gave: its threshold is
points of those marks (the round's 「分歧提示阈值（百分制）」), and the organiser
checks a flagged work against the score sheets, where only the marks given stand.
Under ``zscore`` its notes say the totals are those before standardising.

Criteria
    Each criterion is aggregated like the total, on 0–100 (``WorkRow.criteria``, what
    the tie rules compare) and on its own scale (``WorkRow.points``: 8.60 of a 10-point
    criterion, the scale the reviewers marked it on, which ``RoundResult.table`` shows
    with ``points=True``).

Ranking
    By aggregate, higher first; equal aggregates are separated by the tie rules in
    ``RoundSettings.tie_rules``, in order (default: more complete reviews, higher
    median, then each criterion in turn by weight, heavier first, aggregated with the
    round's method). Works still equal share a rank (competition ranking 1, 2, 2, 4)
    and are flagged ``tied``. No tie is ever broken by id or title: rows of one rank
    are listed by id for a stable display only, and the notes say so.

Advancing
    The top N (``top``) or those at or above a threshold (``at_least``), or both (a
    work must meet both). A tie across the cut-off of the top N is not broken: all
    the tied works advance, and the result reports how far N was exceeded, so the
    organiser can decide (复议) instead of the arithmetic. Works without a complete
    review never advance and are listed as such.

Determinism: inputs are validated and then read in a sorted order, never in the
order given, so shuffling the records changes nothing. Work and reviewer ids may be
ints or strings (any mix); they are ordered ints first, then strings.

Messages meant for organisers are the Chinese strings in ``MESSAGES``, referred to
by code in ``Note`` objects, so the Django layer can translate them in one place. The
notes call works, reviewers and criteria by the ``Names`` given to ``aggregate_round``
(titles and names; ids and keys when none are given). A
parameter made of this module's own words (a method's name, tie rules) is passed as
``Words`` and a list as a tuple: the note keeps their codes and items beside the
Chinese text, so that those words and the list's separator can be translated too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction
from typing import Any, Literal, Protocol

__all__ = [
    "CELLS",
    "COLUMNS",
    "COMPARE_PLACES",
    "DEFAULT_DISAGREEMENT",
    "DEFAULT_TIE_RULES",
    "DISPLAY_PLACES",
    "MESSAGES",
    "METHODS",
    "METHOD_LABELS",
    "NO_NAMES",
    "OVERALL",
    "TIE_RULES",
    "TIE_RULE_LABELS",
    "VOCABULARIES",
    "WORDS",
    "AggregationError",
    "Criterion",
    "IncompleteReview",
    "Names",
    "Note",
    "ReviewLine",
    "ReviewerRow",
    "RoundResult",
    "RoundSettings",
    "Score",
    "Words",
    "WorkRow",
    "advance",
    "aggregate_round",
    "display",
    "mean",
    "median",
    "population_sd",
    "trimmed_mean",
    "weighted_total",
    "with_marks",
]

WorkId = Hashable
ReviewerId = Hashable
Number = int | float | Decimal | Fraction | str
Method = Literal["mean", "median", "trimmed", "zscore"]
TieRule = Literal["reviews", "median", "criteria", "min", "spread"]

METHODS: tuple[str, ...] = ("mean", "median", "trimmed", "zscore")
TIE_RULES: tuple[str, ...] = ("reviews", "median", "criteria", "min", "spread")
DEFAULT_TIE_RULES: tuple[str, ...] = ("reviews", "median", "criteria")
DEFAULT_DISAGREEMENT = 20
DISPLAY_PLACES = 2
COMPARE_PLACES = 9
SQRT_DIGITS = 50

_COMPARE_SCALE = 10**COMPARE_PLACES
_DISPLAY_SCALE = 10**DISPLAY_PLACES

# --------------------------------------------------------------------------
# Everything an organiser may read, in one place

#: The same names as the round's own setting (``ReviewRound.Method``): one name per method everywhere.
METHOD_LABELS: dict[str, str] = {
    "mean": "平均分",
    "median": "中位数",
    "trimmed": "去掉一个最高分和一个最低分后的平均分",
    "zscore": "按评审专家标准化（z 分数）",
}

TIE_RULE_LABELS: dict[str, str] = {
    "reviews": "有效评审份数多者在前",
    "median": "中位数高者在前",
    "criteria": "按权重从高到低逐项比较评分项",
    "min": "最低分高者在前",
    "spread": "分差小者在前",
}

#: Words of the messages that are not a label of their own: "无" stands for an empty list of tie rules.
WORDS: dict[str, str] = {"none": "无"}

MESSAGES: dict[str, str] = {
    # rows
    "no_complete_review": "没有完整的评审，不参与排名。",
    "not_submitted": "评委{reviewer}尚未评分，不计入。",
    "incomplete_review": "评委{reviewer}的评分不完整（缺：{missing}），不计入。",
    "trimmed_dropped": "去掉一个最高分 {high}（评委{high_reviewer}）"
    "和一个最低分 {low}（评委{low_reviewer}）。",
    "trimmed_too_few": "有效评审只有 {count} 份，不足 3 份，无法去掉一个最高分和一个最低分，按算术平均计。",
    "zscore_single": "评委{reviewer}只完整评审了 1 件作品，无法按其打分习惯标准化，按原始分计。",
    "zscore_flat": "评委{reviewer}给所评 {count} 件作品的总分完全相同，无法标准化，按原始分计。",
    "disagreement_spread": "评委意见分歧：最高分与最低分相差 {spread} 分，超过 {threshold} 分。",
    "disagreement_outlier": "评委意见分歧：评委{reviewer}的 {value} 分"
    "与其他评委的平均分 {others} 相差 {difference} 分，超过 {threshold} 分。",
    "disagreement_spread_raw": "评委意见分歧：评委给出的总分（标准化前）最高与最低相差 {spread} 分，"
    "超过 {threshold} 分。",
    "disagreement_outlier_raw": "评委意见分歧：评委{reviewer}给出的总分（标准化前）{value} 分"
    "与其他评委的平均分 {others} 相差 {difference} 分，超过 {threshold} 分。",
    "tied": "与作品{works}并列第 {rank} 名：总分相同，依次比较（{rules}）后仍相同；"
    "同名次内按编号列出，不分先后。",
    "tie_broken_before": "总分与作品{works}相同，依「{rule}」排在作品{other}之前。",
    "tie_broken_after": "总分与作品{works}相同，依「{rule}」排在作品{other}之后。",
    "display_equal": "显示的总分与作品{works}同为 {value}，名次按未四舍五入的分数排定。",
    # the round
    "method": "计分方法：{method}。",
    "zscore_pooled": "各评委的总分先按其本人所评作品标准化，"
    "再按全轮平均分 {mean}、标准差 {sd} 换算回百分制。",
    "zscore_reviewers_raw": "无法标准化、按原始分计的评委：{reviewers}。",
    # advancing
    "advance_top": "晋级前 {top} 名：共 {count} 件。",
    "advance_at_least": "晋级分数线 {threshold} 分（按未四舍五入的分数比较）：共 {count} 件。",
    "advance_both": "晋级前 {top} 名中达到 {threshold} 分的作品：共 {count} 件。",
    "advance_exceeded": "第 {rank} 名有 {tied} 件作品并列，跨过前 {top} 名的名额线，一并晋级：共 {count} 件，"
    "超出名额 {extra} 件，请主办方决定是否复议。",
    "advance_short": "可排名的作品只有 {count} 件，不足名额 {top} 件。",
    "advance_unranked": "{count} 件作品没有完整的评审，不晋级：{works}。",
    "row_advance_tie": "与其他作品并列第 {rank} 名，跨过名额线，一并晋级。",
    "row_advance_no_review": "无排名，不晋级。",
    "row_advance_below_display": "显示为 {value} 分，"
    "但未四舍五入的分数低于晋级分数线 {threshold} 分，不晋级。",
    # errors in the data or the settings
    "error_no_criteria": "本轮没有评分项：请先设定评分项，或按综合评分（一项，满分 100）计分。",
    "error_duplicate_criterion": "评分项「{key}」重复。",
    "error_criterion_weight": "评分项「{key}」的权重应大于 0。",
    "error_criterion_scale": "评分项「{key}」的满分应为正整数。",
    "error_unknown_criterion": "评委{reviewer}对作品{work}的评分含有本轮未设定的评分项「{key}」。",
    "error_not_a_number": "评委{reviewer}对作品{work}的「{key}」评分「{value}」不是数字。",
    "error_out_of_range": "评委{reviewer}对作品{work}的「{key}」评分 {value} 超出 0—{scale_max} 分。",
    "error_duplicate_score": "评委{reviewer}对作品{work}有两份评分。",
    "error_method": "未知的计分方法「{method}」，应为 mean、median、trimmed 或 zscore。",
    "error_tie_rule": "未知的并列规则「{rule}」，应为 reviews、median、criteria、min 或 spread，且不重复。",
    "error_threshold": "{what}应为不小于 0 的数字，而不是「{value}」。",
    "error_top": "晋级名额应为正整数，而不是「{value}」。",
    "error_empty": "没有可计算的分数。",
}

#: Column headings of ``RoundResult.table``, and the words in its cells.
COLUMNS: dict[str, str] = {
    "rank": "名次",
    "tied": "并列",
    "work": "作品",
    "aggregate": "得分",
    "complete": "有效评审",
    "used": "计入平均",
    "median": "中位数",
    "minimum": "最低分",
    "maximum": "最高分",
    "spread": "分差",
    "sd": "标准差",
    "disagreement": "分歧",
    "advances": "晋级",
    "notes": "说明",
    # the advancing column of a campaign's last round, where the marks select works rather than advance them
    "selected": "入选",
    # after the headings of the columns a z-score round converts (the aggregate and its statistics)
    "standardised": "（标准化后）",
}
CELLS: dict[str, str] = {
    "tied": "并列",
    "disagreement": "有分歧",  # the column is 「分歧」, as the round's 「分歧提示阈值」
    "advances": "晋级",
    "stays": "未晋级",
    "selected": "入选",
    "not_selected": "未入选",
}
_COLUMNS_BEFORE = (
    "rank",
    "tied",
    "work",
    "aggregate",
    "complete",
    "used",
    "median",
    "minimum",
    "maximum",
    "spread",
    "sd",
)
_COLUMNS_AFTER = ("disagreement", "advances", "notes")
_CONVERTED = frozenset({"aggregate", "median", "minimum", "maximum", "spread", "sd"})  # zscore values

_WHAT = {"disagreement": "分歧阈值", "outlier": "单个评委偏离阈值", "at_least": "晋级分数线"}

#: The dicts a ``Words`` parameter takes its words from, by the name it gives.
VOCABULARIES: dict[str, Mapping[str, str]] = {
    "method": METHOD_LABELS,
    "tie_rule": TIE_RULE_LABELS,
    "what": _WHAT,
    "word": WORDS,
}
_LIST_SEPARATOR = "、"


@dataclass(frozen=True)
class Words:
    """A note's parameter made of this module's own words, by their codes in ``VOCABULARIES[vocabulary]``.

    Several codes are listed like a tuple parameter. The note keeps the codes (``Note.words``), so that
    a translating layer can put the same words in another language.
    """

    vocabulary: str
    codes: tuple[str, ...]

    @property
    def text(self) -> str:
        words = VOCABULARIES[self.vocabulary]
        return _LIST_SEPARATOR.join(words[c] for c in self.codes)


def _param(value: Any) -> str:
    if isinstance(value, Words):
        return value.text
    if isinstance(value, Fraction | Decimal):
        return str(display(value))
    if isinstance(value, tuple | list):
        return _LIST_SEPARATOR.join(_param(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Note:
    """A message for the organiser, kept as a code and its parameters so it can be translated later.

    ``params`` are the parameters as rendered in Chinese. Beside them, not compared: ``words``, the
    parameters made of ``Words`` (name, vocabulary, codes), and ``items``, those that were lists (name,
    each item rendered), so that a translating layer can render both in another language.
    """

    code: str
    params: tuple[tuple[str, str], ...] = ()
    words: tuple[tuple[str, str, tuple[str, ...]], ...] = field(default=(), compare=False, repr=False)
    items: tuple[tuple[str, tuple[str, ...]], ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def of(cls, code: str, **params: Any) -> Note:
        words = tuple(sorted((k, v.vocabulary, v.codes) for k, v in params.items() if isinstance(v, Words)))
        items = tuple(
            sorted((k, tuple(_param(x) for x in v)) for k, v in params.items() if isinstance(v, tuple | list))
        )
        return cls(code, tuple(sorted((k, _param(v)) for k, v in params.items())), words, items)

    @property
    def text(self) -> str:
        return MESSAGES[self.code].format(**dict(self.params))

    def __str__(self) -> str:
        return self.text


class AggregationError(ValueError):
    """Scores or settings that cannot be aggregated; ``note`` carries the organiser's message."""

    def __init__(self, code: str, **params: Any) -> None:
        self.note = Note.of(code, **params)
        super().__init__(self.note.text)


# --------------------------------------------------------------------------
# Plain data in


class CriterionLike(Protocol):
    key: str
    weight: Any
    scale_max: Any


@dataclass(frozen=True)
class Criterion:
    """What the aggregation needs of ``rulesets.schema.Criterion`` (which may be passed instead)."""

    key: str
    weight: Number = 1
    scale_max: int = 10


#: One overall mark out of 100, for a round whose notice leaves judgement to the experts
#: (the Chongqing preset has no criteria).
OVERALL = Criterion(key="overall", weight=1, scale_max=100)


@dataclass(frozen=True)
class Score:
    """One reviewer's marks for one work; a criterion absent or None is not yet scored."""

    work: WorkId
    reviewer: ReviewerId
    values: Mapping[str, Number | None]


@dataclass(frozen=True, eq=False)
class Names:
    """What the organiser calls the works, the reviewers and the criteria, for the notes' words.

    The notes name a reviewer, a work or a missing criterion by what is given here (a work's title,
    say 「《一封家书》」, with its entrant where two works share a title); an id or a key without a
    name shows as itself. Only the notes' words change: no rank or number depends on a name.
    """

    works: Mapping[WorkId, str] = field(default_factory=dict)
    reviewers: Mapping[ReviewerId, str] = field(default_factory=dict)
    criteria: Mapping[str, str] = field(default_factory=dict)

    def work(self, work: WorkId) -> Any:
        return self.works.get(work, work)

    def reviewer(self, reviewer: ReviewerId) -> Any:
        return self.reviewers.get(reviewer, reviewer)

    def criterion(self, key: str) -> str:
        return self.criteria.get(key, key)


NO_NAMES = Names()


@dataclass(frozen=True)
class RoundSettings:
    """How a round turns marks into a ranking; thresholds are points on the 0–100 scale."""

    method: Method = "mean"
    disagreement: Number = DEFAULT_DISAGREEMENT
    # A reviewer further than this from the others' mean is flagged; None: the same as ``disagreement``.
    outlier: Number | None = None
    tie_rules: tuple[TieRule, ...] = DEFAULT_TIE_RULES  # type: ignore[assignment]
    top: int | None = None
    at_least: Number | None = None

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise AggregationError("error_method", method=self.method)
        rules = tuple(self.tie_rules)
        if len(set(rules)) != len(rules) or any(r not in TIE_RULES for r in rules):
            bad = next((r for r in rules if r not in TIE_RULES), None) or next(
                r for r in rules if rules.count(r) > 1
            )
            raise AggregationError("error_tie_rule", rule=bad)
        object.__setattr__(self, "tie_rules", rules)
        _threshold(self.disagreement, "disagreement")
        if self.outlier is not None:
            _threshold(self.outlier, "outlier")
        if self.at_least is not None:
            _threshold(self.at_least, "at_least")
        _top(self.top)


# --------------------------------------------------------------------------
# Plain data out


@dataclass(frozen=True)
class ReviewLine:
    """One complete review of a work, as counted."""

    reviewer: ReviewerId
    total: Decimal  # the raw weighted total, 0–100
    value: Decimal  # what entered the aggregate: the total, or its normalised value under zscore
    normalised: bool  # False when the reviewer could not be standardised (zscore), or for other methods
    dropped: Literal["high", "low"] | None = None  # trimmed away as the highest or the lowest mark


@dataclass(frozen=True)
class IncompleteReview:
    """A review that does not count yet: a criterion missing, or not submitted at all."""

    reviewer: ReviewerId
    missing: tuple[str, ...]  # criterion keys, in the round's order
    submitted: bool  # False: assigned (``expected``) but no record at all


@dataclass(frozen=True)
class WorkRow:
    """A work's line in the results table; Decimal values are rounded for display."""

    work: WorkId
    rank: int | None  # None: no complete review
    tied: bool
    aggregate: Decimal | None
    aggregate_exact: Fraction | None  # unrounded, for comparisons
    complete: int  # complete reviews, all of which count
    used: int  # of which enter the mean (the trimmed mean leaves out two)
    median: Decimal | None
    minimum: Decimal | None
    maximum: Decimal | None
    spread: Decimal | None
    sd: Decimal | None
    disagreement: bool
    outliers: tuple[ReviewerId, ...]
    criteria: tuple[tuple[str, Decimal], ...]  # each criterion aggregated like the total, 0–100
    reviews: tuple[ReviewLine, ...]
    incomplete: tuple[IncompleteReview, ...]
    decided_by: str | None  # the tie rule that put it below a work with the same aggregate
    notes: tuple[Note, ...]
    advances: bool | None = None  # None: no advancing rule applied
    advance_notes: tuple[Note, ...] = ()
    points: tuple[tuple[str, Decimal], ...] = ()  # each criterion like ``criteria``, on its own scale

    @property
    def all_notes(self) -> tuple[Note, ...]:
        return self.notes + self.advance_notes


@dataclass(frozen=True)
class ReviewerRow:
    """How a reviewer marked this round: the organiser's view of harsh and lenient reviewers."""

    reviewer: ReviewerId
    complete: int
    incomplete: int
    mean: Decimal | None  # of their complete totals
    sd: Decimal | None
    normalised: bool | None  # None: not a zscore round
    note: Note | None


@dataclass(frozen=True)
class RoundResult:
    """Everything the organiser's table and the export show for one round."""

    settings: RoundSettings
    criteria: tuple[str, ...]
    rows: tuple[WorkRow, ...]  # ranked rows by rank (one rank listed by id), then unranked by id
    reviewers: tuple[ReviewerRow, ...]
    notes: tuple[Note, ...]
    pooled_mean: Decimal | None = None  # zscore only
    pooled_sd: Decimal | None = None
    advancing: tuple[WorkId, ...] = ()
    advance_notes: tuple[Note, ...] = ()
    exceeded_by: int = 0  # works advancing beyond ``top`` because of a tie at the cut-off
    names: Names = field(default=NO_NAMES, compare=False, repr=False)  # the notes' words for ids

    @property
    def method(self) -> str:
        return self.settings.method

    @property
    def ranked(self) -> tuple[WorkRow, ...]:
        return tuple(r for r in self.rows if r.rank is not None)

    @property
    def unranked(self) -> tuple[WorkRow, ...]:
        return tuple(r for r in self.rows if r.rank is None)

    def row(self, work: WorkId) -> WorkRow:
        for r in self.rows:
            if r.work == work:
                return r
        raise KeyError(work)

    @property
    def all_notes(self) -> tuple[Note, ...]:
        return self.notes + self.advance_notes

    def table(
        self,
        *,
        works: Mapping[WorkId, str] | None = None,
        criteria: Mapping[str, str] | None = None,
        columns: Mapping[str, str] | None = None,
        cells: Mapping[str, str] | None = None,
        notes: Callable[[Sequence[Note]], str] | None = None,
        points: bool = False,
        final: bool = False,
    ) -> tuple[tuple[str, ...], tuple[tuple[Any, ...], ...]]:
        """The results as a header and rows of plain cells (str, int, Decimal), for a page or a sheet.

        ``works`` and ``criteria`` give the titles and labels to show instead of ids and keys.
        ``columns`` and ``cells`` replace the words of ``COLUMNS`` and ``CELLS`` (a key they lack keeps
        its Chinese word) and ``notes`` makes the notes' cell from a row's notes, so that a translating
        layer can give the same table in another language; by default, the Chinese.

        ``points``: each criterion on its own scale (8.60 of a 10-point criterion) rather than on 0–100,
        the scale the reviewers marked it on; the labels in ``criteria`` should then say the scale.
        ``final``: the campaign's last round, whose marks select works (入选 / 未入选) rather than
        advance them. In a z-score round the headings of the aggregate and of its statistics say
        that they are standardised values (``COLUMNS["standardised"]``), not marks anyone gave.
        """
        works = works or {}
        criteria = criteria or {}
        columns = {**COLUMNS, **(columns or {})}
        cells = {**CELLS, **(cells or {})}
        notes_cell = notes or _notes_cell
        converted = self.method == "zscore"

        def heading(c: str) -> str:
            if c == "advances" and final:
                return columns["selected"]
            return columns[c] + (columns["standardised"] if converted and c in _CONVERTED else "")

        yes, no = ("selected", "not_selected") if final else ("advances", "stays")
        header = (
            *(heading(c) for c in _COLUMNS_BEFORE),
            *(criteria.get(k, k) for k in self.criteria),
            *(heading(c) for c in _COLUMNS_AFTER),
        )
        rows = []
        for r in self.rows:
            by_key = dict(r.points if points else r.criteria)
            rows.append(
                (
                    "" if r.rank is None else r.rank,
                    cells["tied"] if r.tied else "",
                    works.get(r.work, str(r.work)),
                    _cell(r.aggregate),
                    r.complete,
                    r.used,
                    _cell(r.median),
                    _cell(r.minimum),
                    _cell(r.maximum),
                    _cell(r.spread),
                    _cell(r.sd),
                    *(_cell(by_key.get(k)) for k in self.criteria),
                    cells["disagreement"] if r.disagreement else "",
                    "" if r.advances is None else cells[yes if r.advances else no],
                    notes_cell(r.all_notes),
                )
            )
        return header, tuple(rows)


def _cell(value: Decimal | None) -> Decimal | str:
    return "" if value is None else value


def _notes_cell(notes: Sequence[Note]) -> str:
    return "；".join(n.text.rstrip("。") for n in notes)


# --------------------------------------------------------------------------
# Numbers


def _fraction(value: Any) -> Fraction | None:
    """An exact value through its decimal text; None for what is not a finite number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(Decimal(repr(value))) if math.isfinite(value) else None
    if isinstance(value, Decimal | str):
        try:
            d = Decimal(value.strip()) if isinstance(value, str) else value
        except InvalidOperation:
            return None
        return Fraction(d) if d.is_finite() else None
    return None


def _threshold(value: Any, what: str) -> Fraction:
    f = _fraction(value)
    if f is None or f < 0:
        raise AggregationError("error_threshold", what=Words("what", (what,)), value=value)
    return f


def _top(value: Any) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise AggregationError("error_top", value=value)


def _key(value: Fraction) -> int:
    """The comparison value: rounded (half even, exactly) to COMPARE_PLACES decimals."""
    return round(value * _COMPARE_SCALE)


def display(value: Fraction | Decimal | int) -> Decimal:
    """Rounded half up (四舍五入, away from zero) to DISPLAY_PLACES decimals, exactly."""
    f = Fraction(value)
    scaled = abs(f) * _DISPLAY_SCALE
    units = math.floor(scaled + Fraction(1, 2))
    if f < 0:
        units = -units
    return Decimal(units).scaleb(-DISPLAY_PLACES)


def _sqrt(value: Fraction) -> Fraction:
    if value == 0:
        return Fraction(0)
    with localcontext() as ctx:
        ctx.prec = SQRT_DIGITS
        root = (Decimal(value.numerator) / Decimal(value.denominator)).sqrt()
    return Fraction(root)


def _values(values: Iterable[Number]) -> list[Fraction]:
    out = []
    for v in values:
        f = _fraction(v)
        if f is None:
            raise AggregationError("error_not_a_number", reviewer="?", work="?", key="?", value=v)
        out.append(f)
    if not out:
        raise AggregationError("error_empty")
    return sorted(out)


def mean(values: Iterable[Number]) -> Fraction:
    """The exact arithmetic mean (summed in sorted order, though exact sums do not care)."""
    vs = _values(values)
    return sum(vs, Fraction(0)) / len(vs)


def median(values: Iterable[Number]) -> Fraction:
    """The middle value; for an even count, the mean of the two middle values."""
    vs = _values(values)
    n = len(vs)
    mid = n // 2
    return vs[mid] if n % 2 else (vs[mid - 1] + vs[mid]) / 2


def trimmed_mean(values: Iterable[Number]) -> Fraction:
    """去掉一个最高分和一个最低分: with n ≥ 3 exactly one of each is dropped; below three, the plain mean."""
    vs = _values(values)
    return mean(vs[1:-1]) if len(vs) >= 3 else mean(vs)


def _pvariance(vs: list[Fraction]) -> Fraction:
    m = sum(vs, Fraction(0)) / len(vs)
    return sum(((v - m) ** 2 for v in vs), Fraction(0)) / len(vs)


def population_sd(values: Iterable[Number]) -> Fraction:
    """Population standard deviation: it describes the marks given; one mark has deviation 0."""
    return _sqrt(_pvariance(_values(values)))


# --------------------------------------------------------------------------
# Criteria and totals


@dataclass(frozen=True)
class _Crit:
    key: str
    weight: Fraction
    scale: Fraction
    position: int


def _criteria(criteria: Iterable[CriterionLike]) -> tuple[_Crit, ...]:
    out: list[_Crit] = []
    seen: set[str] = set()
    for i, c in enumerate(criteria):
        key = str(c.key)
        if key in seen:
            raise AggregationError("error_duplicate_criterion", key=key)
        seen.add(key)
        weight = _fraction(c.weight)
        if weight is None or weight <= 0:
            raise AggregationError("error_criterion_weight", key=key)
        scale = c.scale_max
        if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
            raise AggregationError("error_criterion_scale", key=key)
        out.append(_Crit(key, weight, Fraction(scale), i))
    if not out:
        raise AggregationError("error_no_criteria")
    return tuple(out)


def _read(
    values: Mapping[str, Any], crits: tuple[_Crit, ...], work: Any, reviewer: Any, names: Names = NO_NAMES
) -> tuple[dict[str, Fraction], tuple[str, ...]]:
    """A review's marks, validated, and the criteria it lacks (in the round's order).

    ``work`` and ``reviewer`` are what an error calls them; ``names`` gives the criteria's labels.
    """
    known = {c.key for c in crits}
    for key in sorted(map(str, values)):
        if key not in known:
            raise AggregationError("error_unknown_criterion", reviewer=reviewer, work=work, key=key)
    marks: dict[str, Fraction] = {}
    missing: list[str] = []
    for c in crits:
        raw = values.get(c.key)
        if raw is None:
            missing.append(c.key)
            continue
        f = _fraction(raw)
        if f is None:
            raise AggregationError(
                "error_not_a_number", reviewer=reviewer, work=work, key=names.criterion(c.key), value=raw
            )
        if f < 0 or f > c.scale:
            raise AggregationError(
                "error_out_of_range",
                reviewer=reviewer,
                work=work,
                key=names.criterion(c.key),
                value=raw,
                scale_max=c.scale.numerator,  # a whole number of points
            )
        marks[c.key] = f
    return marks, tuple(missing)


def _total(marks: Mapping[str, Fraction], crits: tuple[_Crit, ...]) -> Fraction:
    weights = sum((c.weight for c in crits), Fraction(0))
    return sum((c.weight * marks[c.key] / c.scale for c in crits), Fraction(0)) / weights * 100


def weighted_total(values: Mapping[str, Number | None], criteria: Iterable[CriterionLike]) -> Fraction | None:
    """A review's total on 0–100 (Σ weight·value/scale_max ÷ Σ weight × 100); None when incomplete."""
    crits = _criteria(criteria)
    marks, missing = _read(values, crits, "?", "?")
    return None if missing else _total(marks, crits)


# --------------------------------------------------------------------------
# Aggregation


def _id_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, int) and not isinstance(value, bool):
        return (0, value)
    return (1, str(value))


@dataclass(frozen=True)
class _Reviewer:
    count: int
    mean: Fraction
    sd: Fraction
    normalised: bool


@dataclass(frozen=True)
class _Table:
    """One quantity (the total, or one criterion) over the complete reviews, aggregated per work."""

    used: dict[Any, dict[Any, Fraction]]  # work -> reviewer -> value entering the aggregate
    aggregate: dict[Any, Fraction]
    reviewers: dict[Any, _Reviewer]
    pooled: tuple[Fraction, Fraction] | None  # zscore: the round's mean and sd


def _aggregate_table(table: dict[Any, dict[Any, Fraction]], method: str) -> _Table:
    reviewers: dict[Any, _Reviewer] = {}
    pooled = None
    if method == "zscore":
        everything = sorted(v for per in table.values() for v in per.values())
        by_reviewer: dict[Any, list[Fraction]] = {}
        for per in table.values():
            for r, v in per.items():
                by_reviewer.setdefault(r, []).append(v)
        for r, vs in by_reviewer.items():
            var = _pvariance(vs)
            reviewers[r] = _Reviewer(
                len(vs), sum(vs, Fraction(0)) / len(vs), _sqrt(var), len(vs) >= 2 and var > 0
            )
        used: dict[Any, dict[Any, Fraction]] = {}
        if everything:
            pooled = (sum(everything, Fraction(0)) / len(everything), _sqrt(_pvariance(everything)))
            big_mean, big_sd = pooled
            for w, per in table.items():
                used[w] = {}
                for r, v in per.items():
                    st = reviewers[r]
                    used[w][r] = big_mean + big_sd * (v - st.mean) / st.sd if st.normalised else v
    else:
        used = table
    aggregate: dict[Any, Fraction] = {}
    for w, per in table.items():
        if not per:
            continue
        if method == "median":
            aggregate[w] = median(per.values())
        elif method == "trimmed":
            aggregate[w] = trimmed_mean(per.values())
        else:
            aggregate[w] = mean(used[w].values())
    return _Table(used, aggregate, reviewers, pooled)


@dataclass
class _Work:
    work: Any
    complete: dict[Any, Fraction] = field(default_factory=dict)  # reviewer -> raw total
    incomplete: list[IncompleteReview] = field(default_factory=list)
    aggregate: Fraction | None = None
    values: list[tuple[Any, Fraction]] = field(default_factory=list)  # (reviewer, used value), by reviewer
    median: Fraction | None = None
    minimum: Fraction | None = None
    maximum: Fraction | None = None
    criteria: tuple[Fraction, ...] = ()  # in tie order
    outliers: list[Any] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    rank: int | None = None
    tied: bool = False
    decided_by: str | None = None

    @property
    def spread(self) -> Fraction | None:
        return None if self.maximum is None or self.minimum is None else self.maximum - self.minimum


def _rule_key(w: _Work, rule: str) -> Any:
    if rule == "reviews":
        return len(w.complete)
    if rule == "median":
        return _key(w.median)  # type: ignore[arg-type]
    if rule == "criteria":
        return tuple(_key(c) for c in w.criteria)
    if rule == "min":
        return _key(w.minimum)  # type: ignore[arg-type]
    return -_key(w.spread)  # type: ignore[arg-type]  # "spread": smaller first


def aggregate_round(
    scores: Iterable[Any],
    criteria: Iterable[CriterionLike],
    settings: RoundSettings | None = None,
    *,
    works: Iterable[WorkId] = (),
    expected: Mapping[WorkId, Collection[ReviewerId]] | None = None,
    names: Names | None = None,
) -> RoundResult:
    """Aggregate one round's marks into a ranked table.

    ``scores``: ``Score`` records, or any objects with ``work``, ``reviewer`` and
    ``values`` (criterion key → mark; absent or None is missing). ``works``: every
    work of the round, so that works nobody scored are listed too. ``expected``: the
    assignment (work → reviewers), so that reviews not even started are reported
    as missing. ``names``: what the notes call the works, reviewers and criteria (ids and
    keys otherwise). If ``settings`` has ``top`` or ``at_least``, advancing is applied.
    """
    settings = settings or RoundSettings()
    names = names or NO_NAMES
    crits = _criteria(criteria)
    method = settings.method

    records: dict[tuple[Any, Any], tuple[dict[str, Fraction], tuple[str, ...]]] = {}
    for s in scores:
        pair = (s.work, s.reviewer)
        if pair in records:
            raise AggregationError(
                "error_duplicate_score", reviewer=names.reviewer(s.reviewer), work=names.work(s.work)
            )
        records[pair] = _read(s.values, crits, names.work(s.work), names.reviewer(s.reviewer), names)

    all_works = {*works, *(w for w, _ in records), *(expected or {})}
    rows: dict[Any, _Work] = {w: _Work(w) for w in all_works}
    all_reviewers = {r for _, r in records}
    for w, expected_reviewers in sorted((expected or {}).items(), key=lambda kv: _id_key(kv[0])):
        for r in sorted(expected_reviewers, key=_id_key):
            all_reviewers.add(r)
            if (w, r) not in records:
                rows[w].incomplete.append(IncompleteReview(r, tuple(c.key for c in crits), False))

    totals: dict[Any, dict[Any, Fraction]] = {w: {} for w in all_works}
    per_criterion: dict[str, dict[Any, dict[Any, Fraction]]] = {
        c.key: {w: {} for w in all_works} for c in crits
    }
    incomplete_by_reviewer: dict[Any, int] = {}
    for (w, r), (marks, missing) in sorted(
        records.items(), key=lambda kv: (_id_key(kv[0][0]), _id_key(kv[0][1]))
    ):
        if missing:
            rows[w].incomplete.append(IncompleteReview(r, missing, True))
            incomplete_by_reviewer[r] = incomplete_by_reviewer.get(r, 0) + 1
            continue
        totals[w][r] = _total(marks, crits)
        rows[w].complete[r] = totals[w][r]
        for c in crits:
            per_criterion[c.key][w][r] = marks[c.key] / c.scale * 100
    for row in rows.values():
        row.incomplete.sort(key=lambda i: _id_key(i.reviewer))
        for inc in row.incomplete:
            if inc.submitted:
                row.notes.append(
                    Note.of(
                        "incomplete_review",
                        reviewer=names.reviewer(inc.reviewer),
                        missing=tuple(names.criterion(k) for k in inc.missing),
                    )
                )
            else:
                row.notes.append(Note.of("not_submitted", reviewer=names.reviewer(inc.reviewer)))

    table = _aggregate_table(totals, method)
    tie_order = sorted(crits, key=lambda c: (-c.weight, c.position))
    crit_tables = {c.key: _aggregate_table(per_criterion[c.key], method) for c in crits}

    disagreement = _threshold(settings.disagreement, "disagreement")
    outlier = disagreement if settings.outlier is None else _threshold(settings.outlier, "outlier")
    dropped: dict[Any, dict[Any, str]] = {}
    for w, row in rows.items():
        if not row.complete:
            row.notes.insert(0, Note.of("no_complete_review"))
            continue
        row.aggregate = table.aggregate[w]
        row.values = sorted(table.used[w].items(), key=lambda kv: _id_key(kv[0]))
        vs = sorted(v for _, v in row.values)
        row.median = median(vs)
        row.minimum, row.maximum = vs[0], vs[-1]
        row.criteria = tuple(crit_tables[c.key].aggregate[w] for c in tie_order)
        if method == "trimmed":
            raw = sorted(row.complete.items(), key=lambda kv: (kv[1], _id_key(kv[0])))
            if len(raw) >= 3:
                (low_r, low), (high_r, high) = raw[0], raw[-1]
                dropped[w] = {low_r: "low", high_r: "high"}
                row.notes.append(
                    Note.of(
                        "trimmed_dropped",
                        high=high,
                        high_reviewer=names.reviewer(high_r),
                        low=low,
                        low_reviewer=names.reviewer(low_r),
                    )
                )
            else:
                row.notes.append(Note.of("trimmed_too_few", count=len(raw)))
        if method == "zscore":
            for r, _ in row.values:
                st = table.reviewers[r]
                if not st.normalised:
                    code = "zscore_single" if st.count == 1 else "zscore_flat"
                    row.notes.append(Note.of(code, reviewer=names.reviewer(r), count=st.count))
        _flag_disagreement(row, disagreement, outlier, names, raw=method == "zscore")

    ranked = _rank(rows, settings.tie_rules, names)
    unranked = sorted((r for r in rows.values() if r.aggregate is None), key=lambda r: _id_key(r.work))

    result = RoundResult(
        settings=settings,
        criteria=tuple(c.key for c in crits),
        rows=tuple(_row(r, table, dropped.get(r.work, {}), method, tie_order) for r in [*ranked, *unranked]),
        reviewers=_reviewer_rows(all_reviewers, totals, incomplete_by_reviewer, table, method, names),
        notes=_round_notes(settings, table, names),
        pooled_mean=display(table.pooled[0]) if table.pooled else None,
        pooled_sd=display(table.pooled[1]) if table.pooled else None,
        names=names,
    )
    if settings.top is not None or settings.at_least is not None:
        result = advance(result, top=settings.top, at_least=settings.at_least)
    return result


def _flag_disagreement(
    row: _Work, spread_limit: Fraction, outlier_limit: Fraction, names: Names, *, raw: bool
) -> None:
    """Flags a work whose reviewers' marks are far apart, or one reviewer far from the others.

    ``raw`` (a z-score round): judged on the totals the reviewers gave, not on their standardised
    values, and the notes say so. The threshold is the round's 「分歧提示阈值（百分制）」: points
    of the marks given, which the organiser finds again in the score sheets; a standardised spread
    is a number nobody gave. A reviewer harsher or more lenient than the others on a work is thus
    still flagged, though the ranking has already corrected for their habits.
    """
    vs = sorted(row.complete.items(), key=lambda kv: _id_key(kv[0])) if raw else row.values
    n = len(vs)
    if n < 2:
        return
    spread = max(v for _, v in vs) - min(v for _, v in vs)
    if _key(spread) > _key(spread_limit):
        code = "disagreement_spread_raw" if raw else "disagreement_spread"
        row.notes.append(Note.of(code, spread=spread, threshold=spread_limit))
    if n < 3:
        return  # with two reviews each is as far from the other as the spread says
    whole = sum((v for _, v in vs), Fraction(0))
    for r, v in vs:
        others = (whole - v) / (n - 1)
        difference = abs(v - others)
        if _key(difference) > _key(outlier_limit):
            row.outliers.append(r)
            row.notes.append(
                Note.of(
                    "disagreement_outlier_raw" if raw else "disagreement_outlier",
                    reviewer=names.reviewer(r),
                    value=v,
                    others=others,
                    difference=difference,
                    threshold=outlier_limit,
                )
            )


def _rank(rows: dict[Any, _Work], rules: tuple[str, ...], names: Names = NO_NAMES) -> list[_Work]:
    """Competition ranking on (aggregate, tie rules…); equal keys share a rank, listed by id."""
    ranked = sorted((r for r in rows.values() if r.aggregate is not None), key=lambda r: _id_key(r.work))

    def full(r: _Work) -> tuple[Any, ...]:
        return (_key(r.aggregate), *(_rule_key(r, rule) for rule in rules))  # type: ignore[arg-type]

    ranked.sort(key=full, reverse=True)  # stable: one rank stays in id order
    keys = [full(r) for r in ranked]
    for i, r in enumerate(ranked):
        r.rank = ranked[i - 1].rank if i and keys[i] == keys[i - 1] else i + 1

    blocks: list[list[int]] = []  # indexes of rows sharing a full key
    for i in range(len(ranked)):
        if i and keys[i] == keys[i - 1]:
            blocks[-1].append(i)
        else:
            blocks.append([i])
    for block in blocks:
        if len(block) > 1:
            for i in block:
                others = tuple(names.work(ranked[j].work) for j in block if j != i)
                ranked[i].tied = True
                ranked[i].notes.append(
                    Note.of(
                        "tied",
                        works=others,
                        rank=ranked[i].rank,
                        rules=Words("tie_rule", rules) if rules else Words("word", ("none",)),
                    )
                )
    for b in range(1, len(blocks)):
        above, below = blocks[b - 1], blocks[b]
        if keys[above[0]][0] != keys[below[0]][0]:
            continue
        rule = next(rules[k] for k in range(len(rules)) if keys[above[0]][k + 1] != keys[below[0]][k + 1])
        same = [j for j in range(len(ranked)) if keys[j][0] == keys[below[0]][0]]
        for i in below:
            ranked[i].decided_by = rule
            ranked[i].notes.append(
                Note.of(
                    "tie_broken_after",
                    works=tuple(names.work(ranked[j].work) for j in same if j != i),
                    rule=Words("tie_rule", (rule,)),
                    other=tuple(names.work(ranked[j].work) for j in above),
                )
            )
        for i in above:
            ranked[i].notes.append(
                Note.of(
                    "tie_broken_before",
                    works=tuple(names.work(ranked[j].work) for j in same if j != i),
                    rule=Words("tie_rule", (rule,)),
                    other=tuple(names.work(ranked[j].work) for j in below),
                )
            )
    shown: dict[Decimal, list[int]] = {}
    for i, r in enumerate(ranked):
        shown.setdefault(display(r.aggregate), []).append(i)  # type: ignore[arg-type]
    for value, idx in shown.items():
        if len({keys[i][0] for i in idx}) > 1:
            for i in idx:
                others = tuple(names.work(ranked[j].work) for j in idx if keys[j][0] != keys[i][0])
                ranked[i].notes.append(Note.of("display_equal", works=others, value=value))
    return ranked


def _row(w: _Work, table: _Table, dropped: Mapping[Any, str], method: str, tie_order: list[_Crit]) -> WorkRow:
    notes = tuple(w.notes)
    reviews = tuple(
        ReviewLine(
            reviewer=r,
            total=display(w.complete[r]),
            value=display(v),
            normalised=method == "zscore" and table.reviewers[r].normalised,
            dropped=dropped.get(r),  # type: ignore[arg-type]
        )
        for r, v in w.values
    )
    has = w.aggregate is not None
    return WorkRow(
        work=w.work,
        rank=w.rank,
        tied=w.tied,
        aggregate=display(w.aggregate) if has else None,  # type: ignore[arg-type]
        aggregate_exact=w.aggregate,
        complete=len(w.complete),
        used=len(w.complete) - 2 if method == "trimmed" and len(w.complete) >= 3 else len(w.complete),
        median=display(w.median) if has else None,  # type: ignore[arg-type]
        minimum=display(w.minimum) if has else None,  # type: ignore[arg-type]
        maximum=display(w.maximum) if has else None,  # type: ignore[arg-type]
        spread=display(w.spread) if has else None,  # type: ignore[arg-type]
        sd=display(_sqrt(_pvariance([v for _, v in w.values]))) if has else None,
        disagreement=any(n.code.startswith("disagreement_") for n in notes),
        outliers=tuple(w.outliers),
        criteria=_criteria_display(tie_order, w.criteria) if has else (),
        points=_criteria_display(tie_order, w.criteria, own_scale=True) if has else (),
        reviews=reviews,
        incomplete=tuple(w.incomplete),
        decided_by=w.decided_by,
        notes=notes,
    )


def _criteria_display(
    tie_order: list[_Crit], values: tuple[Fraction, ...], *, own_scale: bool = False
) -> tuple[tuple[str, Decimal], ...]:
    """Per-criterion aggregates in the round's order (the table's columns), not the tie order.

    On 0–100, or with ``own_scale`` on the criterion's own scale, converted exactly before rounding.
    """
    pairs = sorted(zip(tie_order, values, strict=True), key=lambda cv: cv[0].position)
    return tuple((c.key, display(v * c.scale / 100 if own_scale else v)) for c, v in pairs)


def _reviewer_rows(
    reviewers: set[Any],
    totals: dict[Any, dict[Any, Fraction]],
    incomplete: Mapping[Any, int],
    table: _Table,
    method: str,
    names: Names = NO_NAMES,
) -> tuple[ReviewerRow, ...]:
    out = []
    for r in sorted(reviewers, key=_id_key):
        vs = sorted(per[r] for per in totals.values() if r in per)
        normalised = None
        note = None
        if method == "zscore" and vs:
            st = table.reviewers[r]
            normalised = st.normalised
            if not st.normalised:
                note = Note.of(
                    "zscore_single" if st.count == 1 else "zscore_flat",
                    reviewer=names.reviewer(r),
                    count=st.count,
                )
        out.append(
            ReviewerRow(
                reviewer=r,
                complete=len(vs),
                incomplete=incomplete.get(r, 0),
                mean=display(mean(vs)) if vs else None,
                sd=display(population_sd(vs)) if vs else None,
                normalised=normalised,
                note=note,
            )
        )
    return tuple(out)


def _round_notes(settings: RoundSettings, table: _Table, names: Names = NO_NAMES) -> tuple[Note, ...]:
    notes = [Note.of("method", method=Words("method", (settings.method,)))]
    if settings.method == "zscore" and table.pooled:
        notes.append(Note.of("zscore_pooled", mean=table.pooled[0], sd=table.pooled[1]))
        left = [r for r in sorted(table.reviewers, key=_id_key) if not table.reviewers[r].normalised]
        raw = tuple(names.reviewer(r) for r in left)
        if raw:
            notes.append(Note.of("zscore_reviewers_raw", reviewers=raw))
    return tuple(notes)


# --------------------------------------------------------------------------
# Advancing


def with_marks(result: RoundResult, advancing: Collection[WorkId]) -> RoundResult:
    """The result with the advancing marks a round recorded, in place of any rule's.

    What was decided stands, not what a rule would decide now: the works in ``advancing`` advance
    (晋级, or 入选 in a last round), every other row does not, and the rule's notes are gone, since
    the marks may have been set by another rule, or changed by hand since.
    """
    chosen = set(advancing)
    rows = tuple(replace(r, advances=r.work in chosen, advance_notes=()) for r in result.rows)
    return replace(
        result,
        settings=replace(result.settings, top=None, at_least=None),
        rows=rows,
        advancing=tuple(r.work for r in rows if r.advances),
        advance_notes=(),
        exceeded_by=0,
    )


def advance(result: RoundResult, *, top: int | None = None, at_least: Number | None = None) -> RoundResult:
    """Mark who advances: the top N (all works tied at the cut-off included), those at or above
    ``at_least`` (compared unrounded), or both at once. Replaces any earlier advancing marks."""
    _top(top)
    line = None if at_least is None else _threshold(at_least, "at_least")
    if top is None and line is None:
        rows = tuple(replace(r, advances=None, advance_notes=()) for r in result.rows)
        return replace(
            result,
            settings=replace(result.settings, top=None, at_least=None),
            rows=rows,
            advancing=(),
            advance_notes=(),
            exceeded_by=0,
        )

    ranked = [r for r in result.rows if r.rank is not None]
    by_top = {r.work for r in ranked if top is None or r.rank <= top}  # type: ignore[operator]
    by_line = {
        r.work
        for r in ranked
        if line is None or _key(r.aggregate_exact) >= _key(line)  # type: ignore[arg-type]
    }
    chosen = by_top & by_line
    notes: list[Note] = []
    exceeded_by = 0
    straddling: set[Any] = set()
    if top is not None:
        within = [r for r in ranked if r.rank <= top]  # type: ignore[operator]
        if within and len(within) > top:
            last = within[-1].rank
            straddling = {r.work for r in within if r.rank == last}
            exceeded_by = len(within) - top
        if len(ranked) < top:
            notes.append(Note.of("advance_short", count=len(ranked), top=top))
    count = len(chosen)
    if top is not None and line is not None:
        notes.insert(0, Note.of("advance_both", top=top, threshold=line, count=count))
    elif top is not None:
        notes.insert(0, Note.of("advance_top", top=top, count=count))
    else:
        notes.insert(0, Note.of("advance_at_least", threshold=line, count=count))
    if exceeded_by and straddling & chosen:
        last_rank = next(r.rank for r in ranked if r.work in straddling)
        notes.append(
            Note.of(
                "advance_exceeded",
                rank=last_rank,
                tied=len(straddling),
                top=top,
                count=count,
                extra=exceeded_by,
            )
        )
    else:
        exceeded_by = 0
    unranked = [r.work for r in result.rows if r.rank is None]
    if unranked:
        works = tuple(result.names.work(w) for w in unranked)
        notes.append(Note.of("advance_unranked", count=len(unranked), works=works))

    rows = []
    for r in result.rows:
        row_notes: list[Note] = []
        if r.rank is None:
            row_notes.append(Note.of("row_advance_no_review"))
        elif r.work in chosen and exceeded_by and r.work in straddling:
            row_notes.append(Note.of("row_advance_tie", rank=r.rank))
        elif r.work in by_top and r.work not in by_line and line is not None and r.aggregate >= display(line):  # type: ignore[operator]
            row_notes.append(Note.of("row_advance_below_display", value=r.aggregate, threshold=line))
        rows.append(replace(r, advances=r.work in chosen, advance_notes=tuple(row_notes)))
    advancing = tuple(r.work for r in rows if r.advances)
    return replace(
        result,
        settings=replace(result.settings, top=top, at_least=at_least),
        rows=tuple(rows),
        advancing=advancing,
        advance_notes=tuple(notes),
        exceeded_by=exceeded_by,
    )

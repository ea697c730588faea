"""The organiser's words of the review's pure modules, translated: the one place gettext sees them.

``aggregation.py`` and ``assignment.py`` know nothing of Django, so their messages, labels and column
headings are Chinese strings in dicts, referred to by code (``Note.code``, ``Problem.code``,
``Shortfall.code``). Here each of them is written out again, the same Chinese as the msgid, so that
makemessages collects them and the English interface shows English once the catalogue has it; a test
holds the two copies to the same text. Parameters the pure modules render themselves are rendered again
here from the codes and items they keep beside the Chinese: a method's or a tie rule's name, why a
reviewer may not review a work, the reasons of an imbalance, the groups of reviewers, lists of names
(joined by the translated list separator).

Whatever the data, these functions never raise: a code unknown here, or a translation whose placeholders
do not fit, gives the pure module's own Chinese text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import aggregation, assignment

__all__ = [
    "AGGREGATION_MESSAGES",
    "ASSIGNMENT_MESSAGES",
    "CELLS",
    "COLUMNS",
    "METHOD_LABELS",
    "SOURCES",
    "TIE_RULE_LABELS",
    "WHAT",
    "WORDS",
    "cell_text",
    "column_label",
    "error_text",
    "method_label",
    "note_text",
    "notes_cell",
    "problem_text",
    "shortfall_text",
    "table",
    "tie_rule_label",
]

LIST_SEPARATOR = pgettext_lazy("list separator", "、")
CLAUSE_SEPARATOR = pgettext_lazy("clause separator", "；")
FULL_STOP = pgettext_lazy("full stop", "。")

# --------------------------------------------------------------------------
# aggregation.py

AGGREGATION_MESSAGES: dict[str, Promise] = {
    "no_complete_review": _("没有完整的评审，不参与排名。"),
    "not_submitted": _("评委{reviewer}尚未评分，不计入。"),
    "incomplete_review": _("评委{reviewer}的评分不完整（缺：{missing}），不计入。"),
    "trimmed_dropped": _(
        "去掉一个最高分 {high}（评委{high_reviewer}）和一个最低分 {low}（评委{low_reviewer}）。"
    ),
    "trimmed_too_few": _(
        "有效评审只有 {count} 份，不足 3 份，无法去掉一个最高分和一个最低分，按算术平均计。"
    ),
    "zscore_single": _("评委{reviewer}只完整评审了 1 件作品，无法按其打分习惯标准化，按原始分计。"),
    "zscore_flat": _("评委{reviewer}给所评 {count} 件作品的总分完全相同，无法标准化，按原始分计。"),
    "disagreement_spread": _("评委意见分歧：最高分与最低分相差 {spread} 分，超过 {threshold} 分。"),
    "disagreement_outlier": _(
        "评委意见分歧：评委{reviewer}的 {value} 分与其他评委的平均分 {others} 相差 {difference} 分，"
        "超过 {threshold} 分。"
    ),
    "disagreement_spread_raw": _(
        "评委意见分歧：评委给出的总分（标准化前）最高与最低相差 {spread} 分，超过 {threshold} 分。"
    ),
    "disagreement_outlier_raw": _(
        "评委意见分歧：评委{reviewer}给出的总分（标准化前）{value} 分与其他评委的平均分 {others} "
        "相差 {difference} 分，超过 {threshold} 分。"
    ),
    "tied": _(
        "与作品{works}并列第 {rank} 名：总分相同，依次比较（{rules}）后仍相同；同名次内按编号列出，"
        "不分先后。"
    ),
    "tie_broken_before": _("总分与作品{works}相同，依「{rule}」排在作品{other}之前。"),
    "tie_broken_after": _("总分与作品{works}相同，依「{rule}」排在作品{other}之后。"),
    "display_equal": _("显示的总分与作品{works}同为 {value}，名次按未四舍五入的分数排定。"),
    "method": _("计分方法：{method}。"),
    "zscore_pooled": _(
        "各评委的总分先按其本人所评作品标准化，再按全轮平均分 {mean}、标准差 {sd} 换算回百分制。"
    ),
    "zscore_reviewers_raw": _("无法标准化、按原始分计的评委：{reviewers}。"),
    "advance_top": _("晋级前 {top} 名：共 {count} 件。"),
    "advance_at_least": _("晋级分数线 {threshold} 分（按未四舍五入的分数比较）：共 {count} 件。"),
    "advance_both": _("晋级前 {top} 名中达到 {threshold} 分的作品：共 {count} 件。"),
    "advance_exceeded": _(
        "第 {rank} 名有 {tied} 件作品并列，跨过前 {top} 名的名额线，一并晋级：共 {count} 件，"
        "超出名额 {extra} 件，请主办方决定是否复议。"
    ),
    "advance_short": _("可排名的作品只有 {count} 件，不足名额 {top} 件。"),
    "advance_unranked": _("{count} 件作品没有完整的评审，不晋级：{works}。"),
    "row_advance_tie": _("与其他作品并列第 {rank} 名，跨过名额线，一并晋级。"),
    "row_advance_no_review": _("无排名，不晋级。"),
    "row_advance_below_display": _(
        "显示为 {value} 分，但未四舍五入的分数低于晋级分数线 {threshold} 分，不晋级。"
    ),
    "error_no_criteria": _("本轮没有评分项：请先设定评分项，或按综合评分（一项，满分 100）计分。"),
    "error_duplicate_criterion": _("评分项「{key}」重复。"),
    "error_criterion_weight": _("评分项「{key}」的权重应大于 0。"),
    "error_criterion_scale": _("评分项「{key}」的满分应为正整数。"),
    "error_unknown_criterion": _("评委{reviewer}对作品{work}的评分含有本轮未设定的评分项「{key}」。"),
    "error_not_a_number": _("评委{reviewer}对作品{work}的「{key}」评分「{value}」不是数字。"),
    "error_out_of_range": _("评委{reviewer}对作品{work}的「{key}」评分 {value} 超出 0—{scale_max} 分。"),
    "error_duplicate_score": _("评委{reviewer}对作品{work}有两份评分。"),
    "error_method": _("未知的计分方法「{method}」，应为 mean、median、trimmed 或 zscore。"),
    "error_tie_rule": _(
        "未知的并列规则「{rule}」，应为 reviews、median、criteria、min 或 spread，且不重复。"
    ),
    "error_threshold": _("{what}应为不小于 0 的数字，而不是「{value}」。"),
    "error_top": _("晋级名额应为正整数，而不是「{value}」。"),
    "error_empty": _("没有可计算的分数。"),
}

# The round's own names of its methods (ReviewRound.Method), as the settings page offers them.
METHOD_LABELS: dict[str, Promise] = {
    "mean": pgettext_lazy("scoring method", "平均分"),
    "median": pgettext_lazy("scoring method", "中位数"),
    "trimmed": pgettext_lazy("scoring method", "去掉一个最高分和一个最低分后的平均分"),
    "zscore": pgettext_lazy("scoring method", "按评审专家标准化（z 分数）"),
}

TIE_RULE_LABELS: dict[str, Promise] = {
    "reviews": _("有效评审份数多者在前"),
    "median": _("中位数高者在前"),
    "criteria": _("按权重从高到低逐项比较评分项"),
    "min": _("最低分高者在前"),
    "spread": _("分差小者在前"),
}

COLUMNS: dict[str, Promise] = {
    "rank": pgettext_lazy("results column", "名次"),
    "tied": pgettext_lazy("results column", "并列"),
    "work": pgettext_lazy("results column", "作品"),
    "aggregate": pgettext_lazy("results column", "得分"),
    "complete": pgettext_lazy("results column", "有效评审"),
    "used": pgettext_lazy("results column", "计入平均"),
    "median": pgettext_lazy("results column", "中位数"),
    "minimum": pgettext_lazy("results column", "最低分"),
    "maximum": pgettext_lazy("results column", "最高分"),
    "spread": pgettext_lazy("results column", "分差"),
    "sd": pgettext_lazy("results column", "标准差"),
    "disagreement": pgettext_lazy("results column", "分歧"),
    "advances": pgettext_lazy("results column", "晋级"),
    "notes": pgettext_lazy("results column", "说明"),
    "selected": pgettext_lazy("results column", "入选"),
    # Translators: put after the headings of standardised columns, e.g. 得分（标准化后）
    "standardised": pgettext_lazy("results column", "（标准化后）"),
}

CELLS: dict[str, Promise] = {
    "tied": pgettext_lazy("results cell", "并列"),
    "disagreement": pgettext_lazy("results cell", "有分歧"),
    "advances": pgettext_lazy("results cell", "晋级"),
    "stays": pgettext_lazy("results cell", "未晋级"),
    "selected": pgettext_lazy("results cell", "入选"),
    "not_selected": pgettext_lazy("results cell", "未入选"),
}

WHAT: dict[str, Promise] = {
    "disagreement": _("分歧阈值"),
    "outlier": _("单个评委偏离阈值"),
    "at_least": _("晋级分数线"),
}

WORDS: dict[str, Promise] = {
    "none": pgettext_lazy("no tie rules", "无"),
}

ASSIGNMENT_MESSAGES: dict[str, Promise] = {
    "short.unit": _("《{title}》只有 {n} 位评审专家可以评审（其余与报送单位有利益冲突），少于要求的 {k} 位"),
    "short.unit.none": _("《{title}》没有评审专家可以评审（评审专家都与报送单位有利益冲突），要求 {k} 位"),
    "short.declared": _(
        "《{title}》只有 {n} 位评审专家可以评审（其余申报了与该作品的利益冲突），少于要求的 {k} 位"
    ),
    "short.declared.none": _(
        "《{title}》没有评审专家可以评审（评审专家都申报了与该作品的利益冲突），要求 {k} 位"
    ),
    "short.mixed": _(
        "《{title}》只有 {n} 位评审专家可以评审（其余与报送单位或该作品有利益冲突），少于要求的 {k} 位"
    ),
    "short.mixed.none": _(
        "《{title}》没有评审专家可以评审（评审专家都与报送单位或该作品有利益冲突），要求 {k} 位"
    ),
    "short.reviewers": _(
        "《{title}》只有 {n} 位评审专家可以评审（本轮评审专家共 {n} 位），少于要求的 {k} 位"
    ),
    "short.reviewers.none": _("《{title}》没有评审专家可以评审（本轮还没有评审专家），要求 {k} 位"),
    "short.capacity": _(
        "《{title}》只分配到 {n} 位评审专家，少于要求的 {k} 位（可以评审该作品的 {m} 位评审专家中，"
        "其余已达评审上限）"
    ),
    "capacity.total": _(
        "评审专家的评审上限合计 {capacity} 件次，少于需要的 {need} 件次，部分作品的评审专家不足"
    ),
    # Translators: {reasons} are the imbalance.* sentences below, joined by the clause separator “；”
    "imbalance": _(
        "评审任务未能均衡到相差不超过 1 件：评审专家的工作量在 {low} 至 {high} 件之间。原因：{reasons}。"
    ),
    "imbalance.capacity": _("{names}的评审上限为 {capacity} 件"),
    "imbalance.few": _("{names}只能评审 {n} 件作品（其余有利益冲突）"),
    "imbalance.locked": _("{names}有 {n} 件手动指定的作品"),
    "imbalance.structure": _("受利益冲突限制，{names}评审的作品不能改由工作量较少的评审专家评审"),
    # Translators: {groups} are disconnected.group sentences, joined by the clause separator “；”
    "disconnected": _(
        "评审专家分成了 {n} 组，组与组之间没有共同评审的作品，按评审专家校正评分（标准分）"
        "时各组不能相互比较：{groups}"
    ),
    "disconnected.group": _("第 {i} 组：{names}"),
    "disconnected.single": _(
        "每件作品只有 1 位评审专家，评审专家之间没有共同评审的作品，不能按评审专家校正评分（标准分）"
    ),
    "kept.conflict": _("《{title}》手动指定的评审专家{name}{why}，未予保留"),
    "current.conflict": _("《{title}》的评审专家{name}{why}，已取消这项分配"),
    "kept.over_capacity": _("{name}手动指定的作品有 {n} 件，超过其评审上限 {capacity} 件"),
    # Translators: the why.* fragments complete “{name}{why}” in kept.conflict, current.conflict
    # and change.conflict
    "why.own_unit": _("所在单位报送或参与了该作品"),
    "why.declared_unit": _("申报了与报送或参与该作品的单位有利益冲突"),
    "why.declared_work": _("申报了与该作品的利益冲突"),
    "change.unknown_work": _("作品（{work}）不在本轮评审中"),
    "change.unknown_reviewer": _("评审专家（{reviewer}）不在本轮评审中"),
    "change.conflict": _("{name}{why}，不能评审《{title}》"),
    "change.duplicate": _("{name}已在评审《{title}》"),
    "change.over_capacity": _("{name}的评审上限为 {capacity} 件，已分配 {n} 件"),
    "change.not_assigned": _("{name}没有评审《{title}》"),
    "change.over_k": _("《{title}》将有 {n} 位评审专家，多于要求的 {k} 位"),
    "change.under_k": _("《{title}》将只有 {n} 位评审专家，少于要求的 {k} 位"),
    "change.imbalance": _("调整后评审专家的工作量在 {low} 至 {high} 件之间，相差超过 1 件"),
    # Translators: {names} is a list of the first few names; {n} is how many there are in all
    "names.more": _("{names}等 {n} 位评审专家"),
}

_VOCABULARIES: dict[str, Mapping[str, Promise]] = {
    "method": METHOD_LABELS,
    "tie_rule": TIE_RULE_LABELS,
    "what": WHAT,
    "word": WORDS,
}

#: Pairs of (the pure module's dict, its translated copy here), for the test that they say the same.
SOURCES: tuple[tuple[Mapping[str, str], Mapping[str, Promise]], ...] = (
    (aggregation.MESSAGES, AGGREGATION_MESSAGES),
    (aggregation.METHOD_LABELS, METHOD_LABELS),
    (aggregation.TIE_RULE_LABELS, TIE_RULE_LABELS),
    (aggregation.COLUMNS, COLUMNS),
    (aggregation.CELLS, CELLS),
    (aggregation.VOCABULARIES["what"], WHAT),
    (aggregation.WORDS, WORDS),
    (assignment.MESSAGES, ASSIGNMENT_MESSAGES),
)

# What a translation with a placeholder of its own, or a malformed one, raises when it is filled.
_FILL_ERRORS = (LookupError, ValueError, TypeError, AttributeError)


def _label(translated: Mapping[str, Promise], pure: Mapping[str, str], code: str) -> str:
    if code in translated:
        return str(translated[code])
    return pure.get(code, code)


# --------------------------------------------------------------------------
# Notes of the aggregation


def _words(vocabulary: str, codes: Sequence[str]) -> str:
    """The words a ``aggregation.Words`` parameter stood for, translated; KeyError for an unknown code."""
    words = _VOCABULARIES[vocabulary]
    return str(LIST_SEPARATOR).join(str(words[code]) for code in codes)


def _pure_note(note: aggregation.Note) -> str:
    try:
        return note.text
    except _FILL_ERRORS:
        return str(note.code)


def note_text(note: aggregation.Note) -> str:
    """A note of the results in the active language (the module's Chinese for a code unknown here)."""
    template = AGGREGATION_MESSAGES.get(note.code)
    if template is None:
        return _pure_note(note)
    try:
        params: dict[str, Any] = dict(note.params)
        separator = str(LIST_SEPARATOR)
        for name, items in getattr(note, "items", ()):
            params[name] = separator.join(items)
        for name, vocabulary, codes in getattr(note, "words", ()):
            params[name] = _words(vocabulary, codes)
        return str(template).format_map(params)
    except _FILL_ERRORS:
        return _pure_note(note)


def error_text(error: aggregation.AggregationError) -> str:
    """An aggregation error's message in the active language."""
    return note_text(error.note)


def method_label(code: str) -> str:
    """The name of a scoring method ("mean", "median", "trimmed", "zscore")."""
    return _label(METHOD_LABELS, aggregation.METHOD_LABELS, code)


def tie_rule_label(code: str) -> str:
    """What a tie rule does ("reviews", "median", "criteria", "min", "spread")."""
    return _label(TIE_RULE_LABELS, aggregation.TIE_RULE_LABELS, code)


def column_label(key: str) -> str:
    """The heading of a column of the results table (a key of ``aggregation.COLUMNS``)."""
    return _label(COLUMNS, aggregation.COLUMNS, key)


def cell_text(key: str) -> str:
    """A word in a cell of the results table (a key of ``aggregation.CELLS``)."""
    return _label(CELLS, aggregation.CELLS, key)


def notes_cell(notes: Sequence[aggregation.Note]) -> str:
    """A row's notes in one cell, as ``RoundResult.table`` puts them: sentences without their full stop."""
    stop = str(FULL_STOP)
    return str(CLAUSE_SEPARATOR).join(note_text(n).rstrip(stop) for n in notes)


def table(
    result: aggregation.RoundResult,
    *,
    works: Mapping[Any, str] | None = None,
    criteria: Mapping[str, str] | None = None,
    points: bool = False,
    final: bool = False,
) -> tuple[tuple[str, ...], tuple[tuple[Any, ...], ...]]:
    """``result.table(works=, criteria=, points=, final=)`` with its headings, cell words and notes in the
    active language."""
    return result.table(
        works=works,
        criteria=criteria,
        columns={key: str(label) for key, label in COLUMNS.items()},
        cells={key: str(word) for key, word in CELLS.items()},
        notes=notes_cell,
        points=points,
        final=final,
    )


# --------------------------------------------------------------------------
# Problems and shortfalls of the assignment


def _names(items: Sequence[object], total: object) -> str:
    names = str(LIST_SEPARATOR).join(str(item) for item in items)
    if isinstance(total, int) and total > len(items):
        names = str(ASSIGNMENT_MESSAGES["names.more"]).format(names=names, n=total)
    return names


def _assignment_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters with the fragments the pure module pre-rendered rendered again, translated."""
    out = dict(params)
    why = params.get("why_code")
    if why is not None:
        out["why"] = str(ASSIGNMENT_MESSAGES[why])
    items = params.get("names_items")
    if items is not None:
        out["names"] = _names(items, params.get("names_total"))
    for key in ("reasons", "groups"):
        parts = params.get(f"{key}_parts")
        if parts is not None:
            out[key] = str(CLAUSE_SEPARATOR).join(_assignment_text(code, part) for code, part in parts)
    return out


def _assignment_text(code: str, params: Mapping[str, Any]) -> str:
    """MESSAGES[code] translated and filled; KeyError for a code unknown here."""
    return str(ASSIGNMENT_MESSAGES[code]).format_map(_assignment_params(params))


def problem_text(problem: assignment.Problem) -> str:
    """An assignment problem's message in the active language (its own message for a code unknown here)."""
    try:
        return _assignment_text(problem.code, problem.params)
    except _FILL_ERRORS:
        return problem.message


def shortfall_text(shortfall: assignment.Shortfall) -> str:
    """Why a work has fewer than k reviewers, in the active language (its own message when not known)."""
    code = getattr(shortfall, "code", "")
    if not code:
        return shortfall.message
    try:
        return _assignment_text(code, getattr(shortfall, "params", {}))
    except _FILL_ERRORS:
        return shortfall.message

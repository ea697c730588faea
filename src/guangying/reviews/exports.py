"""A round's score sheets and ranking, and the review's audit trail, as .xlsx workbooks for the organiser.

The organiser is not blind: even in a blind round these sheets name the entrant of every work,
so that the organiser can check a ranking against the units before publishing it. Reviewers
never reach them (the views take ``reviews.manage_reviews``).

Every cell goes through ``submissions.exports.sheet_cell``: a title or a comment typed as
「=HYPERLINK(…)」 stays text in Excel. Times are written as text in the campaign's own time
zone (「2026-11-30 14:05」), the way they are printed and signed, not as Excel dates that
a computer set to another zone would shift.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from guangying.campaigns.models import Campaign, CampaignRole
from guangying.submissions.exports import sheet_cell

from . import aggregation, services, wording
from .models import Assignment, ReviewRound, RoundCriterion, RoundWork, Score

if TYPE_CHECKING:
    from .audit_views import AuditEntry

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_NAME_MAX = 31
COLUMN_MIN, COLUMN_MAX = 6, 48  # column widths, in Excel's units (about one Latin character)
# The audit sheet's: time, kind, who, round, work, entrant, reviewer, points, text.
AUDIT_WIDTHS = (18, 18, 14, 10, 30, 30, 14, 34, 48)
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


# --------------------------------------------------------------------------
# Small pieces


def sheet_name(wanted: str, taken: set[str], fallback: str = "Sheet") -> str:
    """A name Excel accepts and no other sheet of the book has, added to ``taken``.

    At most 31 characters, none of []:*?/\\, not starting or ending with an apostrophe, not
    「History」 (Excel keeps it), unique without regard to case, as Excel compares them. A name
    already taken, or one that becomes so once cut to 31 characters, gets 「(2)」, 「(3)」… within
    the 31.
    """
    name = _NOT_IN_SHEET_NAMES.sub("", wanted or "").strip().strip("'").strip()
    if not name or name.casefold() == "history":
        name = fallback
    folded = {t.casefold() for t in taken}
    candidate = name[:SHEET_NAME_MAX].rstrip().rstrip("'") or fallback
    number = 1
    while candidate.casefold() in folded:
        number += 1
        suffix = f"({number})"
        candidate = name[:SHEET_NAME_MAX - len(suffix)].rstrip().rstrip("'") + suffix
    taken.add(candidate)
    return candidate


def local_text(when: datetime | None, campaign: Campaign) -> str:
    """A moment as the campaign's people read it: 「2026-11-30 14:05」 in its own time zone."""
    if when is None:
        return ""
    return timezone.localtime(when, campaign.rules.zone).strftime("%Y-%m-%d %H:%M")


def person(user: Any) -> str:
    if user is None:
        return ""
    return user.name or user.email


def xlsx_response(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    return response


def file_name(round_: ReviewRound, what: str) -> str:
    """「微光映同心-初审-评分表（按专家）.xlsx」: the campaign, the round and what the book holds."""
    campaign = round_.campaign
    return f"{campaign.rules.short_title or campaign.slug}-{round_.label}-{what}.xlsx"


def _book_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _append(sheet: Any, values: Sequence[Any], bold: bool = False) -> None:
    sheet.append([sheet_cell(sheet, value, bold=bold) for value in values])


def _text_width(value: Any) -> int:
    """How wide a value prints: a Chinese character takes two columns; the longest line counts."""
    if value is None or value == "":
        return 0
    lines = str(value).splitlines() or [""]
    return max(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in lines)


def _layout(sheet: Any, rows: Sequence[Sequence[Any]], *, header_row: int, freeze_columns: int = 0,
            widths: Sequence[int] = ()) -> None:
    """Column widths from the header and the rows, and the header frozen, before any row is written.

    A write-only sheet takes its widths and panes before its first row, so the rows are made first.
    Each column is as wide as its widest cell, within COLUMN_MIN and COLUMN_MAX (a longer text wraps:
    ``sheet_cell`` wraps text longer than 40 characters). The rows down to the header (``header_row``,
    counted from 1) and the first ``freeze_columns`` columns stay in view while scrolling; the header
    is repeated on every printed page. ``widths``, when given, are the columns' widths as they are.
    """
    wide: dict[int, int] = {}
    for row in rows:
        for index, value in enumerate(row, start=1):
            wide[index] = max(wide.get(index, 0), _text_width(value))
    for index, width in enumerate(widths, start=1):
        wide[index] = width - 2
    for index, width in wide.items():
        sheet.column_dimensions[get_column_letter(index)].width = min(COLUMN_MAX, max(COLUMN_MIN, width + 2))
    sheet.freeze_panes = f"{get_column_letter(freeze_columns + 1)}{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"


def criterion_heading(criterion: Any, standardised: bool = False) -> str:
    """「情感温度（10 分）」: a criterion with its own scale; in a z-score round, 「（10 分，标准化后）」."""
    said = {"label": criterion.label, "max": criterion.scale_max}
    return (_("%(label)s（%(max)s 分，标准化后）") if standardised else _("%(label)s（%(max)s 分）")) % said


def _number(text: Any) -> Decimal | str:
    """A stored point ("8.5") as a number for Excel; anything unreadable as it was stored."""
    if text in (None, ""):
        return ""
    try:
        return Decimal(str(text))
    except ArithmeticError:
        return str(text)


def _state(score: Score | None) -> str:
    if score is None:
        return _("未评")
    return _("已提交") if score.submitted_at else _("草稿")


def _total(score: Score | None, criteria: list[RoundCriterion]) -> Decimal | str:
    """A review's total on 0–100 as the ranking counts it; blank while a criterion is missing."""
    if score is None:
        return ""
    if not criteria:
        return "" if score.overall is None else score.overall
    try:
        total = aggregation.weighted_total(dict(score.values), criteria)
    except aggregation.AggregationError:
        return ""
    return "" if total is None else aggregation.display(total)


def _criteria_header(criteria: list[RoundCriterion]) -> list[str]:
    if not criteria:
        return [_("综合评分（100 分）")]
    return [criterion_heading(c) for c in criteria]


def _points(score: Score | None, criteria: list[RoundCriterion]) -> list[Any]:
    if not criteria:
        return ["" if score is None or score.overall is None else score.overall]
    values = dict(score.values) if score is not None else {}
    return [_number(values.get(c.key)) for c in criteria]


def _assignments(round_: ReviewRound) -> list[Assignment]:
    return list(Assignment.objects.filter(round=round_)
                .select_related("reviewer", "work__entrant", "score")
                .order_by("work_id", "pk"))


def _score(assignment: Assignment) -> Score | None:
    try:
        return assignment.score
    except Score.DoesNotExist:
        return None


# --------------------------------------------------------------------------
# The ranking


def ranking_workbook(round_: ReviewRound) -> bytes:
    """The round's ranking by its own method, as on the results page, with every column and the entrant.

    A title line (the campaign, the round, the method), then the table: each work's rank, score,
    statistics, each criterion on its own scale, the disagreement flag, the advancing marks the
    round recorded (入选 in the campaign's last round) and the notes, naming works and reviewers.
    """
    campaign = round_.campaign
    result = services.results(round_)
    zscore = result.method == ReviewRound.Method.ZSCORE
    entries = {e.work_id: e.work for e in round_.entries.select_related("work__entrant")}
    labels = {c.key: criterion_heading(c, zscore) for c in round_.criteria.all()}
    header, rows = wording.table(result, works={pk: w.title for pk, w in entries.items()}, criteria=labels,
                                 points=True, final=services.is_final(round_))
    at = header.index(wording.column_label("work")) + 1
    table = [[*header[:at], _("报送主体"), *header[at:]]]
    for result_row, row in zip(result.rows, rows, strict=True):
        work = entries.get(result_row.work)
        table.append([*row[:at], str(work.entrant) if work else "", *row[at:]])
    title = _("%(campaign)s · %(round)s · 评分排名 · 计分方法：%(method)s（得分为百分制）") % {
        "campaign": campaign.rules.short_title or campaign.title, "round": round_.label,
        "method": wording.method_label(result.method)}
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name(round_.label, set(), fallback=_("排名")))
    _layout(sheet, table, header_row=2, freeze_columns=at)
    _append(sheet, [title], bold=True)
    _append(sheet, table[0], bold=True)
    for line in table[1:]:
        _append(sheet, line)
    return _book_bytes(book)


# --------------------------------------------------------------------------
# Per reviewer


def reviewer_workbook(round_: ReviewRound) -> bytes:
    """One sheet per reviewer of the round: the works assigned to them, each criterion, the state.

    A sheet is what the reviewer signs: a line with the round and the reviewer (and their
    unit), the header, one row per assigned work with the points as saved (a draft too, marked
    草稿), the total on 0–100 as the ranking counts it, the comment, the state and the time the
    score was submitted; then a line for the signature. A round without assignments still gives
    a workbook: one sheet with the header.
    """
    campaign = round_.campaign
    criteria = list(round_.criteria.all())
    header = [_("序号"), _("作品名称"), _("报送主体"), *_criteria_header(criteria)]
    if criteria:
        header.append(_("总分（百分制）"))
    header += [_("评语"), _("状态"), _("提交时间"), _("最后保存时间")]
    units = dict(CampaignRole.objects.filter(campaign=campaign, role=CampaignRole.Role.REVIEWER)
                 .values_list("user_id", "unit_name"))
    by_reviewer: dict[int, list[Assignment]] = {}
    for a in _assignments(round_):
        by_reviewer.setdefault(a.reviewer_id, []).append(a)
    reviewers = sorted(by_reviewer.values(), key=lambda rows: (person(rows[0].reviewer), rows[0].reviewer_id))
    book = Workbook(write_only=True)
    taken: set[str] = set()
    if not reviewers:
        sheet = book.create_sheet(sheet_name(_("评分表"), taken))
        _layout(sheet, [header], header_row=1, freeze_columns=2)
        _append(sheet, header, bold=True)
        return _book_bytes(book)
    for rows in reviewers:
        reviewer = rows[0].reviewer
        sheet = book.create_sheet(sheet_name(person(reviewer), taken, fallback=_("评审专家")))
        unit = units.get(reviewer.pk) or ""
        title = _("%(round)s · 评审专家：%(name)s") % {"round": round_.label, "name": person(reviewer)}
        rows.sort(key=lambda a: (a.work.title, a.work_id))
        lines = []
        for number, a in enumerate(rows, start=1):
            score = _score(a)
            line = [number, a.work.title, str(a.work.entrant), *_points(score, criteria)]
            if criteria:
                line.append(_total(score, criteria))
            line += [score.comment if score else "", _state(score),
                     local_text(score.submitted_at if score else None, campaign),
                     local_text(score.updated_at if score else None, campaign)]
            lines.append(line)
        _layout(sheet, [header, *lines], header_row=2, freeze_columns=2)
        _append(sheet, [title + (f"（{unit}）" if unit else "")], bold=True)
        _append(sheet, header, bold=True)
        for line in lines:
            _append(sheet, line)
        sheet.append([])
        _append(sheet, [_("评审专家签名："), "", "", _("日期：")])
    return _book_bytes(book)


# --------------------------------------------------------------------------
# Per work


def work_workbook(round_: ReviewRound) -> bytes:
    """Sheet 「按作品」: one row per work and reviewer, works in the order of the ranking.

    An organiser prints this to check a result by hand, so each row carries one review in full
    (every criterion, the total, whether the round's method counted it or dropped it as the
    highest or the lowest mark, the comment, the state) next to the work's rank and score by the
    round's method. The other layout (works as rows, each reviewer's total in a column) is
    shorter but cannot be printed: every reviewer is a column, most cells are empty because
    each reviewer sees only some works, and the criteria vanish. The rank and the score stand on
    every row of the work, so sorting or filtering the sheet in Excel keeps them with it. A work
    nobody was assigned has one row that says so.
    """
    campaign = round_.campaign
    criteria = list(round_.criteria.all())
    result = services.results(round_)
    zscore = result.method == ReviewRound.Method.ZSCORE
    method = ReviewRound.Method(round_.method).label
    header = [_("名次"), _("作品名称"), _("报送主体"), _("本轮得分（%(method)s）") % {"method": method},
              _("评审专家"), *_criteria_header(criteria)]
    if criteria:
        header.append(_("总分（百分制）"))
    if zscore:
        header.append(_("标准化得分"))
    header += [_("计分"), _("评语"), _("状态"), _("提交时间")]
    works = {e.work_id: e.work
             for e in RoundWork.objects.filter(round=round_).select_related("work__entrant")}
    by_work: dict[int, list[Assignment]] = {}
    for a in _assignments(round_):
        by_work.setdefault(a.work_id, []).append(a)
        works.setdefault(a.work_id, a.work)
    order = [row.work for row in result.rows if row.work in works]
    order += sorted(set(works) - set(order))
    rows_of = {row.work: row for row in result.rows}
    sheet_rows: list[list[Any]] = []
    for work_id in order:
        work = works[work_id]
        summary = rows_of.get(work_id)
        rank = "" if summary is None or summary.rank is None else summary.rank
        aggregate = "" if summary is None or summary.aggregate is None else summary.aggregate
        lines = {line.reviewer: line for line in summary.reviews} if summary else {}
        start = [rank, work.title, str(work.entrant), aggregate]
        assignments = sorted(by_work.get(work_id, []), key=lambda a: (person(a.reviewer), a.reviewer_id))
        if not assignments:
            sheet_rows.append([*start, _("（未分配评审专家）")])
            continue
        for a in assignments:
            score = _score(a)
            line = lines.get(a.reviewer_id)
            row = [*start, person(a.reviewer), *_points(score, criteria)]
            if criteria:
                row.append(_total(score, criteria))
            if zscore:
                row.append(line.value if line else "")
            row += [_counted(line, score), score.comment if score else "", _state(score),
                    local_text(score.submitted_at if score else None, campaign)]
            sheet_rows.append(row)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name(_("按作品"), set()))
    _layout(sheet, [header, *sheet_rows], header_row=2, freeze_columns=2)
    _append(sheet, [_("%(round)s · 评分汇总（按作品）· 计分方法：%(method)s")
                    % {"round": round_.label, "method": method}], bold=True)
    _append(sheet, header, bold=True)
    for row in sheet_rows:
        _append(sheet, row)
    return _book_bytes(book)


def _counted(line: aggregation.ReviewLine | None, score: Score | None) -> str:
    """Whether the round's method counted this review: the organiser's check of a trimmed mean."""
    if line is None:
        if score is None or score.submitted_at is None:
            return _("未提交")
        return _("不完整，不计入")
    if line.dropped == "high":
        return _("去掉的最高分")
    if line.dropped == "low":
        return _("去掉的最低分")
    return _("计入")


# --------------------------------------------------------------------------
# The audit trail


def audit_workbook(campaign: Campaign, entries: Iterable[AuditEntry]) -> bytes:
    """The audit page's lines, newest first, every one of them (the page shows them 100 at a time)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name(_("评审记录"), set()))
    header = [_("时间"), _("类型"), _("操作人"), _("轮次"), _("作品"), _("报送主体"), _("评审专家"),
              _("评分"), _("评语或内容")]
    # The trail is read in chunks and written as it comes: widths fit its columns' usual content.
    _layout(sheet, [], header_row=1, freeze_columns=1, widths=AUDIT_WIDTHS)
    _append(sheet, header, bold=True)
    for entry in entries:
        _append(sheet, [local_text(entry.at, campaign), entry.kind_label, entry.who, entry.round_label,
                        entry.work_title, entry.entrant, entry.reviewer, entry.values, entry.text])
    return _book_bytes(book)

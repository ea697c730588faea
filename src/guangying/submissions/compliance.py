"""The organiser's compliance matrix: works × technical rules, one outcome per cell.

Built from the stored full reports (never by running the engine), so the page
costs a few queries however many works there are. A series shows per rule
the worst outcome over its episodes, with each episode's value in the tooltip.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from guangying.campaigns.models import Campaign
from guangying.inspection.report import Outcome
from guangying.rulesets.describe import CHECK_LABELS, CHECK_LABELS_EN

from .checking import fingerprint
from .exports import FORMULA_START
from .models import Attachment, Inspection, Waiver, Work, WorkState

WORST_FIRST = ["fail", "error", "warn", "review", "pass"]
PENDING = "pending"
WAIVED = "waived"
OUTCOME_FILTERS = [*WORST_FIRST, PENDING, WAIVED]


def english() -> bool:
    return (get_language() or "zh").startswith("en")


def outcome_label(outcome: str) -> str:
    if outcome == PENDING:
        return _("待检查")
    if outcome == WAIVED:
        return _("已豁免")
    value = Outcome(outcome)
    return value.label_en if english() else value.label_zh


def outcome_mark(outcome: str) -> str:
    if outcome == PENDING:
        return "…"
    if outcome == WAIVED:
        return "○"
    return Outcome(outcome).mark


@dataclass
class Cell:
    outcome: str = PENDING
    actual: list[str] = field(default_factory=list)

    @property
    def mark(self) -> str:
        return outcome_mark(self.outcome)

    @property
    def label(self) -> str:
        return outcome_label(self.outcome)

    @property
    def tooltip(self) -> str:
        return "；".join(a for a in self.actual if a) or self.label


@dataclass
class Row:
    work: Work
    cells: list[Cell]

    @property
    def outcomes(self) -> set[str]:
        return {cell.outcome for cell in self.cells}


@dataclass
class Column:
    check: str
    label: str


def _worse(a: str, b: str) -> str:
    if a == PENDING or b == PENDING:
        return PENDING
    return min(a, b, key=WORST_FIRST.index)


def rule_label(check: str) -> str:
    """A rule's name as the rule set describes it, in the reader's language."""
    labels = CHECK_LABELS_EN if english() else CHECK_LABELS
    return labels.get(check) or CHECK_LABELS.get(check) or check


def columns_for(campaign: Campaign) -> list[Column]:
    """One column per technical rule of the campaign, named by the rule set, checked or not."""
    return [Column(rule.check, rule_label(rule.check)) for rule in campaign.rules.technical]


def build(campaign: Campaign, *, entrant: str = "", outcome: str = "", rule: str = "") -> tuple[
        list[Column], list[Row]]:
    """The matrix, filtered: by unit, by a rule's column, by an outcome in the shown columns."""
    print_ = fingerprint(campaign.ruleset_data)
    works = (Work.objects.filter(campaign=campaign).exclude(state=WorkState.WITHDRAWN)
             .select_related("entrant").order_by("entrant__name", "pk"))
    if entrant:
        works = works.filter(entrant_id=entrant) if entrant.isdigit() else works.none()
    works = list(works)
    videos: dict[int, list[Attachment]] = {}
    for attachment in Attachment.objects.filter(
        work__in=works, kind=Attachment.VIDEO, superseded_at__isnull=True, episode__isnull=False
    ).order_by("uploaded_at", "pk"):
        per_episode = videos.setdefault(attachment.work_id, [])
        per_episode[:] = [a for a in per_episode if a.episode_id != attachment.episode_id]
        per_episode.append(attachment)
    reports = dict(
        Inspection.objects.filter(
            attachment__in=[a for group in videos.values() for a in group], mode=Inspection.Mode.FULL,
            ruleset_fingerprint=print_, status__in=[Inspection.Status.DONE, Inspection.Status.FAILED],
        ).values_list("attachment_id", "report")
    )
    waived: dict[int, set[str]] = {}
    for work_id, check in Waiver.objects.filter(work__in=works).values_list("work_id", "check_id"):
        waived.setdefault(work_id, set()).add(check)

    en = english()
    columns = columns_for(campaign)
    if rule:
        columns = [c for c in columns if c.check == rule]

    rows = []
    for work in works:
        cells = []
        attachments = videos.get(work.pk, [])
        for column in columns:
            cell = Cell()
            first = True
            for attachment in attachments:
                report = reports.get(attachment.pk, "missing")
                if report == "missing":
                    cell.outcome = PENDING
                    first = False
                    continue
                line = next((item for item in (report or {}).get("lines", [])
                             if item["check"] == column.check), None)
                found = line["outcome"] if line else Outcome.ERROR.value
                actual = ((line.get("actual_en") or line.get("actual")) if en else line.get("actual")) \
                    if line else ""
                cell.outcome = found if first else _worse(cell.outcome, found)
                first = False
                if len(attachments) > 1 and attachment.episode is not None:
                    actual = _("第 %(n)s 集") % {"n": attachment.episode.number} + "：" + (actual or "")
                cell.actual.append(actual or "")
            if cell.outcome in ("fail", "error") and column.check in waived.get(work.pk, set()):
                cell.outcome = WAIVED
            cells.append(cell)
        row = Row(work, cells)
        if outcome and outcome not in row.outcomes:
            continue
        rows.append(row)
    return columns, rows


def _cell(sheet: Any, value: Any, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"  # an entrant's 「=…」 stays text
    if bold:
        cell.font = Font(bold=True)
    return cell


def workbook(campaign: Campaign, columns: list[Column], rows: list[Row]) -> bytes:
    """The matrix as .xlsx: per rule the outcome and, beside it, the value found."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("技术检查"))
    header = [_("作品名称"), _("报送主体"), _("状态")]
    for column in columns:
        header += [column.label, _("%(rule)s（实测）") % {"rule": column.label}]
    sheet.append([_cell(sheet, h, bold=True) for h in header])
    for row in rows:
        values: list[Any] = [row.work.title, row.work.entrant.name, row.work.get_state_display()]
        for cell in row.cells:
            values += [cell.label, "；".join(a for a in cell.actual if a)]
        sheet.append([_cell(sheet, str(v)) for v in values])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

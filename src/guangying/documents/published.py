"""The published list (优秀作品名单 / 公示名单) as Word and PDF.

The list is what the public and the entrants read once the organiser has decided. Until
review decisions exist, the organiser's draft is made from the works that passed the
formal check; a decisions module passes its own entries (with their awards) to the same
builder, so the document does not change shape when the decisions arrive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from guangying.campaigns.models import Campaign
from guangying.rulesets.schema import RuleSet
from guangying.submissions.models import Work, WorkState

from . import word
from .pdf import to_pdf

AWARD_ORDER = ("一等奖", "二等奖", "三等奖", "优秀作品")
NUMBER_HEADER, TITLE_HEADER = "序号", "作品名称"
EMPTY_LIST = "（暂无）"


@dataclass(frozen=True)
class PublishedEntry:
    """One line of the list: the work, who sent it in, and the award if there is one."""

    title: str
    entrant: str
    award: str = ""


def default_title(rules: RuleSet) -> str:
    return f"“{rules.short_title}”优秀作品名单"


def entrant_header(rules: RuleSet) -> str:
    """「报送单位」 where only units enter; 「报送单位/作者」 where individuals do too."""
    return "报送单位" if rules.entrants.kinds == ["unit"] else "报送单位/作者"


def grouped(entries: Sequence[PublishedEntry],
            order: Sequence[str] | None = None) -> list[tuple[str, list[PublishedEntry]]]:
    """Entries under their awards: in ``order`` (the campaign's own levels, 特等奖 first if it has one),
    by default 一等奖, 二等奖, 三等奖, 优秀作品; then any other award as first named.

    Entries without an award come last, under no heading; a list where no entry has an
    award is one group with no heading.
    """
    groups: dict[str, list[PublishedEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.award.strip(), []).append(entry)
    first = [a.strip() for a in (order if order is not None else AWARD_ORDER)]
    shown = list(dict.fromkeys(a for a in first if a in groups))
    shown += [a for a in groups if a and a not in shown]
    if "" in groups:
        shown.append("")
    return [(award, groups[award]) for award in shown]


def published_docx(entries: Sequence[PublishedEntry], *, title: str, subtitle: str = "",
                   entrant_label: str = "报送单位/作者", award_order: Sequence[str] | None = None) -> bytes:
    """The list as a Word document: a table per award, numbered from 1 in each."""
    document = word.new_document(size=word.XIAOSI, title=title)
    word.add_heading_lines(document, attachment="", title=title, size=word.XIAOER,
                           attachment_size=word.SIHAO, subtitle=subtitle)
    total = word.usable_width_pt(document)
    widths = [total * 0.1, total * 0.48, total * 0.42]
    groups = grouped(entries, award_order)
    if not groups:
        word.add_text(document, EMPTY_LIST, size=word.SIHAO, align=WD_ALIGN_PARAGRAPH.CENTER)
    for award, members in groups:
        if award:
            heading = word.add_text(document, award, size=word.SANHAO, bold=True,
                                    align=WD_ALIGN_PARAGRAPH.CENTER, space_after=word.SANHAO * 0.4)
            heading.paragraph_format.space_before = Pt(word.SANHAO * 0.6)
            heading.paragraph_format.keep_with_next = True
        table = document.add_table(rows=1 + len(members), cols=3)
        word.set_table_frame(table, widths)
        word.repeat_header(table.rows[0])
        for cell, text in zip(table.rows[0].cells, (NUMBER_HEADER, TITLE_HEADER, entrant_label), strict=True):
            word.fill_cell(cell, [text], size=word.XIAOSI, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        for number, entry in enumerate(members, start=1):
            cells = table.rows[number].cells
            word.fill_cell(cells[0], [str(number)], size=word.XIAOSI, align=WD_ALIGN_PARAGRAPH.CENTER)
            word.fill_cell(cells[1], word.text_lines(entry.title) or [""], size=word.XIAOSI)
            word.fill_cell(cells[2], word.text_lines(entry.entrant) or [""], size=word.XIAOSI)
            word.keep_row_whole(table.rows[number])
    return word.to_bytes(document)


def published_pdf(entries: Sequence[PublishedEntry], *, title: str, subtitle: str = "",
                  entrant_label: str = "报送单位/作者", award_order: Sequence[str] | None = None,
                  timeout_s: float = 60) -> bytes:
    """The list as PDF, printed from the Word document so that both say the same."""
    return to_pdf(published_docx(entries, title=title, subtitle=subtitle, entrant_label=entrant_label,
                                 award_order=award_order), timeout_s=timeout_s)


def passed_entries(campaign: Campaign) -> list[PublishedEntry]:
    """The draft list before any review decision: works that passed the formal check, by entrant."""
    works = (Work.objects.filter(campaign=campaign, state=WorkState.PASSED).select_related("entrant")
             .order_by("entrant__name", "entrant_id", "title", "pk"))
    return [PublishedEntry(title=work.title, entrant=str(work.entrant)) for work in works]


def campaign_published_list(campaign: Campaign, *, entries: Sequence[PublishedEntry] | None = None,
                            title: str | None = None, subtitle: str = "", pdf: bool = False,
                            award_order: Sequence[str] | None = None,
                            file_suffix: str = "") -> word.GeneratedDocument:
    """The campaign's list: ``entries`` if given, else (before any decision) the passed works.

    ``file_suffix`` follows the title in the file's name (「…优秀作品名单（预览稿）.docx」), so that a
    preview saved next to the final list cannot be taken for it.
    """
    rules = campaign.rules
    chosen = list(entries) if entries is not None else passed_entries(campaign)
    heading = title or default_title(rules)
    header = entrant_header(rules)
    if pdf:
        content = published_pdf(chosen, title=heading, subtitle=subtitle, entrant_label=header,
                                award_order=award_order)
    else:
        content = published_docx(chosen, title=heading, subtitle=subtitle, entrant_label=header,
                                 award_order=award_order)
    return word.GeneratedDocument(key="published_list", label=heading,
                                  file_name=f"{heading}{file_suffix}.{'pdf' if pdf else 'docx'}",
                                  content=content)

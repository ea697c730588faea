"""The works list as an .xlsx workbook, with the campaign's own form rows as columns.

Organisers carry on in Excel; the workbook must open cleanly, keep long
texts readable, and never let an entrant's text become a formula
(「=HYPERLINK(…)」 typed as a title stays text).
"""

import io
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from guangying.campaigns.models import Campaign

from .forms import format_duration
from .models import Attachment, Work

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def sheet_cell(sheet: Any, value: Any, bold: bool = False) -> WriteOnlyCell:
    """A cell of a write-only sheet: text that looks like a formula stays text; long text wraps."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    if isinstance(value, str) and ("\n" in value or len(value) > 40):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def form_value(spec: Any, value: Any) -> str:
    if value in (None, "", [], {}):
        return ""
    if spec.type == "people":
        return "\n".join(
            " ".join(f"{c.label}：{row.get(c.key, '')}" for c in spec.columns if row.get(c.key))
            for row in value
        )
    if spec.type == "broadcast":
        if value.get("status") == "aired":
            return (_("已播出 %(platform)s %(link)s")
                    % {"platform": value.get("platform", ""), "link": value.get("link", "")}).strip()
        return _("未播出") if value.get("status") == "not_aired" else ""
    if spec.type == "duration" and isinstance(value, int):
        return format_duration(value)
    return str(value)


def works_workbook(campaign: Campaign, works: Iterable[Work]) -> bytes:
    rules = campaign.rules
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("作品列表"))
    form_specs = [f for f in rules.form.fields if f.key != "title"]
    documents = [d for d in rules.documents if d.source == "upload" and d.per == "work"]
    headers = [_("序号"), _("作品名称"), _("报送主体"), _("主体类型"), _("所在单位"), _("状态"),
               _("提交时间"), _("单独延期至"), _("集数"), _("视频文件"), _("视频 SHA-256")]
    headers += [c.label for c in rules.categories]
    headers += [f.label for f in form_specs]
    headers += [d.label for d in documents]
    if rules.technical_rule("ai_label") is not None:
        headers.append(_("使用人工智能生成合成内容"))
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 24
    sheet.append([sheet_cell(sheet, h, bold=True) for h in headers])
    works = list(works)
    current: dict[int, list[Attachment]] = {}
    for attachment in Attachment.objects.filter(
        work__in=[w.pk for w in works], superseded_at__isnull=True
    ).select_related("episode"):
        current.setdefault(attachment.work_id, []).append(attachment)
    for number, work in enumerate(works, start=1):
        files = current.get(work.pk, [])
        videos = sorted((a for a in files if a.kind == Attachment.VIDEO),
                        key=lambda a: a.episode.number if a.episode else 0)
        kinds = {a.kind for a in files}
        row = [
            number, work.title, work.entrant.name, work.entrant.get_kind_display(),
            work.entrant.unit_name, work.get_state_display(),
            timezone.localtime(work.submitted_at).strftime("%Y-%m-%d %H:%M")
            if work.submitted_at else "",
            timezone.localtime(work.deadline_extended_until).strftime("%Y-%m-%d %H:%M")
            if work.deadline_extended_until else "",
            getattr(work, "episode_count", None) or work.episodes.count(),
            "\n".join(v.original_name for v in videos),
            "\n".join(v.sha256 for v in videos),
        ]
        for category in rules.categories:
            chosen = (work.categories or {}).get(category.key)
            chosen = chosen if isinstance(chosen, list) else [chosen] if chosen else []
            row.append("、".join(o.label for o in category.options if o.key in chosen))
        for spec in form_specs:
            row.append(form_value(spec, (work.form_data or {}).get(spec.key)))
        for document in documents:
            row.append(_("已上传") if document.key in kinds else _("缺"))
        if rules.technical_rule("ai_label") is not None:
            row.append(_("是") if work.uses_ai else _("否"))
        sheet.append([sheet_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

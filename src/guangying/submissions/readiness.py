"""Is a work complete enough to hand in? Every missing piece, named.

A unit should learn everything that stands between it and 「已提交」 at
once, not one refusal at a time; each reason names the form row or the
attachment as the notice calls it. The checks read the campaign's rule
set, so a rule set edited after a draft was saved is applied on submit.
"""

from datetime import datetime

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from guangying.rulesets import RuleSet

from .cloud_links import accepts_links, episode_has_link, link_problems_on_submit
from .models import Attachment, Work
from .text import count_chars
from .uploads import VIDEO_FORMATS, FileRule


def local_deadline(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def video_rule(rules: RuleSet) -> FileRule:
    container = rules.technical_rule("container")
    allowed = tuple(container.allowed) if container is not None else tuple(VIDEO_FORMATS)
    return FileRule(
        label=_("视频文件"), formats=allowed, max_bytes=settings.GUANGYING_MAX_VIDEO_MB * 1024 * 1024
    )


def document_rule(rules: RuleSet, key: str) -> FileRule | None:
    for document in rules.documents:
        if document.key == key and document.source == "upload":
            return FileRule(
                label=document.label,
                formats=tuple(document.formats),
                max_bytes=document.max_size_mb * 1024 * 1024,
            )
    return None


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, dict)):
        return not value
    return False


def form_problems(rules: RuleSet, work: Work) -> list[str]:
    problems: list[str] = []
    data = work.form_data or {}
    for field in rules.form.fields:
        value = work.title if field.key == "title" else data.get(field.key)
        if field.required and _is_blank(value):
            problems.append(_("请填写「%(label)s」。") % {"label": field.label})
            continue
        if field.type == "people":
            rows = value or []
            minimum = getattr(field, "min_items", None) or (1 if field.required else 0)
            if len(rows) < minimum:
                problems.append(
                    _("「%(label)s」至少填写 %(n)s 人。") % {"label": field.label, "n": minimum}
                )
            for column in field.columns:
                for index, row in enumerate(rows, start=1):
                    text = (row or {}).get(column.key, "")
                    if column.max_chars and count_chars(text) > column.max_chars:
                        problems.append(
                            _("「%(label)s」第 %(row)s 行「%(col)s」超过 %(n)s 字。")
                            % {"label": field.label, "row": index, "col": column.label,
                               "n": column.max_chars}
                        )
        elif field.type == "broadcast" and isinstance(value, dict):
            if value.get("status") == "aired" and (
                _is_blank(value.get("platform")) or _is_blank(value.get("link"))
            ):
                problems.append(
                    _("「%(label)s」为已播出时，请填写播出平台及链接。") % {"label": field.label}
                )
        elif isinstance(value, str) and field.max_chars:
            used = count_chars(value)
            if used > field.max_chars:
                problems.append(
                    _("「%(label)s」限 %(limit)s 字，现为 %(used)s 字。")
                    % {"label": field.label, "limit": field.max_chars, "used": used}
                )
    for category in rules.categories:
        if category.required and not category.reference_only and _is_blank(
            (work.categories or {}).get(category.key)
        ):
            problems.append(_("请选择「%(label)s」。") % {"label": category.label})
    return problems


def file_problems(rules: RuleSet, work: Work) -> list[str]:
    problems: list[str] = []
    current = list(work.current_attachments())
    episodes = list(work.episodes.all())
    links_allowed = accepts_links(rules)
    if not episodes:
        problems.append(_("请上传视频文件。"))
    for episode in episodes:
        has_video = any(a.kind == Attachment.VIDEO and a.episode_id == episode.pk for a in current)
        if not has_video and not (links_allowed and episode_has_link(episode)):
            if len(episodes) > 1:
                problems.append(_("第 %(n)s 集尚未上传视频文件。") % {"n": episode.number})
            else:
                problems.append(_("请上传视频文件。"))
    if not rules.series.allowed and len(episodes) > 1:
        problems.append(_("本活动不接受系列作品，每件作品只能有一个视频。"))
    elif rules.series.max_episodes and len(episodes) > rules.series.max_episodes:
        problems.append(
            _("系列作品最多 %(n)s 集，现有 %(m)s 集。")
            % {"n": rules.series.max_episodes, "m": len(episodes)}
        )
    kinds = {a.kind for a in current}
    for document in rules.required_documents:
        if getattr(document, "per", "work") == "work" and document.key not in kinds:
            problems.append(_("缺少「%(label)s」。") % {"label": document.label})
    return problems


def deadline_problems(work: Work, at: datetime | None = None) -> list[str]:
    at = at or timezone.now()
    campaign = work.campaign
    if not campaign.is_published:
        return [_("活动尚未发布，暂不能提交。")]
    opens = campaign.submission_opens_at
    if opens and at < opens:
        return [_("报送尚未开始，开始时间为 %(t)s（北京时间）。") % {"t": local_deadline(opens)}]
    if at > work.deadline:
        return [
            _("已过报送截止时间 %(t)s（北京时间），不能再提交。") % {"t": local_deadline(work.deadline)}
        ]
    return []


def submission_problems(work: Work, at: datetime | None = None) -> list[str]:
    """Everything that blocks submitting, except the quota (checked under a lock).

    The automatic check counts too (checking.inspection_problems): a failing hard rule
    not waived by the organiser, a hard rule that could not be checked, or a full
    check not finished yet.
    """
    from .checking import inspection_problems

    rules = work.campaign.rules
    return (deadline_problems(work, at) + form_problems(rules, work) + file_problems(rules, work)
            + link_problems_on_submit(work, at) + inspection_problems(work))

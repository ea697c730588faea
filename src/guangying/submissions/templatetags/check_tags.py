"""The work page's summary of the automatic check, without touching the work page's view."""

from typing import Any

from django import template

from guangying.submissions import checking
from guangying.submissions.compliance import english

register = template.Library()


@register.simple_tag
def work_check_summary(work: Any) -> list[dict[str, Any]]:
    from guangying.inspection.report import verdict

    checks = checking.work_checks(work)
    waived = checking.waived_checks(work)
    items = []
    for check in checks:
        report = check.report
        current = check.episode.current_video() if check.episode is not None else None
        item: dict[str, Any] = {"check": check, "several": len(checks) > 1, "outcome": "",
                                "blocking": 0,
                                # A new video still waiting to take over: its progress is in its slot.
                                "replacement": current is not None and current.pk != check.attachment.pk}
        if report is not None:
            item["outcome"] = report.outcome.value
            item["mark"] = report.outcome.mark
            item["verdict"] = verdict(report, lang="en" if english() else "zh")
            item["blocking"] = len([line for line in checking.blocking_lines(report)
                                    if line.check not in waived])
        items.append(item)
    return items

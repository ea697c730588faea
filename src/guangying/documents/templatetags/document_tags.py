"""The 「下载表格」 list a work's page shows to those who may download its forms."""

from typing import Any

from django import template

from guangying.documents import word

register = template.Library()


@register.inclusion_tag("documents/work_downloads.html", takes_context=True)
def work_downloads(context: dict[str, Any], work: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("documents.download_work_documents", work):
        return {"show": False}
    rules = work.campaign.rules
    spec = word.entrant_list_spec(rules)
    return {
        "show": True, "work": work, "specs": word.work_document_specs(rules), "entrant": work.entrant,
        "can_entrant": user.has_perm("documents.download_entrant_documents", work.entrant),
        "summary_label": spec.label if spec is not None else word.SUMMARY_LABEL,
    }

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """Rows of people are dicts keyed by the rule set's column keys."""
    if isinstance(mapping, dict):
        return mapping.get(key, "")
    return ""


@register.filter
def accepts_cloud_links(rules: Any) -> bool:
    """Whether the rule set lets a cloud-drive link stand in for a video upload."""
    from guangying.submissions.cloud_links import accepts_links

    return accepts_links(rules)


@register.simple_tag
def cloud_link_of(episode: Any) -> Any:
    from guangying.submissions.cloud_links import current_link

    return current_link(episode) if episode is not None else None

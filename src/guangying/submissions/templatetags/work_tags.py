from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """Rows of people are dicts keyed by the rule set's column keys."""
    if isinstance(mapping, dict):
        return mapping.get(key, "")
    return ""

"""Small helpers for the account pages."""

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timeuntil

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """A length of time in words of the current language: 「15 分钟」, not 「PT15M」."""
    if not isinstance(value, timedelta):
        return ""
    now = timezone.now()
    return timeuntil(now + value, now)

from __future__ import annotations

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    """Whole minutes in a duration, rounded up so "wait 15 minutes" is never too short."""
    if value is None:
        return 0
    return -(-int(value.total_seconds()) // 60)

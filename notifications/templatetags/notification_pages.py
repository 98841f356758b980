"""The unread count the dashboard shows beside its link to the notifications page (one query)."""

from __future__ import annotations

from django import template

from notifications.selectors import notifications_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    return notifications_unread_count(user=context["request"].user)

"""The dashboard's reviewing sections: the reviewer's queue in numbers, through the reviews selector, so the
dashboard view need not know this app. One query however long the queue is."""

from __future__ import annotations

from django import template
from django.utils import timezone

from reviews import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def review_queue_summary(context: template.Context) -> selectors.QueueSummary:
    return selectors.queue_summary(user=context["request"].user, now=timezone.now())

"""The dashboard's reviewing sections: the reviewer's queue in numbers, through the reviews selector, so the
dashboard view need not know this app. One query however long the queue is."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from reviews import selectors

register = template.Library()


@dataclass(frozen=True)
class QueueSummary:
    open: int
    overdue: int


@register.simple_tag(takes_context=True)
def review_queue_summary(context: template.Context) -> QueueSummary:
    counts = selectors.assignments_for_reviewer(user=context["request"].user).aggregate(
        open=Count("id"), overdue=Count("id", filter=Q(due_at__lte=timezone.now()))
    )
    return QueueSummary(open=counts["open"] or 0, overdue=counts["overdue"] or 0)

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from core.compiled import CompiledRows
from notifications.models import Email, Notification


def email_recently_queued(*, name: str, to: str, within: timedelta) -> bool:
    return Email.objects.filter(name=name, to=to, created_at__gte=timezone.now() - within).exists()


def notifications_for_user(*, user: Any, unread_only: bool = False, limit: int = 50) -> QuerySet[Notification]:
    """The person's own notifications, newest first: one query however many there are (the list is capped)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    rows = Notification.objects.filter(user_id=user.pk)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")[:limit]


def notifications_unread_count(*, user: Any) -> int:
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    rows = _UNREAD_COUNT.fetch(user.pk)
    return int(rows[0][0]) if rows else 0


def unread_of(user_ref: Any) -> QuerySet[Notification]:
    """The person's unread notifications, unordered: `user_ref` an id, or OuterRef to the person in a subquery."""
    return Notification.objects.filter(user_id=user_ref, read_at__isnull=True).order_by()


# Read on every dashboard view: its SQL is built once per connection (the ORM's building costs more than running).
_UNREAD_COUNT = CompiledRows(
    lambda user_id: unread_of(user_id).values("user_id").annotate(unread=Count("id")).values_list("unread"),
    int,
)

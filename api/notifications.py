"""The signed-in person's in-app notifications at /api/v1/notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import ConfigDict

from api.auth import request_user, session_or_token
from api.common import StrictId, errors
from notifications.models import Notification
from notifications.selectors import notifications_for_user, notifications_unread_count
from notifications.services import notifications_mark_read

router = Router(auth=session_or_token)


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    url: str
    created_at: datetime
    read: bool

    @staticmethod
    def resolve_read(obj: Notification) -> bool:
        return obj.read_at is not None


class NotificationsOut(Schema):
    unread: int
    items: list[NotificationOut]


class ReadIn(Schema):
    model_config = ConfigDict(extra="forbid")
    ids: list[StrictId] | None = None  # omitted: mark every notification read


@router.get("", response={200: NotificationsOut, **errors(401, 422)}, url_name="notifications")
def my_notifications(request: HttpRequest, unread_only: bool = False) -> dict[str, Any]:
    """My latest notifications, newest first (at most 50), and how many are unread."""
    user = request_user(request)
    return {
        "unread": notifications_unread_count(user=user),
        "items": list(notifications_for_user(user=user, unread_only=unread_only)),
    }


class MarkedOut(Schema):
    marked: int


@router.post("/read", response={200: MarkedOut, **errors(400, 401, 403, 413, 422)}, url_name="notifications_read")
def mark_read(request: HttpRequest, payload: ReadIn) -> dict[str, int]:
    """Mark the notifications with these ids read (all of them when `ids` is omitted); answers how many changed."""
    return {"marked": notifications_mark_read(user=request_user(request), ids=payload.ids)}

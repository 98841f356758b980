from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from notifications.models import Email, Notification


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin[Email]):
    """The outbox, for the platform admin to see what was sent and what failed; rows are written by code only."""

    list_display = ("name", "to", "created_at", "sent_at", "attempts", "next_attempt_at", "failed_at", "last_error")
    list_filter = ("name",)
    search_fields = ("to",)
    date_hierarchy = "created_at"
    # The context may hold a not-yet-delivered reset link; nobody needs to read it here.
    exclude = ("context",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Email | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Email | None = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    """In-app notifications, readable for support; written by code only."""

    list_display = ("kind", "user", "title", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("user__email",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

"""The audit log in the admin site: read-only for everyone, and an issuer admin reads only their issuers' rows."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from core.models import AuditEvent
from pages.admin.scoping import admin_issuers, is_platform_admin


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ("at", "action", "subject_type", "subject_id", "actor", "old", "new")
    list_filter = ("action", "subject_type")
    search_fields = ("action", "subject_type", "actor__email")
    date_hierarchy = "at"
    list_select_related = ("actor",)
    ordering = ("-at", "-id")
    readonly_fields = ("at", "actor", "action", "subject_type", "subject_id", "issuer_id", "old", "new", "data")

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        rows = super().get_queryset(request)
        if is_platform_admin(request):
            return rows
        # Rows that belong to no issuer (an account's own events) are the platform's, not an issuer's.
        return rows.filter(issuer_id__in=admin_issuers(request).values("pk"))

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("No such event, or it belongs to an issuer you do not administer.")
        return obj

    # History is written by the services alone: nobody adds, edits or removes a row here.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

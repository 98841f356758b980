from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from reviews.models import CalibrationSample, Decision


class _ReadOnly(admin.ModelAdmin):
    """Rows written by the services only: the admin site shows them and changes nothing."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Decision)
class DecisionAdmin(_ReadOnly):
    list_display = ("attempt", "outcome", "original_outcome", "decided_at", "overridden_at")
    list_filter = ("outcome",)


@admin.register(CalibrationSample)
class CalibrationSampleAdmin(_ReadOnly):
    list_display = ("credential", "key", "title", "rubric_hash", "retired_at")

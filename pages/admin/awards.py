"""Awards in the admin site: partners and their staff are managed here; badges, keys and applications are shown
read-only (issuing, revoking and key changes go through their services, never a raw edit). A badge's page
here shows its history from the one audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from awards.models import Badge, CreditApplication, IssuerKey, Partner, PartnerMembership
from core.audit import audit_trail


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _history(obj: Any) -> str:
    rows = [
        (f"{event.at:%Y-%m-%d %H:%M}", event.action, event.actor or "the platform", event.old or "-", event.new or "-")
        for event in audit_trail(subject=obj)
    ]
    if not rows:
        return "-"
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{} {} by {}: {} → {}</li>", rows))


class MembershipInline(admin.TabularInline):
    model = PartnerMembership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "contact_email"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]


@admin.register(Badge)
class BadgeAdmin(ReadOnly):
    list_display = ["title", "issuer", "earner", "issued_at", "visibility", "revoked_at", "page"]
    list_filter = ["issuer", "visibility"]
    search_fields = ["earner__email", "uuid"]
    list_select_related = ["issuer", "earner"]
    exclude = ["document_text", "jwt"]
    readonly_fields = ["history"]

    @admin.display(description="Page (revoke from there)")
    def page(self, obj: Badge) -> str:
        return format_html('<a href="{}">open</a>', reverse("awards:detail", args=[obj.uuid]))

    @admin.display(description="History")
    def history(self, obj: Badge) -> str:
        return _history(obj)


@admin.register(IssuerKey)
class IssuerKeyAdmin(ReadOnly):
    list_display = ["issuer", "number", "algorithm", "is_active", "created_at", "retired_at"]
    exclude = ["private_key_encrypted"]  # never shown, even encrypted
    readonly_fields = ["history"]

    @admin.display(description="History")
    def history(self, obj: IssuerKey) -> str:
        return _history(obj)


@admin.register(CreditApplication)
class CreditApplicationAdmin(ReadOnly):
    list_display = ["earner", "partner", "status", "submitted_at", "decided_at"]
    list_filter = ["status", "partner"]
    readonly_fields = ["history"]

    @admin.display(description="History")
    def history(self, obj: CreditApplication) -> str:
        return _history(obj)

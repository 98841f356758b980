"""Awards in the admin site: partners and their staff are managed here; credentials, keys and the audit trail
are shown read-only (issuing, revoking and key changes go through their services, never a raw edit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from awards.models import AwardedCredential, AwardEvent, CreditApplication, IssuerKey, Partner, PartnerMembership


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = PartnerMembership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "contact_email"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]


@admin.register(AwardedCredential)
class AwardedCredentialAdmin(ReadOnly):
    list_display = ["title", "issuer", "earner", "issued_at", "visibility", "revoked_at", "page"]
    list_filter = ["issuer", "visibility"]
    search_fields = ["earner__email", "uuid"]
    list_select_related = ["issuer", "earner"]
    exclude = ["document_text", "jwt"]

    @admin.display(description="Page (revoke from there)")
    def page(self, obj: AwardedCredential) -> str:
        return format_html('<a href="{}">open</a>', reverse("awards:detail", args=[obj.uuid]))


@admin.register(IssuerKey)
class IssuerKeyAdmin(ReadOnly):
    list_display = ["issuer", "number", "algorithm", "is_active", "created_at", "retired_at"]
    exclude = ["private_key_encrypted"]  # never shown, even encrypted


@admin.register(CreditApplication)
class CreditApplicationAdmin(ReadOnly):
    list_display = ["earner", "partner", "status", "submitted_at", "decided_at"]
    list_filter = ["status", "partner"]


@admin.register(AwardEvent)
class AwardEventAdmin(ReadOnly):
    list_display = ["at", "kind", "actor", "issuer", "old_value", "new_value"]
    list_filter = ["kind"]

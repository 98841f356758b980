"""Catalog objects in the admin. Definitions come from YAML files, so almost everything here is read-only:
a change belongs in the file, which `load_credentials` turns into a new version.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html

from catalog.models import Credential, CredentialVersion, Issuer
from pages.admin.scoping import IssuerScopedMixin


@admin.register(Issuer)
class IssuerAdmin(IssuerScopedMixin, admin.ModelAdmin[Issuer]):
    issuer_path = "pk"
    list_display = ("name", "slug", "url", "email")
    search_fields = ("name", "slug")
    readonly_fields = ("slug", "name", "url", "description", "email")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Issuer | None = None) -> bool:
        # The loader overwrites these fields from the issuer block of the YAML file on every load.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Issuer | None = None) -> bool:
        return False


@admin.register(Credential)
class CredentialAdmin(IssuerScopedMixin, admin.ModelAdmin[Credential]):
    list_display = ("title", "issuer", "slug", "is_published", "current_version")
    list_filter = ("is_published", ("issuer", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("issuer", "current_version")
    search_fields = ("title", "slug")
    fields = (
        "title",
        "slug",
        "issuer",
        "summary",
        "is_published",
        "current_version",
        "grade_bands",
        "standards_framework",
        "standard_codes",
    )
    readonly_fields = (
        "title",
        "slug",
        "issuer",
        "summary",
        "current_version",
        "grade_bands",
        "standards_framework",
        "standard_codes",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Credential | None = None) -> bool:
        # Versions, and the attempts that point at them, must outlive any change of mind: unpublish instead.
        return False


@admin.register(CredentialVersion)
class CredentialVersionAdmin(IssuerScopedMixin, admin.ModelAdmin[CredentialVersion]):
    issuer_path = "credential__issuer"
    list_display = ("credential", "number", "short_hash", "source_name", "loaded_at")
    list_filter = (("credential", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("credential", "credential__issuer")
    fields = ("credential", "number", "content_hash", "source_name", "loaded_at", "pretty_definition")
    readonly_fields = fields

    @admin.display(description="Content hash")
    def short_hash(self, obj: CredentialVersion) -> str:
        return obj.content_hash[:12]

    @admin.display(description="Definition")
    def pretty_definition(self, obj: CredentialVersion) -> Any:
        return format_html("<pre>{}</pre>", json.dumps(obj.definition, indent=2, ensure_ascii=False))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CredentialVersion | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CredentialVersion | None = None) -> bool:
        return False

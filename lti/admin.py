"""LTI in the admin site: the platform admin registers each LMS; links, placements and scores are shown
read-only. Issuer admins use the same site but see none of it: registrations hold keys for the whole platform.

This module sits in the lti app rather than pages/admin because pages may not import lti (they are two faces
side by side); Django's autodiscovery registers it on the same site.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from lti.models import PlatformAccount, PlatformDeployment, PlatformRegistration, ScorePost
from lti.services import registration_key_rotate, registration_save


class PlatformAdminOnly(admin.ModelAdmin):
    # A platform's URLs are https; a bare host typed in gets https, not http.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def _platform_admin(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._platform_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._platform_admin(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._platform_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._platform_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._platform_admin(request)


class DeploymentInline(admin.TabularInline):
    model = PlatformDeployment
    extra = 1

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


@admin.register(PlatformRegistration)
class PlatformRegistrationAdmin(PlatformAdminOnly):
    list_display = ["name", "issuer", "client_id", "is_active", "updated_at"]
    search_fields = ["name", "issuer", "client_id"]
    inlines = [DeploymentInline]
    readonly_fields = ["tool_endpoints", "tool_kid"]
    actions = ["rotate_key"]
    fieldsets = [
        (None, {"fields": ["name", "is_active", "emails_verified"]}),
        (
            _("The platform, as its LMS administrator gives it"),
            {"fields": ["issuer", "client_id", "auth_login_url", "auth_token_url", "auth_audience", "key_set_url"]},
        ),
        (_("microcred, as the LMS administrator enters it"), {"fields": ["tool_endpoints", "tool_kid"]}),
    ]

    @admin.display(description=_("Tool URLs"))
    def tool_endpoints(self, obj: PlatformRegistration) -> str:
        base = settings.SITE_URL
        return format_html(
            "<dl><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd></dl>",
            gettext("Login initiation URL"),
            base + reverse("lti:login"),
            gettext("Redirect (launch) and deep-linking URL"),
            base + reverse("lti:launch"),
            gettext("Public key set (JWKS) URL"),
            base + reverse("lti:jwks"),
        )

    def save_model(self, request: HttpRequest, obj: PlatformRegistration, form: Any, change: bool) -> None:
        user = request.user
        assert isinstance(user, User)
        registration_save(actor=user, registration=obj, created=not change)

    @admin.action(description=_("Give the selected registrations a new tool key"))
    def rotate_key(self, request: HttpRequest, queryset: QuerySet[PlatformRegistration]) -> None:
        user = request.user
        assert isinstance(user, User)
        for registration in queryset:
            registration_key_rotate(actor=user, registration=registration)
        self.message_user(
            request, gettext("New tool keys made; platforms read them from the JWKS URL."), messages.SUCCESS
        )


class ReadOnlyPlatformAdmin(PlatformAdminOnly):
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PlatformAccount)
class PlatformAccountAdmin(ReadOnlyPlatformAdmin):
    """Deleting a link here unlinks the course account: its next launch asks again."""

    list_display = ["user", "registration", "sub", "created_at", "last_launch_at"]
    list_select_related = ["user", "registration"]
    search_fields = ["user__email", "sub"]


@admin.register(ScorePost)
class ScorePostAdmin(ReadOnlyPlatformAdmin):
    list_display = ["attempt", "target", "status", "tries", "created_at", "sent_at"]
    list_filter = ["status"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

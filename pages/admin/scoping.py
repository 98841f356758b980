"""Scoping the admin site to the issuers a person administers.

A platform admin (superuser) sees every row. An issuer admin is staff, in the "Issuer admins" group
(which grants the model permissions) and sees only rows that belong to issuers they are admin of;
another issuer's object answers 404, as if it did not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from accounts.models import User
from accounts.selectors import issuers_administered
from catalog.models import Issuer

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

    _Base = ModelAdmin[Any]
else:
    _Base = object


def admin_issuers(request: HttpRequest) -> QuerySet[Issuer]:
    """The requesting person's issuers, computed once per request."""
    cached: QuerySet[Issuer] | None = getattr(request, "_admin_issuers", None)
    if cached is None:
        user = request.user
        cached = issuers_administered(user=user) if isinstance(user, User) else Issuer.objects.none()
        request._admin_issuers = cached  # type: ignore[attr-defined]
    return cached


def is_platform_admin(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


class IssuerScopedMixin(_Base):
    """Put before admin.ModelAdmin; `issuer_path` is the lookup from the model to its Issuer."""

    issuer_path = "issuer"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if is_platform_admin(request):
            return queryset
        in_scope = queryset.model._default_manager.filter(**{f"{self.issuer_path}__in": admin_issuers(request)})
        # A subquery on the primary key, not a join, so a many-to-many path cannot duplicate rows.
        return queryset.filter(pk__in=in_scope.values("pk"))

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Django's admin would redirect to its index with "doesn't exist"; a plain 404 says the same
            # without a detour and is what a test (and a person following an old link) can rely on.
            raise Http404("No such object, or it belongs to an issuer you do not administer.")
        return obj

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is Issuer and not is_platform_admin(request):
            kwargs["queryset"] = admin_issuers(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is Issuer and not is_platform_admin(request):
            kwargs["queryset"] = admin_issuers(request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def object_issuers_outside_scope(request: HttpRequest, issuers: QuerySet[Issuer]) -> list[Issuer]:
    if is_platform_admin(request):
        return []
    return list(issuers.exclude(pk__in=admin_issuers(request).values("pk")))


__all__ = ["IssuerScopedMixin", "admin_issuers", "is_platform_admin", "object_issuers_outside_scope"]

"""Districts in the admin site: the platform admin's alone. One form holds the district, its email domains and its
provider's settings; sso.services writes all three together (and audits it), as it would for any other caller."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.errors import InvalidInput
from pages.admin.scoping import is_platform_admin
from sso.models import District
from sso.services import ProviderSettings, district_check, district_delete, district_save, domains_parse

_PROVIDER_FIELDS = ("server_url", "client_id", "client_secret", "idp_entity_id", "idp_sso_url", "idp_x509cert")


class DistrictAdminForm(forms.ModelForm[District]):
    domains = forms.CharField(
        label=_("Email domains"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line. People whose address is at one of these are sent to this district's provider."),
    )
    server_url = forms.CharField(
        label=_("OpenID Connect issuer"),
        required=False,
        help_text=_("For OpenID Connect: the issuer address; its /.well-known/openid-configuration is read."),
    )
    client_id = forms.CharField(label=_("OpenID Connect client ID"), required=False)
    client_secret = forms.CharField(
        label=_("OpenID Connect client secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave blank to keep the stored secret."),
    )
    idp_entity_id = forms.CharField(label=_("SAML identity provider entity ID"), required=False)
    idp_sso_url = forms.CharField(label=_("SAML single sign-on address"), required=False)
    idp_x509cert = forms.CharField(
        label=_("SAML signing certificate"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The identity provider's certificate (PEM). Only assertions it signed are accepted."),
    )

    class Meta:
        model = District
        fields = ("name", "slug", "method", "vouches_for_domains", "active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        district = self.instance
        if district.pk:
            self.fields["domains"].initial = "\n".join(district.domains.values_list("domain", flat=True))
            app = district.social_app
            if district.method == District.Method.OPENID_CONNECT:
                self.fields["server_url"].initial = app.settings.get("server_url", "")
                self.fields["client_id"].initial = app.client_id
            elif district.method == District.Method.SAML:
                idp = app.settings.get("idp", {})
                self.fields["idp_entity_id"].initial = idp.get("entity_id", "")
                self.fields["idp_sso_url"].initial = idp.get("sso_url", "")
                self.fields["idp_x509cert"].initial = idp.get("x509cert", "")

    def provider_settings(self) -> ProviderSettings:
        return ProviderSettings(**{name: (self.cleaned_data.get(name) or "").strip() for name in _PROVIDER_FIELDS})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["domain_list"] = domains_parse(data.get("domains") or "")
        if self.errors:
            return data
        try:
            district_check(
                district=self.instance if self.instance.pk else None,
                slug=self.instance.slug if self.instance.pk else data.get("slug") or "",
                method=data.get("method") or "",
                domains=data["domain_list"],
                provider=self.provider_settings(),
            )
        except InvalidInput as refusal:
            for error in refusal.errors:
                self.add_error(error.field if error.field in self.fields else None, error.message)
        return data


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin[District]):
    form = DistrictAdminForm
    list_display = ("name", "slug", "method", "domain_list", "active")
    list_filter = ("method", "active")
    search_fields = ("name", "slug", "domains__domain")
    readonly_fields = ("provider_addresses",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "method", "domains", "vouches_for_domains", "active")}),
        (_("OpenID Connect"), {"fields": ("server_url", "client_id", "client_secret")}),
        (_("SAML 2.0"), {"fields": ("idp_entity_id", "idp_sso_url", "idp_x509cert")}),
        (_("For the district's IT staff"), {"fields": ("provider_addresses",)}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[District]:
        return super().get_queryset(request).select_related("social_app").prefetch_related("domains")

    def get_readonly_fields(self, request: HttpRequest, obj: District | None = None) -> tuple[str, ...]:
        # The short name is in the provider's registered addresses and in every linked account's provider id.
        return ("slug", "provider_addresses") if obj is not None else ("provider_addresses",)

    @admin.display(description=_("Email domains"))
    def domain_list(self, obj: District) -> str:
        return ", ".join(row.domain for row in obj.domains.all())

    @admin.display(description=_("Addresses to register at the provider"))
    def provider_addresses(self, obj: District | None) -> str:
        if obj is None or obj.pk is None:
            return str(_("Shown once the district is saved."))
        site = settings.SITE_URL
        rows: list[tuple[str, str]] = []
        if obj.method == District.Method.OPENID_CONNECT:
            callback = reverse("openid_connect_callback", kwargs={"provider_id": obj.social_app.provider_id})
            rows.append((str(_("Redirect URI")), site + callback))
        elif obj.method == District.Method.SAML:
            rows.append((str(_("Entity ID and metadata")), site + reverse("saml_metadata", args=[obj.slug])))
            rows.append((str(_("Assertion consumer service")), site + reverse("saml_acs", args=[obj.slug])))
        else:
            return str(_("The platform's shared application: nothing to register for this district."))
        return format_html_join("", "<p>{}: <code>{}</code></p>", rows)

    def save_model(self, request: HttpRequest, obj: District, form: Any, change: bool) -> None:
        assert isinstance(request.user, User)
        data = form.cleaned_data
        district_save(
            actor=request.user,
            district=obj,
            name=data["name"],
            slug=obj.slug,
            method=data["method"],
            domains=data["domain_list"],
            provider=form.provider_settings(),
            active=data.get("active", True),
            vouches_for_domains=data.get("vouches_for_domains", False),
        )

    def delete_model(self, request: HttpRequest, obj: District) -> None:
        assert isinstance(request.user, User)
        district_delete(actor=request.user, district=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[District]) -> None:
        for district in queryset:
            self.delete_model(request, district)

    # Which provider a district's people trust is the platform's decision, not an issuer's.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_platform_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_platform_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform_admin(request)

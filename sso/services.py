"""Every change to a district's sign-in: made by the platform admin, audited, and kept in step with its allauth app.

A district on OpenID Connect or SAML owns one allauth SocialApp, created and updated here and nowhere else; it is
`hidden`, so allauth's generic provider list never shows one district's button to everybody. Its allauth id is
derived from the district's short name, which is why the short name cannot change once made: linked accounts
and the redirect address registered at the district's provider both name it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.socialaccount.models import SocialAccount, SocialApp
from cryptography import x509
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import Actor, audit_record
from core.errors import FieldError, InvalidInput
from sso.models import District, DistrictDomain

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
OWN_APP_METHODS = (District.Method.OPENID_CONNECT, District.Method.SAML)


@dataclass(frozen=True)
class ProviderSettings:
    """What a district's own provider needs: OpenID Connect's issuer and client, or SAML's identity provider."""

    server_url: str = ""
    client_id: str = ""
    client_secret: str = ""
    idp_entity_id: str = ""
    idp_sso_url: str = ""
    idp_x509cert: str = ""


def domains_parse(text: str) -> list[str]:
    """One domain a line (or separated by commas or spaces), lowercased, an `@` in front allowed."""
    found = [part.strip().lstrip("@").lower().rstrip(".") for part in re.split(r"[\s,]+", text)]
    return list(dict.fromkeys(part for part in found if part))


def _is_web_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("https", "http") and bool(parts.hostname)


def district_check(
    *, district: District | None, slug: str, method: str, domains: list[str], provider: ProviderSettings
) -> None:
    """Raise InvalidInput naming each field that cannot be saved as it is (the short name only when creating)."""
    errors: list[FieldError] = []
    if district is None or district.pk is None:
        errors.extend(_slug_errors(slug))
    if not domains:
        errors.append(FieldError("domains", _("Give at least one email domain, such as district.example.org.")))
    for domain in domains:
        if not _DOMAIN.match(domain):
            errors.append(FieldError("domains", _("“%(domain)s” is not an email domain.") % {"domain": domain}))
    taken = DistrictDomain.objects.filter(domain__in=domains).select_related("district")
    if district is not None and district.pk:
        taken = taken.exclude(district=district)
    for row in taken:
        errors.append(
            FieldError(
                "domains",
                _("%(domain)s already leads to %(district)s.") % {"domain": row.domain, "district": row.district.name},
            )
        )
    if method == District.Method.OPENID_CONNECT:
        if not _is_web_url(provider.server_url):
            errors.append(FieldError("server_url", _("Give the provider's issuer address, starting with https://.")))
        if not provider.client_id:
            errors.append(FieldError("client_id", _("Give the client ID the provider issued for microcred.")))
        if not provider.client_secret and not (district and district.pk and district.social_app.secret):
            errors.append(FieldError("client_secret", _("Give the client secret the provider issued for microcred.")))
    elif method == District.Method.SAML:
        if not provider.idp_entity_id:
            errors.append(FieldError("idp_entity_id", _("Give the identity provider's entity ID.")))
        if not _is_web_url(provider.idp_sso_url):
            errors.append(FieldError("idp_sso_url", _("Give the identity provider's sign-in address (https://…).")))
        if not _certificate_ok(provider.idp_x509cert):
            errors.append(FieldError("idp_x509cert", _("Paste the identity provider's signing certificate (PEM).")))
    elif method in (District.Method.GOOGLE, District.Method.MICROSOFT):
        if _shared_app(method) is None:
            errors.append(
                FieldError(
                    "method",
                    _("No %(provider)s application is set up for the platform yet: add one under Social applications.")
                    % {"provider": District.Method(method).label},
                )
            )
    else:
        errors.append(FieldError("method", _("Choose a sign-in method.")))
    if errors:
        raise InvalidInput(errors)


def _certificate_ok(pem: str) -> bool:
    try:
        x509.load_pem_x509_certificate(_pem(pem).encode())
    except ValueError:
        return False
    return True


def _pem(text: str) -> str:
    body = text.strip()
    if body and "BEGIN CERTIFICATE" not in body:
        body = f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----"
    return body


def _is_own(app: SocialApp) -> bool:
    return str(app.provider_id).startswith("district-")


def _slug_errors(slug: str) -> list[FieldError]:
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) or len(slug) > 60:
        return [FieldError("slug", _("Use lowercase letters, digits and hyphens, at most 60 characters."))]
    if District.objects.filter(slug=slug).exists():
        return [FieldError("slug", _("Another district already has this short name."))]
    return []


def _shared_app(method: str) -> SocialApp | None:
    # The platform's one Google (or Microsoft) application: the one no district owns.
    return SocialApp.objects.filter(provider=method).exclude(provider_id__startswith="district-").order_by("pk").first()


def _own_app_fields(
    *, district_name: str, slug: str, method: str, provider: ProviderSettings, vouched: list[str]
) -> dict[str, Any]:
    # allauth believes a provider's "verified" only for these domains when given a list (or the claim itself when not).
    vouching: dict[str, Any] = {"verified_email": vouched} if vouched else {}
    if method == District.Method.OPENID_CONNECT:
        return {
            "provider": "openid_connect",
            "provider_id": f"district-{slug}",
            "name": district_name,
            "client_id": provider.client_id,
            "settings": {"server_url": provider.server_url, "oauth_pkce_enabled": True, "hidden": True, **vouching},
        }
    return {
        "provider": "saml",
        "provider_id": f"district-{slug}",
        "name": district_name,
        # allauth names a SAML organisation in its URLs by the app's client_id.
        "client_id": slug,
        "settings": {
            "hidden": True,
            **vouching,
            "idp": {
                "entity_id": provider.idp_entity_id,
                "sso_url": provider.idp_sso_url,
                "x509cert": _pem(provider.idp_x509cert),
            },
            # Only a response whose assertion the district's key signed is believed, and only one we asked for.
            "advanced": {"strict": True, "want_assertion_signed": True, "reject_idp_initiated_sso": True},
        },
    }


@transaction.atomic
def district_save(
    *,
    actor: Actor,
    district: District | None,
    name: str,
    slug: str,
    method: str,
    domains: list[str],
    provider: ProviderSettings,
    active: bool = True,
    vouches_for_domains: bool = False,
) -> District:
    """Create or change a district and its provider. A secret left blank on a change keeps the stored one.

    `vouches_for_domains` is honoured for a district's own provider only: the platform's shared Google or Microsoft
    application is one for every district, and those providers state verification themselves."""
    district_check(district=district, slug=slug, method=method, domains=domains, provider=provider)
    creating = district is None or district.pk is None
    if district is None:
        district = District()
    # What is stored, not what a form may already have written onto the instance it hands in.
    stored = None if creating else District.objects.select_related("social_app").get(pk=district.pk)
    old = "" if stored is None else _summary(stored)
    if stored is not None:
        slug = stored.slug
    own_before = stored.social_app if stored is not None and _is_own(stored.social_app) else None
    if method in OWN_APP_METHODS:
        vouched = domains if vouches_for_domains else []
        fields = _own_app_fields(district_name=name, slug=slug, method=method, provider=provider, vouched=vouched)
        app = own_before if own_before is not None and own_before.provider == fields["provider"] else SocialApp()
        for key, value in fields.items():
            setattr(app, key, value)
        if method == District.Method.OPENID_CONNECT and provider.client_secret:
            app.secret = provider.client_secret
        app.save()
    else:
        shared = _shared_app(method)
        assert shared is not None  # district_check refused otherwise
        app = shared
    district.name, district.slug, district.method, district.active = name, slug, method, active
    district.vouches_for_domains = vouches_for_domains and method in OWN_APP_METHODS
    district.social_app = app
    district.save()
    unlinked = 0
    if own_before is not None and own_before.pk != app.pk:
        # A new kind of provider names people differently: links made through the old one would name strangers.
        unlinked, _counts = SocialAccount.objects.filter(provider=own_before.provider_id).delete()
        own_before.delete()
    district.domains.exclude(domain__in=domains).delete()
    present = set(district.domains.values_list("domain", flat=True))
    DistrictDomain.objects.bulk_create(DistrictDomain(district=district, domain=d) for d in domains if d not in present)
    audit_record(
        action="district.created" if creating else "district.changed",
        subject=district,
        actor=actor,
        old=old,
        new=_summary(district),
        data={
            "method": method,
            "domains": domains,
            "active": active,
            "vouches_for_domains": district.vouches_for_domains,
            "links_removed": unlinked,
        },
    )
    return district


@transaction.atomic
def district_delete(*, actor: Actor, district: District) -> None:
    """Remove a district; its own provider app goes with it, and so do the accounts linked through that app."""
    audit_record(action="district.deleted", subject=district, actor=actor, old=_summary(district))
    own = district.social_app if _is_own(district.social_app) else None
    district.delete()
    if own is not None:
        SocialAccount.objects.filter(provider=own.provider_id).delete()
        own.delete()


def _summary(district: District) -> str:
    domains = ", ".join(district.domains.values_list("domain", flat=True))
    return f"{district.name} ({district.get_method_display()}; {domains})"

"""Dynamic client registration (RFC 7591) at the URL the discovery document advertises.

Written here rather than taken from django-oauth-toolkit's own registration view: that view keeps only the
client's name, redirect URIs and grant type, so the consent page could not show the earner who made the app,
its site, terms and privacy policy, and the client's registered scopes would not bound what it may ask for
later; it accepts any http redirect URI, where the Open Badges API needs https (or loopback, RFC 8252); and it
answers untranslated messages. What it would add, RFC 7592's management of a registration, no backpack needs:
a client registers again instead. The client gets a DOT Application, so the token endpoint, PKCE and
revocation stay django-oauth-toolkit's.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.translation import gettext as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import Application

from core.audit import audit_record
from ob3 import scopes as ob3_scopes
from ob3.models import ClientRegistration

MAX_URI = 2000
MAX_REDIRECT_URIS = 10
LOOPBACK_NAMES = frozenset({"localhost"})
AUTH_METHODS = frozenset({"client_secret_basic", "client_secret_post"})


class RegistrationError(Exception):
    """RFC 7591 §3.2.2: `error` is invalid_redirect_uri or invalid_client_metadata; the description names the field."""

    def __init__(self, error: str, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.error = error
        self.field = field
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {"error": self.error, "error_description": f"{self.field}: {self.message}"}


@dataclass
class ClientMetadata:
    client_name: str
    redirect_uris: list[str]
    scope: list[str]
    token_endpoint_auth_method: str = "client_secret_basic"
    uris: dict[str, str] = field(default_factory=dict)  # client_uri, logo_uri, tos_uri, policy_uri
    software_id: str = ""
    software_version: str = ""


def _text(data: dict[str, Any], name: str, *, required: bool = False, max_length: int = 200) -> str:
    value = data.get(name)
    if value is None:
        if required:
            raise RegistrationError("invalid_client_metadata", name, _("is required"))
        return ""
    if not isinstance(value, str):
        raise RegistrationError("invalid_client_metadata", name, _("must be a string"))
    value = value.strip()
    if required and not value:
        raise RegistrationError("invalid_client_metadata", name, _("must not be empty"))
    if len(value) > max_length:
        raise RegistrationError(
            "invalid_client_metadata", name, _("must be at most %(n)d characters") % {"n": max_length}
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise RegistrationError("invalid_client_metadata", name, _("must not contain control characters"))
    return value


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def uri_check(value: object, *, name: str, error: str = "invalid_client_metadata", redirect: bool = False) -> str:
    """An absolute https URI, or http on a loopback address (a native app's redirect, RFC 8252 §7.3)."""
    if not isinstance(value, str) or not value.strip():
        raise RegistrationError(error, name, _("must be a non-empty string"))
    value = value.strip()
    if len(value) > MAX_URI:
        raise RegistrationError(error, name, _("must be at most %(n)d characters") % {"n": MAX_URI})
    if any(ord(c) <= 32 or ord(c) == 127 for c in value):
        raise RegistrationError(error, name, _("must not contain spaces or control characters"))
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises ValueError on a port that is not a number)
    except ValueError:
        raise RegistrationError(error, name, _("is not a valid URI")) from None
    if not host:
        raise RegistrationError(error, name, _("must be an absolute URI with a host"))
    if parts.username or parts.password:
        raise RegistrationError(error, name, _("must not carry a user name or password"))
    if redirect and parts.fragment:
        raise RegistrationError(error, name, _("must not have a fragment (#...)"))
    if parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(host)):
        return value
    raise RegistrationError(error, name, _("must use https (http is accepted only on a loopback address)"))


def _string_list(data: dict[str, Any], name: str, default: list[str]) -> list[str]:
    value = data.get(name, default)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RegistrationError("invalid_client_metadata", name, _("must be an array of strings"))
    return value


def metadata_validate(data: object) -> ClientMetadata:
    """The registration request checked field by field; the first problem is refused, naming its field.
    Metadata this server does not use (contacts, jwks, ...) is ignored, as RFC 7591 §2 asks."""
    if not isinstance(data, dict):
        raise RegistrationError("invalid_client_metadata", "body", _("must be a JSON object"))
    name = _text(data, "client_name", required=True, max_length=100)

    uris = data.get("redirect_uris")
    if not isinstance(uris, list) or not uris:
        raise RegistrationError("invalid_redirect_uri", "redirect_uris", _("must be a non-empty array of URIs"))
    if len(uris) > MAX_REDIRECT_URIS:
        raise RegistrationError(
            "invalid_redirect_uri", "redirect_uris", _("must list at most %(n)d URIs") % {"n": MAX_REDIRECT_URIS}
        )
    redirect_uris = [
        uri_check(u, name=f"redirect_uris[{n}]", error="invalid_redirect_uri", redirect=True)
        for n, u in enumerate(uris)
    ]

    page_uris = {
        key: uri_check(data[key], name=key)
        for key in ("client_uri", "logo_uri", "tos_uri", "policy_uri")
        if key in data
    }

    grant_types = _string_list(data, "grant_types", ["authorization_code"])
    if "authorization_code" not in grant_types or not set(grant_types) <= {"authorization_code", "refresh_token"}:
        raise RegistrationError(
            "invalid_client_metadata", "grant_types", _('may hold only "authorization_code" and "refresh_token"')
        )
    if _string_list(data, "response_types", ["code"]) != ["code"]:
        raise RegistrationError("invalid_client_metadata", "response_types", _('must be ["code"]'))
    method = data.get("token_endpoint_auth_method", "client_secret_basic")
    if method not in AUTH_METHODS:
        raise RegistrationError(
            "invalid_client_metadata",
            "token_endpoint_auth_method",
            _('must be "client_secret_basic" or "client_secret_post"'),
        )

    scope_text = data.get("scope")
    if scope_text is None:
        scope = list(ob3_scopes.DEFAULT_REGISTERED)
    elif not isinstance(scope_text, str) or not scope_text.split():
        raise RegistrationError("invalid_client_metadata", "scope", _("must be a space-separated string of scopes"))
    else:
        scope = list(dict.fromkeys(scope_text.split()))
        unknown = [s for s in scope if s not in ob3_scopes.SUPPORTED]
        if unknown:
            raise RegistrationError(
                "invalid_client_metadata",
                "scope",
                _("%(scope)s is not a scope of this server; see the discovery document") % {"scope": unknown[0]},
            )
    return ClientMetadata(
        client_name=name,
        redirect_uris=redirect_uris,
        scope=scope,
        token_endpoint_auth_method=str(method),
        uris=page_uris,
        software_id=_text(data, "software_id"),
        software_version=_text(data, "software_version", max_length=100),
    )


def client_register(*, metadata: ClientMetadata) -> tuple[ClientRegistration, str]:
    """Creates the client and answers its registration with the client secret, which is stored only hashed."""
    secret = generate_client_secret()
    with transaction.atomic():
        application = Application(
            name=metadata.client_name,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(metadata.redirect_uris),
            client_secret=secret,
            skip_authorization=False,
        )
        application.full_clean()
        application.save()
        registration = ClientRegistration.objects.create(
            application=application,
            scope=" ".join(metadata.scope),
            token_endpoint_auth_method=metadata.token_endpoint_auth_method,
            software_id=metadata.software_id,
            software_version=metadata.software_version,
            **metadata.uris,
        )
        audit_record(
            action="oauth_client.registered",
            subject=registration,
            actor=None,
            new=metadata.client_name,
            data={"client_id": application.client_id, "redirect_uris": metadata.redirect_uris, "scope": metadata.scope},
        )
    return registration, secret


def registration_answer(registration: ClientRegistration, secret: str) -> dict[str, Any]:
    application = registration.application
    answer: dict[str, Any] = {
        "client_id": application.client_id,
        "client_secret": secret,
        "client_id_issued_at": int(registration.registered_at.timestamp()),
        # 0: the secret does not expire (RFC 7591 §3.2.1); the earner ends a connection on the connected-apps page.
        "client_secret_expires_at": 0,
        "client_name": application.name,
        "redirect_uris": application.redirect_uris.split(),
        "token_endpoint_auth_method": registration.token_endpoint_auth_method,
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": registration.scope,
    }
    for key in ("client_uri", "logo_uri", "tos_uri", "policy_uri", "software_id", "software_version"):
        if getattr(registration, key):
            answer[key] = getattr(registration, key)
    return answer

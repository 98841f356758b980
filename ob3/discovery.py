"""The Service Description Document at /ims/ob/v3p0/discovery: an OpenAPI 3.0 document of this API whose
OAuth2ACG security scheme carries the registration URL (x-imssf-registrationUrl) and the authorization code
flow's URLs and scopes, as the Open Badges 3.0 specification's discovery section lays it out. URLs are built
from SITE_URL, never from the request's Host header."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from ob3 import scopes as ob3_scopes

BASE_PATH = "/ims/ob/v3p0"


def _absolute(name: str) -> str:
    return settings.SITE_URL + reverse(name)


def _operation(operation_id: str, summary: str, scope: str | None, codes: list[str]) -> dict[str, Any]:
    responses: dict[str, Any] = {
        code: {"description": summary if code.startswith("2") else "Imsx_StatusInfo"} for code in codes
    }
    responses["default"] = {"description": _("The request was invalid or cannot be served (Imsx_StatusInfo).")}
    operation: dict[str, Any] = {"operationId": operation_id, "summary": summary, "responses": responses}
    if scope is not None:
        operation["security"] = [{"OAuth2ACG": [scope]}]
    return operation


def service_description() -> dict[str, Any]:
    errors = ["400", "401", "403", "404", "500"]
    token_url = _absolute("ob3:token")
    return {
        "openapi": "3.0.1",
        "info": {
            "title": "microcred Open Badges API",
            "version": "3.0",
            "description": _("The Open Badges 3.0 credentials that educators earned on microcred, with their consent."),
            "termsOfService": settings.SITE_URL + "/",
            "x-imssf-privacyPolicyUrl": settings.SITE_URL + "/",
            "x-imssf-image": settings.SITE_URL + "/static/favicon.svg",
        },
        "servers": [{"url": settings.SITE_URL + BASE_PATH}],
        "tags": [{"name": "OpenBadgeCredentials"}, {"name": "Profile"}, {"name": "Discovery"}],
        "paths": {
            "/credentials": {
                "get": {
                    **_operation(
                        "getCredentials",
                        _("The earner's credentials"),
                        ob3_scopes.CREDENTIAL_READONLY,
                        ["200", *errors],
                    ),
                    "tags": ["OpenBadgeCredentials"],
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                        {"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}},
                    ],
                },
                "post": {
                    **_operation(
                        "upsertCredential",
                        _("A credential microcred issued to the earner"),
                        ob3_scopes.CREDENTIAL_UPSERT,
                        ["200", *errors],
                    ),
                    "tags": ["OpenBadgeCredentials"],
                },
            },
            "/profile": {
                "get": {
                    **_operation(
                        "getProfile", _("The earner's profile"), ob3_scopes.PROFILE_READONLY, ["200", *errors]
                    ),
                    "tags": ["Profile"],
                },
                "put": {
                    **_operation(
                        "putProfile", _("The earner's profile, updated"), ob3_scopes.PROFILE_UPDATE, ["200", *errors]
                    ),
                    "tags": ["Profile"],
                },
            },
            "/discovery": {
                "get": {
                    **_operation("getServiceDescription", _("This document"), None, ["200"]),
                    "tags": ["Discovery"],
                },
            },
        },
        "components": {
            "securitySchemes": {
                "OAuth2ACG": {
                    "type": "oauth2",
                    "description": _("OAuth 2.0 authorization code grant with PKCE (S256)"),
                    "x-imssf-name": "microcred",
                    "x-imssf-registrationUrl": _absolute("ob3:register"),
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": _absolute("ob3:authorize"),
                            "tokenUrl": token_url,
                            "refreshUrl": token_url,
                            "scopes": {scope: str(ob3_scopes.LABELS[scope]) for scope in ob3_scopes.OB_SCOPES},
                        }
                    },
                }
            },
            "schemas": {},
        },
    }

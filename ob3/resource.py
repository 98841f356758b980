"""Who an OB 3.0 API request acts for: the earner whose access token it carries, with the scope it needs.

Only an access token issued by our authorization server counts, and only in the Authorization header: the
browser session is never accepted here (a backpack acts for an earner only with their consent), and the
/api/v1 personal access tokens are another thing again. No or a bad token is 401, a good token without the
endpoint's scope is 403, each with the RFC 6750 challenge."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from oauth2_provider.models import AccessToken
from oauth2_provider.oauth2_backends import get_oauthlib_core

from accounts.models import User
from ob3.status import Refusal

REALM = 'Bearer realm="microcred"'


def token_user(request: HttpRequest, *, scope: str) -> tuple[User, AccessToken]:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        raise Refusal(
            401,
            "unauthorizedrequest",
            _("Send an access token in the Authorization header (Bearer); get one with the earner's consent."),
            headers={"WWW-Authenticate": REALM},
        )
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    token = getattr(oauth_request, "access_token", None) if valid else None
    user = token.user if token is not None else None
    if token is None or user is None or not user.is_active:
        raise Refusal(
            401,
            "unauthorizedrequest",
            _("The access token is not valid: it has expired, been revoked or never existed."),
            headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
        )
    if not token.allow_scopes([scope]):
        raise Refusal(
            403,
            "forbidden",
            _("The access token does not carry the scope this request needs: %(scope)s") % {"scope": scope},
            headers={"WWW-Authenticate": f'{REALM}, error="insufficient_scope", scope="{scope}"'},
        )
    return user, token

"""The Open Badges 3.0 API's scopes, as the specification names them, and what a client may ask for.

django-oauth-toolkit asks `SCOPES_BACKEND_CLASS` which scopes a request may carry; this one answers with the
scopes the client registered (ob3/registration.py), so a client registered to read cannot be granted the right
to write by changing its authorization request.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from oauth2_provider.scopes import BaseScopes

_BASE = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
CREDENTIAL_READONLY = _BASE + "credential.readonly"
CREDENTIAL_UPSERT = _BASE + "credential.upsert"
PROFILE_READONLY = _BASE + "profile.readonly"
PROFILE_UPDATE = _BASE + "profile.update"
# Not an OB scope: clients (the specification's own example among them) ask for it to get a refresh token.
OFFLINE_ACCESS = "offline_access"

# What the earner reads on the consent and connected-apps pages, one sentence per scope.
LABELS: dict[str, Promise] = {
    CREDENTIAL_READONLY: _("Read the Open Badges credentials you have earned on microcred"),
    CREDENTIAL_UPSERT: _("Send credentials to microcred (only those microcred issued to you are accepted)"),
    PROFILE_READONLY: _("Read your profile: your name and email address"),
    PROFILE_UPDATE: _("Change the name on your profile"),
    OFFLINE_ACCESS: _("Keep this access when you are not using the app, until you disconnect it"),
}
OB_SCOPES = (CREDENTIAL_READONLY, CREDENTIAL_UPSERT, PROFILE_READONLY, PROFILE_UPDATE)
SUPPORTED = frozenset(LABELS)
# What a registration that names no scope gets: reading, which is what a backpack comes for.
DEFAULT_REGISTERED = (CREDENTIAL_READONLY, PROFILE_READONLY)


def labelled(scopes: list[str] | tuple[str, ...]) -> list[tuple[str, str]]:
    """(scope, sentence) in the specification's order, unknown scopes (there should be none) as they are."""
    order = {scope: n for n, scope in enumerate(LABELS)}
    return [(s, str(LABELS.get(s, s))) for s in sorted(set(scopes), key=lambda s: order.get(s, len(order)))]


class RegisteredScopes(BaseScopes):
    def get_all_scopes(self) -> dict[str, str]:
        return {scope: str(label) for scope, label in LABELS.items()}

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        from ob3.models import ClientRegistration

        if application is None:
            return []
        registration = ClientRegistration.objects.filter(application=application).first()
        # An application made some other way (the admin site) has no registration, so no OB scope at all.
        return registration.scopes if registration is not None else []

    def get_default_scopes(self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any) -> list[str]:
        available = self.get_available_scopes(application, request)
        return [s for s in DEFAULT_REGISTERED if s in available]

"""Changes made through the OB 3.0 API and the connected-apps page, each audited."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken

from accounts.models import User
from accounts.services import profile_update
from awards.jsonld import OB_V3
from core.audit import audit_record
from ob3.status import Refusal

# The Profile properties the earner's profile has; anything else in a PUT is refused by name, not dropped.
PROFILE_KEYS = frozenset({"@context", "type", "id", "name", "email"})


def profile_id(user: User) -> str:
    return f"{settings.SITE_URL}/ims/ob/v3p0/profile/{user.pk}"


def profile_document(user: User) -> dict[str, Any]:
    return {"@context": [OB_V3], "type": "Profile", "id": profile_id(user), "name": user.name, "email": user.email}


def profile_put(*, user: User, application: Application, body: object) -> User:
    """A Profile sent by an app the earner allowed to update it: only the name can change. The email address
    changes only on microcred itself, where the new address is confirmed first."""
    if not isinstance(body, dict):
        raise Refusal(400, "invalid_data", _("Send the profile as a JSON object."))
    unknown = sorted(set(body) - PROFILE_KEYS)
    if unknown:
        raise Refusal(
            400,
            "invalid_data",
            _("%(field)s: microcred keeps no such property for an earner; send only name (and id, email unchanged).")
            % {"field": unknown[0]},
        )
    if "id" in body and body["id"] != profile_id(user):
        raise Refusal(400, "invalid_data", _("id: this is not the profile of the earner who gave the token."))
    if "email" in body and (not isinstance(body["email"], str) or body["email"].strip().lower() != user.email.lower()):
        raise Refusal(
            400,
            "invalid_data",
            _("email: the address can be changed only on microcred, where the new one is confirmed first."),
        )
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise Refusal(400, "invalid_data", _("name: is required, as a non-empty string."))
    if len(name.strip()) > 150 or any(ord(c) < 32 for c in name):
        raise Refusal(400, "invalid_data", _("name: must be at most 150 characters, without control characters."))
    old = user.name
    with transaction.atomic():
        profile_update(user=user, name=name, organisation=user.organisation)
        if user.name != old:
            audit_record(
                action="profile.updated_by_app",
                subject=user,
                actor=user,
                old=old,
                new=user.name,
                data={"client_id": application.client_id, "client_name": application.name},
            )
    return user


def consent_record(*, user: User, application: Application, scopes: list[str]) -> None:
    audit_record(
        action="oauth_client.consented",
        subject=application,
        actor=user,
        new=" ".join(scopes),
        data={"client_id": application.client_id, "client_name": application.name},
    )


def connected_app_revoke(*, user: User, application: Application, reason: str = "the earner disconnected it") -> int:
    """Ends everything the app holds for this earner: refresh tokens (revoked, and their access tokens with
    them), access tokens and unused authorization codes. Answers how many tokens were ended."""
    with transaction.atomic():
        ended = 0
        for refresh in RefreshToken.objects.filter(user=user, application=application, revoked__isnull=True):
            refresh.revoke()
            ended += 1
        ended += AccessToken.objects.filter(user=user, application=application).delete()[0]
        Grant.objects.filter(user=user, application=application).delete()
        audit_record(
            action="oauth_client.disconnected",
            subject=application,
            actor=user,
            old=application.name,
            data={"client_id": application.client_id, "reason": reason, "tokens": ended},
        )
    return ended


def connected_apps_revoke_all(*, user: User, reason: str) -> None:
    """Every app loses its access to the earner (a changed password, an account closed or erased)."""
    ids = set(AccessToken.objects.filter(user=user).values_list("application_id", flat=True)) | set(
        RefreshToken.objects.filter(user=user, revoked__isnull=True).values_list("application_id", flat=True)
    )
    for application in Application.objects.filter(pk__in=ids):
        connected_app_revoke(user=user, application=application, reason=reason)

"""Making and revoking personal access tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from api.models import PersonalAccessToken
from core.errors import InvalidInput, InvalidState, NotAllowed

TOKEN_PREFIX = "mct_"
MAX_ACTIVE_TOKENS = 20


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_create(*, user: User, name: str, expires_at: datetime | None = None) -> tuple[PersonalAccessToken, str]:
    """A new token for `user`; returns the stored row and the token itself, which is never shown again."""
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput.on("name", "give the token a name, such as the program that will use it")
    if len(name) > 100:
        raise InvalidInput.on("name", "use at most 100 characters")
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput.on("expires_at", "choose a moment in the future, or none for a token that does not expire")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        active = PersonalAccessToken.objects.filter(user=user, revoked_at__isnull=True).count()
        if active >= MAX_ACTIVE_TOKENS:
            raise InvalidState(
                f"you already have {MAX_ACTIVE_TOKENS} tokens; revoke one you no longer use, then try again"
            )
        row = PersonalAccessToken.objects.create(
            user=user, name=name, prefix=secret[:10], token_hash=token_hash(secret), expires_at=expires_at
        )
    return row, secret


def token_revoke(*, token: PersonalAccessToken, actor: User) -> PersonalAccessToken:
    if token.user_id != actor.pk:
        raise NotAllowed("only its owner may revoke a token")
    # Conditional, so revoking twice keeps the first moment of revocation.
    PersonalAccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token


def token_authenticate(*, token: str) -> User | None:
    """The active user a token belongs to, or None for an unknown, revoked or expired token."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = PersonalAccessToken.objects.select_related("user").filter(token_hash=token_hash(token)).first()
    if row is None or not row.is_active or not row.user.is_active:
        return None
    now = timezone.now()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        # At most one write a minute per token: a busy client must not turn every read into a write.
        PersonalAccessToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user

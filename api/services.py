"""Making and revoking personal access tokens.

A token is made with a scope (read unless write is asked for) and an expiry at most
settings.API_TOKEN_MAX_DAYS ahead (API_TOKEN_DEFAULT_DAYS when none is given): a leaked token is then
limited in what it can do and for how long. Making and revoking are recorded in the audit log.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from api.models import PersonalAccessToken, TokenScope
from core.audit import audit_record
from core.compiled import CompiledModels
from core.errors import InvalidInput, InvalidState, NotAllowed

TOKEN_PREFIX = "mct_"
MAX_ACTIVE_TOKENS = 20
# A token's last use is recorded to within this, so a busy token costs one write a minute, not one a request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_create(
    *, user: User, name: str, expires_at: datetime | None = None, scope: str = TokenScope.READ
) -> tuple[PersonalAccessToken, str]:
    """A new token for `user`; returns the stored row and the token itself, which is never shown again."""
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput.on("name", "give the token a name, such as the program that will use it")
    if len(name) > 100:
        raise InvalidInput.on("name", "use at most 100 characters")
    if scope not in TokenScope.values:
        raise InvalidInput.on("scope", "choose read (GET requests only) or write (changes as well)")
    now = timezone.now()
    longest = timedelta(days=settings.API_TOKEN_MAX_DAYS)
    if expires_at is None:
        expires_at = now + timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)
    elif expires_at <= now:
        raise InvalidInput.on("expires_at", "choose a moment in the future")
    elif expires_at > now + longest:
        raise InvalidInput.on(
            "expires_at",
            f"choose a moment at most {settings.API_TOKEN_MAX_DAYS} days ahead; make a new token when this one ends",
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        active = PersonalAccessToken.objects.filter(user=user, revoked_at__isnull=True).count()
        if active >= MAX_ACTIVE_TOKENS:
            raise InvalidState(
                f"you already have {MAX_ACTIVE_TOKENS} tokens; revoke one you no longer use, then try again"
            )
        row = PersonalAccessToken.objects.create(
            user=user,
            name=name,
            prefix=secret[:10],
            token_hash=token_hash(secret),
            expires_at=expires_at,
            scope=scope,
        )
        audit_record(
            action="token.created",
            subject=row,
            actor=user,
            new=f"{row.name} ({row.scope})",
            data={"user_id": user.pk, "scope": row.scope, "expires_at": expires_at.isoformat()},
        )
    return row, secret


def token_revoke(*, token: PersonalAccessToken, actor: User) -> PersonalAccessToken:
    if token.user_id != actor.pk:
        raise NotAllowed("only its owner may revoke a token")
    with transaction.atomic():
        _revoke(token, actor=actor, reason="revoked by its owner")
    token.refresh_from_db(fields=["revoked_at"])
    return token


def tokens_revoke_all(*, user: User, reason: str) -> int:
    """Revoke every token `user` still has (their password changed, say); answers how many.

    The platform acts here, not a person (api.signals calls it whoever changed the password), so the
    audit rows have no actor and say why."""
    with transaction.atomic():
        rows = list(PersonalAccessToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
        return sum(_revoke(row, actor=None, reason=reason) for row in rows)


def _revoke(token: PersonalAccessToken, *, actor: User | None, reason: str) -> bool:
    # Conditional, so revoking twice keeps the first moment of revocation and records it once.
    if not PersonalAccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        return False
    audit_record(
        action="token.revoked",
        subject=token,
        actor=actor,
        old=f"{token.name} ({token.scope})",
        new="revoked",
        data={"user_id": token.user_id, "reason": reason},
    )
    return True


def token_authenticate(*, token: str) -> User | None:
    """The active user a token belongs to, or None for an unknown, revoked or expired token."""
    row = token_find(token=token)
    return row.user if row is not None else None


# Every API request with a token makes this lookup first: its SQL is built once per connection (the hash is unique).
_BY_HASH: CompiledModels[PersonalAccessToken] = CompiledModels(
    lambda digest: PersonalAccessToken.objects.select_related("user").filter(token_hash=digest).order_by(), str
)


def token_find(*, token: str) -> PersonalAccessToken | None:
    """The active token row (with its active user) that `token` is, or None; records its use."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = _BY_HASH.one(token_hash(token))
    if row is None or not row.is_active or not row.user.is_active:
        return None
    now = timezone.now()
    stale = now - LAST_USED_RESOLUTION
    if row.last_used_at is None or row.last_used_at < stale:
        # At most one write a minute per token: a busy client must not turn every read into a write (on
        # SQLite each write queues for the one write lock). Conditional, so concurrent requests that all
        # saw a stale value make one UPDATE that changes a row and others that match none.
        PersonalAccessToken.objects.filter(pk=row.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale)
        ).update(last_used_at=now)
    return row

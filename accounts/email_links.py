"""Single-use links sent by email: a random token in the link, only its digest in the database, and an expiry.

A link is the key to one thing (answering an invitation, a guardian's consent): whoever holds the email can use
it, nobody can guess it, and a copy of the table opens nothing. The caller stores `digest` and `expires_at` on
its row, looks the row up by `link_digest(token)` and clears or replaces the digest once the link is used.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class EmailLink:
    token: str  # goes into the emailed URL only; never stored
    digest: str
    expires_at: datetime


def link_digest(token: str) -> str:
    # The token is 256 random bits, so a plain digest is enough: nothing to guess, and the table holds no link.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def link_new(*, valid: timedelta, now: datetime | None = None) -> EmailLink:
    """A fresh token with its digest and the moment it stops working."""
    token = secrets.token_urlsafe(32)
    return EmailLink(token=token, digest=link_digest(token), expires_at=(now or timezone.now()) + valid)


def absolute_url(path: str) -> str:
    """A path of this site as a link in an email."""
    return settings.SITE_URL + path

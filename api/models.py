"""Personal access tokens: how API clients act for a user without the browser's session.

Only a SHA-256 hash of each token is stored, so a copy of the database does not hand out working
tokens; the token itself is shown once, when it is made. A token is looked up by its hash (unique
index), which is also why no constant-time comparison is needed.

A token reads only, unless it was made with the write scope; it lives at most a year (api.services);
and changing or resetting the owner's password revokes every token they have (api.signals).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class TokenScope(models.TextChoices):
    READ = "read", "Read only"
    WRITE = "write", "Read and write"


class PersonalAccessToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, so its owner recognises it later.")
    prefix = models.CharField(max_length=12, help_text="The token's first characters, shown to tell tokens apart.")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    scope = models.CharField(
        max_length=5,
        choices=TokenScope.choices,
        default=TokenScope.READ,
        help_text="read: GET requests only; write: changes as well.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) of {self.user}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

    @property
    def may_write(self) -> bool:
        return self.scope == TokenScope.WRITE

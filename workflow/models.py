"""What workflow itself keeps: an educator's request to delete their account, between asking and erasure.

The request spans rooms (submissions, reviews, awards, notifications, accounts), so it lives with the one
owner of cross-room work. workflow/erasure.py acts on it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class DeletionRequest(models.Model):
    """One person's request to delete their account. While `erased_at` is empty they may cancel it (the row
    is then removed and the account works again); `accounts_erase_due` erases the account once `erase_after`
    has passed and stamps `erased_at`, which is all that is kept of the request."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deletion_request")
    requested_at = models.DateTimeField()
    erase_after = models.DateTimeField()
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Serves accounts_erase_due: WHERE erased_at IS NULL AND erase_after <= now.
            models.Index(fields=["erase_after"], condition=Q(erased_at__isnull=True), name="deletion_due"),
        ]

    def __str__(self) -> str:
        state = f"erased {self.erased_at:%Y-%m-%d}" if self.erased_at else f"due {self.erase_after:%Y-%m-%d}"
        return f"deletion of user {self.user_id} ({state})"

    @property
    def is_pending(self) -> bool:
        return self.erased_at is None

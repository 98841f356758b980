"""Coaching before submitting: an educator shares a draft with a named coach, who reads it and leaves comments
anchored to a field; the educator sees them beside that field and resolves them.

A share is live while it is neither revoked nor ended and its draft has not been submitted since it was made
(coaching.selectors.share_state): submitting ends it whether or not workflow has marked `ended_at` yet.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from submissions.models import Submission


class CoachRole(models.TextChoices):
    """Who the coach is to the educator: said in the invitation and on both sides' pages."""

    MENTOR = "mentor", _("Mentor")
    CHAPTER_ADVISOR = "chapter_advisor", _("Chapter advisor")
    COLLEAGUE = "colleague", _("Colleague")
    OTHER = "other", _("Other coach")


class CoachingShare(models.Model):
    """One draft shared with one coach. Made for an address; bound to an account (`coach`) at once when the address
    has one, else when the emailed single-use link is accepted by whoever is signed in when opening it
    (accounts/email_links.py: only the digest is stored)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="coaching_shares")
    email = models.EmailField(max_length=254)  # the address the educator named, lower case
    role = models.CharField(max_length=20, choices=CoachRole.choices, default=CoachRole.MENTOR)
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="coaching_shares"
    )
    # Whether the coach may open the draft's evidence files (never those marked as holding student data).
    files_allowed = models.BooleanField(default=False)
    token_hash = models.CharField(max_length=64, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)  # the draft was submitted

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One live share per address and per coach on a draft: sharing twice is refused by name, and this is
            # the last line against two tabs sharing at once.
            models.UniqueConstraint(
                fields=["submission", "email"],
                condition=Q(revoked_at__isnull=True, ended_at__isnull=True),
                name="coaching_share_one_live_email",
            ),
            models.UniqueConstraint(
                fields=["submission", "coach"],
                condition=Q(revoked_at__isnull=True, ended_at__isnull=True, coach__isnull=False),
                name="coaching_share_one_live_coach",
            ),
        ]
        indexes = [
            # Serves shares_for_coach: WHERE coach_id = ? (and still open) ORDER BY created_at DESC.
            models.Index(fields=["coach", "-created_at"], name="coaching_share_coach_recent"),
            # The emailed link is looked up by its digest.
            models.Index(fields=["token_hash"], name="coaching_share_token_hash"),
        ]

    def __str__(self) -> str:
        return f"submission {self.submission_id} shared with {self.email}"

    @property
    def is_open(self) -> bool:
        """Not revoked nor marked ended (the selector also asks whether the draft was submitted since)."""
        return self.revoked_at is None and self.ended_at is None


class CoachComment(models.Model):
    """A coach's comment on one field of a shared draft. `submission` repeats the share's, so the educator's step
    reads the open comments of a draft in one indexed query."""

    share = models.ForeignKey(CoachingShare, on_delete=models.CASCADE, related_name="comments")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="+")
    field_ref = models.CharField(max_length=130)  # "part.field", as the definition names it
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # Serves comments_open_for_submission: WHERE submission_id = ? AND resolved_at IS NULL.
            models.Index(fields=["submission", "resolved_at"], name="coach_comment_open"),
        ]

    def __str__(self) -> str:
        return f"comment on {self.field_ref} of submission {self.submission_id}"

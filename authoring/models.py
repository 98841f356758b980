"""An issuer's working copy of a credential definition, edited in the browser and published as a new
immutable catalog version, and the sign-off of the draft markers the platform left in the text."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from catalog.models import Credential, CredentialVersion, Issuer


class CredentialDraft(models.Model):
    """The text being edited, kept as plain JSON so a half-finished edit is never lost even while it does not
    yet validate; publishing validates it with the loader's schema. One open draft per credential; a new
    credential's draft has no credential until it is first published."""

    issuer = models.ForeignKey(Issuer, on_delete=models.CASCADE, related_name="drafts")
    # The slug the draft publishes as, fixed when it starts (the credential's own, or the one chosen for a new
    # credential): the pages address a draft by it, and it is unique, so it is one draft per credential too.
    slug = models.SlugField(max_length=80)
    credential = models.ForeignKey(Credential, null=True, blank=True, on_delete=models.CASCADE, related_name="drafts")
    # The version the draft started from: what the diff compares against and what a conflicting publish detects.
    base_version = models.ForeignKey(
        CredentialVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    definition = models.JSONField()
    # Bumped on every save; a form posts the revision it was drawn from, so two tabs cannot overwrite each other.
    revision = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["credential"], condition=Q(credential__isnull=False), name="draft_one_per_credential"
            ),
            models.UniqueConstraint(fields=["slug"], name="draft_one_per_slug"),
        ]

    def __str__(self) -> str:
        return f"draft of {self.credential.slug if self.credential else 'a new credential'} (r{self.revision})"


class MarkerSignoff(models.Model):
    """An issuer admin accepted one piece of platform-written text (a `draft: true` item or a `draft_fields`
    entry). Signing off takes the marker out of the working draft; it shows on the pages once that draft is
    published, and `published_version` then says where."""

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="marker_signoffs")
    draft = models.ForeignKey(
        CredentialDraft, null=True, blank=True, on_delete=models.SET_NULL, related_name="signoffs"
    )
    # Where the marker is in the definition, as the loader names places ("sections.key_method",
    # "review_policy.draft_fields.pass_rule"), and the words the list showed for it.
    marker = models.CharField(max_length=300)
    label = models.CharField(max_length=300)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()
    published_version = models.ForeignKey(
        CredentialVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["signed_at", "id"]
        indexes = [models.Index(fields=["credential", "marker"], name="signoff_credential_marker")]

    def __str__(self) -> str:
        return f"{self.marker} signed off by {self.signed_by_id}"

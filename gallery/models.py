"""The certified examples gallery: an earned submission offered by its earner and curated by the issuer.

One row per badge. Offering again after a withdrawal or a decline reuses the row (consent given afresh, the
curation started again); the audit log keeps every step. What the public sees is decided on every read from
this row and the badge and earner it points at (gallery.selectors), never from a copy made at publishing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from awards.models import Badge
from catalog.models import Credential, Issuer


class Curation(models.TextChoices):
    PENDING = "pending", _("Waiting for the issuer")
    PUBLISHED = "published", _("Published")
    DECLINED = "declined", _("Declined")


class GalleryEntry(models.Model):
    badge = models.OneToOneField(Badge, on_delete=models.PROTECT, related_name="gallery_entry")
    # Copied from the badge so the public list and the curation list each read one index.
    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, related_name="gallery_entries")
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="gallery_entries")
    consent_given_at = models.DateTimeField(default=timezone.now)
    # Which wording of the consent statement the earner agreed to (gallery.consent.CONSENT_VERSION).
    consent_version = models.CharField(max_length=20)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=Curation.choices, default=Curation.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    curator_note = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "gallery entries"
        indexes = [
            # A credential's public gallery: published, newest decision first.
            models.Index(fields=["credential", "state", "-decided_at", "-id"], name="gallery_public"),
            # An issuer's curation list: its offers, oldest consent first.
            models.Index(fields=["issuer", "state", "consent_given_at", "id"], name="gallery_curation"),
        ]

    def __str__(self) -> str:
        return f"gallery entry {self.pk} ({self.state})"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

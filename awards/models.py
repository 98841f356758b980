"""Awards: issuer keys, the badges issued for earned attempts, status lists and graduate credit.

The vocabulary: a *credential* is the program (catalog.Credential, one CredentialVersion per definition); a
*badge* is what one earner earned from it, signed as an Open Badges 3.0 OpenBadgeCredential. Every change to
these rows is recorded in the one audit log (core.audit), not here."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import Credential, CredentialVersion, Issuer
from submissions.models import Attempt


class IssuerKey(models.Model):
    """One signing key pair of an issuer. The public half is published in the issuer's DID document for as
    long as the row exists, active or not, so credentials signed before a rotation keep verifying."""

    class Algorithm(models.TextChoices):
        ED25519 = "Ed25519", _("Ed25519 (Data Integrity eddsa-rdfc-2022)")
        P256 = "P-256", _("ECDSA P-256 (VC-JWT ES256)")

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="keys")
    number = models.PositiveIntegerField(help_text="The N of the verification method #key-N.")
    algorithm = models.CharField(max_length=10, choices=Algorithm.choices)
    public_key_multibase = models.CharField(max_length=100)
    # A Fernet token (AES-128-CBC + HMAC-SHA256) made with settings.ISSUER_KEY_ENCRYPTION_KEY: a copy of
    # the database alone cannot sign anything.
    private_key_encrypted = models.TextField()
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["issuer", "number"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "number"], name="issuerkey_unique_number"),
            # At most one signing key of each algorithm per issuer; rotation retires the old one first.
            models.UniqueConstraint(
                fields=["issuer", "algorithm"], condition=Q(is_active=True), name="issuerkey_one_active"
            ),
        ]

    def __str__(self) -> str:
        state = "active" if self.is_active else "retired"
        return f"{self.issuer.slug} #key-{self.number} ({self.algorithm}, {state})"

    @property
    def fragment(self) -> str:
        return f"key-{self.number}"


class SignedDocument(models.Model):
    """A signed JSON document kept as the exact text that was signed and is served.

    PostgreSQL's jsonb reorders keys, so a JSONField would hand back a different serialisation than the
    one issued: downloads, baked images and anything that hashes them must see the same bytes every
    time. The proof itself does not depend on key order; what people and backpacks compare does.
    """

    document_text = models.TextField(default="", blank=True)

    class Meta:
        abstract = True

    @property
    def document(self) -> dict[str, Any]:
        return json.loads(self.document_text) if self.document_text else {}

    @document.setter
    def document(self, value: dict[str, Any]) -> None:
        self.document_text = json.dumps(value, ensure_ascii=False)


class StatusList(SignedDocument):
    """A W3C Bitstring Status List of one issuer (purpose: revocation). The bits are not stored: they are
    read from the credentials that point at this list, and `document` caches the signed list credential,
    rewritten in the same transaction as any change of a bit."""

    SIZE = 131072  # the specification's minimum, so one credential's bit hides among many (herd privacy)

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="status_lists")
    number = models.PositiveIntegerField(default=1)
    purpose = models.CharField(max_length=20, default="revocation")
    size = models.PositiveIntegerField(default=SIZE)
    used = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["issuer", "number"]
        constraints = [models.UniqueConstraint(fields=["issuer", "number"], name="statuslist_unique_number")]

    def __str__(self) -> str:
        return f"status list {self.number} of {self.issuer.slug} ({self.used}/{self.size} used)"


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public: listed on my public profile and viewable by anyone")
    UNLISTED = "unlisted", _("Unlisted: viewable by anyone with the link")
    PRIVATE = "private", _("Private: only I can see the page")


class Badge(SignedDocument):
    """The Open Badges 3.0 credential issued for one earned attempt. `document` (Data Integrity proof) and
    `jwt` (VC-JWT) are the two signed forms of the same claims and never change after issue; revocation is
    recorded here and published through the status list.

    A *stacked* badge (a pathway's, issued by a layer above through badge_issue_stacked) has no attempt,
    credential or version: its achievement is described by its caller and signed through the same pipeline,
    so it has the same two forms, a status-list entry and verifies like any other."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # One badge per attempt, whatever races: badge_issue relies on this to be idempotent.
    attempt = models.OneToOneField(Attempt, null=True, blank=True, on_delete=models.PROTECT, related_name="badge")
    earner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="badges")
    credential = models.ForeignKey(Credential, null=True, blank=True, on_delete=models.PROTECT, related_name="badges")
    version = models.ForeignKey(
        CredentialVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="badges"
    )
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="badges")
    title = models.CharField(max_length=200)
    issued_at = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="entries")
    status_index = models.PositiveIntegerField()
    signing_key = models.ForeignKey(IssuerKey, on_delete=models.PROTECT, related_name="+")
    jwt_key = models.ForeignKey(IssuerKey, on_delete=models.PROTECT, related_name="+")
    jwt = models.TextField()
    name_included = models.BooleanField(default=True, help_text="The earner's name is in the signed credential.")
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.UNLISTED)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revocation_reason = models.TextField(blank=True)

    _MUTABLE = frozenset({"visibility", "revoked_at", "revoked_by", "revocation_reason"})

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["status_list", "status_index"], name="badge_unique_status_index"),
            # An attempt's badge names its attempt, credential and version; a stacked badge names none of them.
            models.CheckConstraint(
                condition=Q(attempt__isnull=False, credential__isnull=False, version__isnull=False)
                | Q(attempt__isnull=True, credential__isnull=True, version__isnull=True),
                name="badge_attempt_or_stacked",
            ),
        ]
        indexes = [
            # Serves badges_list_for_earner: WHERE earner_id = ? ORDER BY issued_at DESC.
            models.Index(fields=["earner", "-issued_at"], name="badge_earner_recent"),
            # Serves the status list bits: WHERE status_list_id = ? AND revoked_at IS NOT NULL.
            models.Index(fields=["status_list", "revoked_at"], name="badge_status_revoked"),
            # Serves badges_listed, the public list: WHERE visibility = 'public' AND revoked_at IS NULL ORDER BY
            # issued_at DESC, id DESC, a page at a time without reading (or sorting) anyone's private badges.
            models.Index(
                fields=["-issued_at", "-id"],
                condition=Q(visibility=Visibility.PUBLIC, revoked_at__isnull=True),
                name="badge_public_recent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.issuer.name}) for {self.earner}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A guard against a bug, not a refusal of anyone's request (like CredentialVersion.save and
        # Attempt.save), hence a plain ValueError: nothing a person does reaches this.
        update_fields = kwargs.get("update_fields")
        if self.pk is not None and (update_fields is None or not set(update_fields) <= self._MUTABLE):
            raise ValueError("an issued badge is signed: only its visibility and revocation may change")
        super().save(*args, **kwargs)

    @property
    def is_stacked(self) -> bool:
        return self.attempt_id is None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.valid_until is not None and self.valid_until <= timezone.now()


class Partner(models.Model):
    """A university that grants graduate credit for badges, synced from definitions' graduate_credit."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartnerOffer(models.Model):
    """What a partner grants for one credential, as the credential's current definition says."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="offers")
    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, related_name="partner_offers")
    credits = models.DecimalField(max_digits=5, decimal_places=2)
    fee_usd = models.DecimalField(max_digits=8, decimal_places=2)
    is_demonstration = models.BooleanField(default=False)
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["partner__name"]
        constraints = [models.UniqueConstraint(fields=["partner", "credential"], name="partneroffer_unique")]

    def __str__(self) -> str:
        return f"{self.partner} for {self.credential.slug}: {self.credits} credits"


class PartnerMembership(models.Model):
    """A member of a partner university's staff, who decides graduate-credit applications to it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_memberships")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "partner"], name="partnermembership_unique")]

    def __str__(self) -> str:
        return f"{self.user} at {self.partner}"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("credit application", "Submitted")
    ACCEPTED = "accepted", _("Accepted")
    CREDIT_AWARDED = "credit_awarded", _("Credit awarded")
    DECLINED = "declined", _("Declined")


class CreditApplication(models.Model):
    """An earner's request that a partner turn a badge into graduate credit."""

    badge = models.ForeignKey(Badge, on_delete=models.PROTECT, related_name="applications")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="applications")
    earner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credit_applications")
    # Copied from the offer when applying: the terms the earner applied under, whatever the file says later.
    credits = models.DecimalField(max_digits=5, decimal_places=2)
    fee_usd = models.DecimalField(max_digits=8, decimal_places=2)
    message = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED)
    note = models.TextField(blank=True, help_text="The partner's note to the earner about the decision.")
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["badge", "partner"], name="application_one_per_partner"),
        ]
        indexes = [
            # Serves applications_for_partner_staff: WHERE partner_id IN (…) ORDER BY submitted_at DESC.
            models.Index(fields=["partner", "-submitted_at"], name="application_partner_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.earner} → {self.partner} ({self.status})"

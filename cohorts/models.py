"""Cohorts and district groups: an organisation's educators, their consent, progress and vouchers.

An Organisation (a district, a chapter, a school) is made by the platform admin, who names its Coordinators. A
coordinator invites educators by email: each invitation is a Member row in status "invited" holding the digest
of a single-use link (accounts/email_links.py); accepting it ties the row to the educator's account. Joining
and sharing progress are separate: `consent_given_at` is set only while the member shares, and cleared the
moment they withdraw, so every read of progress filters on it and nothing is cached behind it.

A Voucher pays for one attempt at one credential, given by a coordinator to one sharing member. It is
redeemed at most once (`redeemed_attempt` is unique, and the redeeming UPDATE is conditional on it being
empty) when that educator submits an attempt of that credential, and only at an issuer that accepts the
organisation's vouchers (IssuerVoucherAcceptance).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Credential, Issuer
from submissions.models import Attempt


class Organisation(models.Model):
    class Kind(models.TextChoices):
        DISTRICT = "district", _("District")
        CHAPTER = "chapter", _("Chapter")
        SCHOOL = "school", _("School")

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # A district that signs in through sso: shown beside the name; it grants nothing by itself.
    district = models.ForeignKey(
        "sso.District", on_delete=models.SET_NULL, null=True, blank=True, related_name="organisations"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Coordinator(models.Model):
    """Someone who runs an organisation's group: invites, sees the progress members share, gives vouchers."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="coordinators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coordinates")
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="coordinator_unique")]

    def __str__(self) -> str:
        return f"{self.user} coordinates {self.organisation}"


class Member(models.Model):
    """One educator's place in an organisation, from the invitation on."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        JOINED = "joined", _("Member")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Invitation withdrawn")
        LEFT = "left", _("Left")
        REMOVED = "removed", _("Removed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    email = models.EmailField()  # the address invited, lower-cased
    educator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="group_memberships"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    invited_at = models.DateTimeField(default=timezone.now)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    sent_count = models.PositiveIntegerField(default=0)
    joined_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Set while the member shares their progress with the coordinators; cleared when they stop.
    consent_given_at = models.DateTimeField(null=True, blank=True)
    consent_withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation", "email", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"], condition=Q(status="invited"), name="member_one_invite"
            ),
            models.UniqueConstraint(
                fields=["organisation", "educator"], condition=Q(status="joined"), name="member_one_joined"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} in {self.organisation} ({self.status})"

    @property
    def shares_progress(self) -> bool:
        return self.status == self.Status.JOINED and self.consent_given_at is not None


class IssuerVoucherAcceptance(models.Model):
    """An issuer's admin agreed to take an organisation's vouchers for its credentials (until `stopped_at`)."""

    issuer = models.ForeignKey(Issuer, on_delete=models.CASCADE, related_name="voucher_acceptances")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="issuer_acceptances")
    accepted_at = models.DateTimeField(default=timezone.now)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "organisation"], name="acceptance_unique")]

    def __str__(self) -> str:
        return f"{self.issuer_id} accepts vouchers of {self.organisation_id}"

    @property
    def is_active(self) -> bool:
        return self.stopped_at is None


class Voucher(models.Model):
    """One sponsored attempt at one credential for one member."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="vouchers")
    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, related_name="vouchers")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="vouchers")
    given_at = models.DateTimeField(default=timezone.now)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    redeemed_attempt = models.OneToOneField(
        Attempt, on_delete=models.PROTECT, null=True, blank=True, related_name="voucher"
    )
    redeemed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-given_at", "-id"]
        constraints = [
            # One unused voucher per member and credential: a second would only wait behind the first.
            models.UniqueConstraint(
                fields=["member", "credential"],
                condition=Q(redeemed_at__isnull=True, revoked_at__isnull=True),
                name="voucher_one_unused",
            ),
        ]

    def __str__(self) -> str:
        return f"voucher {self.pk} of {self.organisation_id} for {self.credential_id}"

    @property
    def is_unused(self) -> bool:
        return self.redeemed_at is None and self.revoked_at is None

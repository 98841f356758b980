"""LTI 1.3: the platforms (LMSs) that launch microcred, who they sign in, what their courses link to, and the
scores sent back to them.

A platform registration holds our tool key pair for that platform; its private half is encrypted at rest with
the same Fernet key as the issuers' signing keys (awards.keys), so a copied database is useless without it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Credential
from submissions.models import Attempt


class PlatformRegistration(models.Model):
    """One LMS (an issuer `iss`) and the client id it gave microcred; managed by the platform admin."""

    name = models.CharField(_("name"), max_length=200, help_text=_("How people here call this LMS."))
    issuer = models.CharField(_("issuer (iss)"), max_length=255, help_text=_("The platform's issuer identifier."))
    client_id = models.CharField(_("client id"), max_length=255)
    auth_login_url = models.URLField(_("authentication request URL"), max_length=500)
    auth_token_url = models.URLField(_("access token URL"), max_length=500)
    auth_audience = models.CharField(
        _("token audience"), max_length=500, blank=True, help_text=_("Only if the platform asks for one.")
    )
    key_set_url = models.URLField(_("platform key set URL (JWKS)"), max_length=500)
    emails_verified = models.BooleanField(
        _("platform verifies email addresses"),
        default=False,
        help_text=_("Tick only if this LMS confirms each person's email address: new accounts then count as verified."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Our tool key pair for this platform (RSA, RS256): the private key encrypted (awards.keys), never shown.
    tool_private_key_encrypted = models.TextField(editable=False, default="")
    tool_public_key_pem = models.TextField(editable=False, default="")
    tool_kid = models.CharField(max_length=64, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("LTI platform registration")
        verbose_name_plural = _("LTI platform registrations")
        constraints = [models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_registration_unique")]

    def __str__(self) -> str:
        return self.name


class PlatformDeployment(models.Model):
    """A deployment of the tool inside the platform (a whole LMS, or one sub-account); launches name it."""

    registration = models.ForeignKey(PlatformRegistration, on_delete=models.CASCADE, related_name="deployments")
    deployment_id = models.CharField(_("deployment id"), max_length=255)

    class Meta:
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")
        constraints = [models.UniqueConstraint(fields=["registration", "deployment_id"], name="lti_deployment_unique")]

    def __str__(self) -> str:
        return self.deployment_id


class PlatformAccount(models.Model):
    """The platform's person (`iss`, `sub`) is this account here. `sub` is unique within its issuer only."""

    issuer = models.CharField(_("issuer (iss)"), max_length=255)
    sub = models.CharField(_("platform user id (sub)"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_accounts", verbose_name=_("account")
    )
    registration = models.ForeignKey(
        PlatformRegistration, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("platform")
    )
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)
    last_launch_at = models.DateTimeField(_("last launch"), null=True, blank=True)

    class Meta:
        verbose_name = _("LTI account link")
        verbose_name_plural = _("LTI account links")
        constraints = [models.UniqueConstraint(fields=["issuer", "sub"], name="lti_account_unique")]

    def __str__(self) -> str:
        return f"{self.issuer} {self.sub}"


class CoursePlacement(models.Model):
    """An instructor placed a credential in a course through deep linking; its id rides in the link's custom
    parameters, so the first launch of the link finds it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    registration = models.ForeignKey(PlatformRegistration, on_delete=models.CASCADE, related_name="placements")
    deployment_id = models.CharField(max_length=255)
    context_id = models.CharField(max_length=255, blank=True)
    context_title = models.CharField(max_length=255, blank=True)
    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, related_name="+")
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    placed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("course placement")
        verbose_name_plural = _("course placements")

    def __str__(self) -> str:
        return f"{self.context_title or self.context_id} ← {self.credential_id}"


class ResourceLink(models.Model):
    """A link in a course (the platform's resource link id) and the credential it opens."""

    registration = models.ForeignKey(PlatformRegistration, on_delete=models.CASCADE, related_name="resource_links")
    resource_link_id = models.CharField(max_length=255)
    context_id = models.CharField(max_length=255, blank=True)
    context_title = models.CharField(max_length=255, blank=True)
    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, related_name="+")
    placement = models.ForeignKey(CoursePlacement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("course link")
        verbose_name_plural = _("course links")
        constraints = [
            models.UniqueConstraint(fields=["registration", "resource_link_id"], name="lti_resource_link_unique")
        ]

    def __str__(self) -> str:
        return f"{self.context_title or self.context_id} → {self.credential_id}"


class GradeTarget(models.Model):
    """Where a person's result for a course link goes: the platform's line item (Assignment and Grade
    Services), as the latest launch of that link by that person named it."""

    resource_link = models.ForeignKey(ResourceLink, on_delete=models.CASCADE, related_name="grade_targets")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sub = models.CharField(max_length=255)
    lineitem_url = models.URLField(max_length=500, blank=True)
    lineitems_url = models.URLField(max_length=500, blank=True)
    scopes = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resource_link", "user"], name="lti_grade_target_unique")]

    def __str__(self) -> str:
        return self.lineitem_url or self.lineitems_url


class ScorePost(models.Model):
    """One score to send to one line item: the outbox row, written in the decision's transaction and sent once
    after it commits (claimed by a conditional UPDATE)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    target = models.ForeignKey(
        GradeTarget, on_delete=models.CASCADE, related_name="scores", verbose_name=_("line item")
    )
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="+", verbose_name=_("attempt"))
    score_given = models.DecimalField(max_digits=6, decimal_places=2)
    score_maximum = models.DecimalField(max_digits=6, decimal_places=2)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("score sent to a course")
        verbose_name_plural = _("scores sent to courses")
        constraints = [models.UniqueConstraint(fields=["target", "attempt"], name="lti_score_once")]
        indexes = [
            # lti_scores_send_due: the rows still waiting, oldest first.
            models.Index(fields=["created_at"], name="lti_score_pending", condition=Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.score_given}/{self.score_maximum} ({self.status})"


class LaunchNonce(models.Model):
    """A nonce we handed out at login initiation. A launch must carry one that is known, unexpired and unused;
    using it is a conditional UPDATE, so two processes given the same id_token cannot both accept it."""

    nonce = models.CharField(max_length=128, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="lti_nonce_expiry")]

    def __str__(self) -> str:
        return self.nonce[:12]

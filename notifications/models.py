from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Email(models.Model):
    """One outbound email, written in the transaction that caused it and delivered after commit.

    The row is the outbox: a task claims it with a conditional UPDATE, so a message is sent at most
    once even when a worker retries, and a failure stays visible here instead of vanishing in a log.
    A failed send is retried by `notifications_deliver_due` after `next_attempt_at` (exponential
    backoff, see notifications.tasks); after MAX_ATTEMPTS it is given up (`failed_at`) and stays here.
    """

    name = models.CharField(max_length=80, help_text="Template folder under templates/emails/.")
    to = models.EmailField()
    context = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="Not retried before this time.")
    failed_at = models.DateTimeField(null=True, blank=True, help_text="Given up after too many failed attempts.")
    # The language the message is rendered in at delivery (settings.LANGUAGES): the recipient's, fixed when queued.
    language = models.CharField(max_length=8, blank=True, default="")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Serves email_recently_queued(): "has this address been sent this message in the last minutes?"
            models.Index(fields=["to", "name", "created_at"], name="email_to_name_created"),
            # Serves emails_due(): the still-undelivered rows, which stay few however large the table grows.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
                name="email_undelivered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} to {self.to}"


class NotificationKind(models.TextChoices):
    """Every event someone is told about. Each kind has an email trio under templates/emails/<kind>/."""

    ATTEMPT_SUBMITTED = "attempt_submitted", _("Submission received")
    ATTEMPT_RETURNED_INCOMPLETE = "attempt_returned_incomplete", _("Submission returned as incomplete")
    REVIEW_ASSIGNED = "review_assigned", _("Review assigned")
    REVIEW_REMINDER = "review_reminder", _("Review due soon")
    REVIEW_OVERDUE = "review_overdue", _("Review overdue")
    REVIEW_OVERDUE_ADMIN = "review_overdue_admin", _("A reviewer is overdue")
    ASSIGNMENT_ENDED = "assignment_ended", _("Review assignment ended")
    SEAT_WAITING = "seat_waiting", _("Review seat waiting for a reviewer")
    ATTEMPT_DECIDED = "attempt_decided", _("Decision made")
    DECISION_OVERRIDDEN = "decision_overridden", _("Decision changed")
    EXTRA_ATTEMPT_GRANTED = "extra_attempt_granted", _("Another attempt granted")
    REVIEWER_RECALIBRATION = "reviewer_recalibration", _("Calibrate again")
    ATTESTATION_REQUESTED = "attestation_requested", _("Confirm a planning conversation")
    ATTESTATION_ANSWERED = "attestation_answered", _("A collaborator answered")
    COACHING_INVITED = "coaching_invited", _("A draft shared with you")
    COACHING_COMMENTED = "coaching_commented", _("New comments on your draft")
    APPEAL_RECEIVED = "appeal_received", _("Appeal received")
    APPEAL_DECIDED = "appeal_decided", _("Appeal decided")
    GROUP_INVITED = "group_invited", _("Invitation to join a group")
    VOUCHER_GIVEN = "voucher_given", _("A sponsored attempt")
    PATHWAY_EARNED = "pathway_earned", _("Pathway completed")
    GALLERY_PUBLISHED = "gallery_published", _("Your example is published")


class Notification(models.Model):
    """The in-app copy of a notification: what the person's notification list shows.

    Written in the same transaction as the event it reports (and as its Email row), so a rolled-back
    event leaves neither behind.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True, help_text="Path of the page the notification is about.")
    email = models.ForeignKey(Email, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Serves notifications_for_user: WHERE user_id = ? ORDER BY created_at DESC.
            models.Index(fields=["user", "-created_at"], name="notification_user_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"

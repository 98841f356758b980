"""The one append-only audit log: every app records who did what to which object, when, old → new.

Status fields elsewhere (a submission's status, an assignment's state) are a cache of these rows; the
rows are the truth and are never changed or removed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnly(Exception):
    """Somebody tried to change or remove history."""


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("the audit log is append-only: rows are never updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly("the audit log is append-only: rows are never deleted")


class AuditEvent(models.Model):
    """One thing that happened.

    `action` is "<subject>.<what happened>" ("attempt.submitted", "review.submitted", "badge.revoked",
    "membership.granted"), so one log reads across apps. `subject_type` is the subject model's name and
    `subject_id` its key: a plain pair rather than a foreign key, because the log outlives and spans
    every table. `issuer_id` is set wherever the event belongs to one issuer, so an issuer's admins can
    read their own history and nobody else's.
    """

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=60)
    subject_type = models.CharField(max_length=40)
    subject_id = models.BigIntegerField()
    issuer_id = models.BigIntegerField(null=True, blank=True)
    old = models.CharField(max_length=200, blank=True)
    new = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            # A subject's history (a submission's timeline, an attempt's record) in order.
            models.Index(fields=["subject_type", "subject_id", "at"], name="auditevent_subject"),
            # An issuer's history, newest first, for its admins.
            models.Index(fields=["issuer_id", "at"], name="auditevent_issuer"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.subject_type} {self.subject_id}: {self.old or '-'} → {self.new or '-'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnly("the audit log is append-only: rows are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly("the audit log is append-only: rows are never deleted")


class Change(models.Model):
    """One write to a table some kept page is drawn from, written by the database's own triggers (core/changes.py),
    never by the application: `scope` says whose pages it touches ("reviewer:12", "issuer:3", or "names" for what
    many pages show). A kept page is still good while no row of its scopes came after the mark it was drawn at."""

    scope = models.CharField(max_length=64)
    # PostgreSQL: the writing transaction's id, which tells a write that was running when a mark was read from one
    # made before (ids come from a sequence in the order rows are inserted, not the order they are committed).
    xact = models.BigIntegerField(null=True, blank=True)
    # A random number: with the id, what a mark names a row by, so that a log that went back (a restored backup, or
    # a test's rolled-back writes on SQLite, which then numbers rows from where it was) is not taken for the same.
    nonce = models.BigIntegerField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # A scope's rows after a mark.
            models.Index(fields=["scope", "id"], name="change_scope"),
            # A scope's rows by writers running when a mark was read (PostgreSQL only writes xact).
            models.Index(fields=["scope", "xact"], name="change_scope_xact", condition=models.Q(xact__isnull=False)),
            # What is old enough to prune.
            models.Index(fields=["at"], name="change_at"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} #{self.pk}"

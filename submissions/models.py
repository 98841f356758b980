"""Submissions: an educator's draft for a credential, the evidence attached to it, and the attempts frozen
from it. How each got where it is, is the submission's history in the one audit log (core.AuditEvent,
actions "submission.<EventKind>").

Every status column here is a cache of that history (as ORA2 puts it, "an after-the-fact recording of
the last known state"); `submissions.services.status_replay` rebuilds it from the history.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models import Credential, CredentialVersion


class Status(models.TextChoices):
    """Where a submission stands, as the educator's timeline shows it."""

    STARTED = "started", _("Started")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    RETURNED_INCOMPLETE = "returned_incomplete", _("Returned as incomplete")
    IN_REVIEW = "in_review", _("In review")
    NOT_YET_EARNED = "not_yet_earned", _("Not yet earned")
    EARNED = "earned", _("Earned")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The draft may be edited (and submitted) only while no attempt is with reviewers.
EDITABLE_STATUSES = frozenset(
    {Status.STARTED, Status.IN_PROGRESS, Status.RETURNED_INCOMPLETE, Status.NOT_YET_EARNED, Status.WITHDRAWN}
)


class Submission(models.Model):
    """One educator working towards one credential: the current draft plus the attempts made from it."""

    educator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions")
    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, related_name="submissions")
    # The exact definition the draft is being written against; submit freezes this one into the attempt.
    version = models.ForeignKey(CredentialVersion, on_delete=models.PROTECT, related_name="submissions")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.STARTED)
    # False once earned: the partial unique constraint below then lets the educator start afresh later
    # (a renewal) while never allowing two open submissions for the same credential.
    is_open = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When its status, its evidence or its draft last changed: a draft's saves move it about once a minute while
    # someone types (submissions.services.drafts.SUBMISSION_TOUCH); `last_saved_at` has the draft's own time too.
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["educator", "credential"], condition=Q(is_open=True), name="submission_one_open"
            ),
        ]
        # No index on updated_at: autosave moves it every minute, and an index on it would be rewritten each time
        # (on PostgreSQL, it would also rule out HOT updates of the row). An educator's own list (WHERE educator_id
        # = ? ORDER BY the last save, LAST_SAVED_AT) finds their few rows by the educator's index and sorts them.

    def __str__(self) -> str:
        return f"{self.educator} → {self.credential.slug} ({self.status})"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    def last_saved_at(self) -> datetime:
        """When the submission or its draft last changed, to the save: as a list's query computed it (`saved_at`, by
        LAST_SAVED_AT), else from the draft (read unless it is loaded)."""
        listed: datetime | None = self.__dict__.get("saved_at")
        if listed is not None:
            return listed
        try:
            return max(self.updated_at, self.draft.updated_at)
        except ObjectDoesNotExist:
            return self.updated_at


# Submission.last_saved_at() as a query computes it for each row of a list (the later of the submission's time and
# its draft's, where it has one), to show and to order by.
LAST_SAVED_AT = Greatest("updated_at", Coalesce("draft__updated_at", "updated_at"))


class Draft(models.Model):
    """The responses being written. A row of its own so that autosave locks and rewrites this row only,
    and lists of submissions never load the (possibly long) texts.

    `responses` is {part_id: {field_id: value}}; a list field's value is a list of entries, each a dict
    of item values plus a stable "id". `field_revisions` maps each field reference (and
    "self_evaluation:<criterion>") to the revision that last changed it, which is what lets two tabs
    save different fields without a conflict. `first_written_at` maps each text field's reference to
    when it first held text (for the `written_within` check). Every write to a draft moves `revision`, and so does a
    change of status that ends editing (a submit): autosave writes what it merged only where the revision is still
    the one it read (submissions.services.drafts)."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, primary_key=True, related_name="draft")
    responses = models.JSONField(default=dict)
    self_evaluation = models.JSONField(default=dict)  # {criterion_id: {"level": ..., "justification": ...}}
    revision = models.PositiveIntegerField(default=0)
    field_revisions = models.JSONField(default=dict)
    first_written_at = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"draft of submission {self.submission_id} at revision {self.revision}"

    def value(self, ref: str) -> Any:
        part_id, _dot, field_id = ref.partition(".")
        return self.responses.get(part_id, {}).get(field_id)


# Every evidence file is stored under this folder of the media storage, and nothing else is
# (submissions.services.evidence_orphans_sweep deletes what no row references there).
EVIDENCE_FOLDER = "evidence"


def _evidence_path(instance: Evidence, filename: str) -> str:
    # The stored name carries nothing of the original (kept in original_name) and 256 random bits, so
    # a path that leaks into a log cannot be guessed or walked to a neighbour's file.
    return f"{EVIDENCE_FOLDER}/{timezone.now():%Y/%m}/{secrets.token_urlsafe(32)}"


class ReviewerCopy(models.TextChoices):
    """Whether reviewers can open an evidence file, and in what form (submissions.scrub makes the copy)."""

    PENDING = "pending", _("Not made yet")
    CLEANED = "cleaned", _("Cleaned of identifying details")
    SAME = "same", _("Nothing to clean (the original)")
    WITHHELD = "withheld", _("Could not be cleaned: withheld from reviewers")


class Evidence(models.Model):
    """A file attached to a file field of a draft. Once an attempt references it, the row and its file are
    never deleted (AttemptEvidence protects it); removing it from the draft only clears `in_draft`.

    `file` is the upload exactly as it came; only its owner ever downloads it. Everyone else gets
    `reviewer_file`, the copy without the details that name its maker (author, EXIF, tags): the same stored
    name as `file` for text, which has none, and empty while `reviewer_copy` is pending or withheld."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="evidence")
    field_ref = models.CharField(max_length=130)
    file = models.FileField(upload_to=_evidence_path, max_length=255)
    original_name = models.CharField(max_length=255)
    detected_type = models.CharField(max_length=10)  # one of catalog.schema.FILE_TYPES
    detail = models.CharField(max_length=20)  # the precise format found by content, e.g. "png", "mp3"
    content_type = models.CharField(max_length=120)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    in_draft = models.BooleanField(default=True)
    reviewer_file = models.FileField(upload_to=_evidence_path, max_length=255, blank=True)
    reviewer_copy = models.CharField(max_length=10, choices=ReviewerCopy.choices, default=ReviewerCopy.PENDING)
    # What the copy left out, in the educator's words ("comment authors"), or why it could not be made.
    reviewer_copy_removed = models.JSONField(default=list, blank=True)
    reviewer_copy_problem = models.CharField(max_length=300, blank=True)
    # The educator's answer at upload to "does this file show or name students (names, faces, voices)?";
    # None for files uploaded before the question was asked, which are handled as if the answer were yes.
    student_data = models.BooleanField(null=True, default=None)
    # When the educator confirmed that the school's consent covers the students in it (only with a yes).
    student_data_consent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        indexes = [
            # Serves the draft's evidence list and the max_files count: WHERE submission_id = ? AND in_draft.
            models.Index(fields=["submission", "in_draft"], name="evidence_in_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.detected_type}, {self.size} bytes)"

    @property
    def withheld(self) -> bool:
        return self.reviewer_copy == ReviewerCopy.WITHHELD

    @property
    def has_student_data(self) -> bool:
        """Marked as containing student data: declared so, or never declared (uploaded before the question)."""
        return self.student_data is not False

    def owner_notice(self) -> str:
        """What the owner is told when reviewers cannot open this file; empty when they can."""
        if not self.withheld:
            return ""
        # The problem is stored in English (scrub_*.py mark their words), and said in the reader's language.
        return gettext(
            "%(name)s could not be cleaned of the details that could identify you (%(problem)s). Reviewers will "
            "not be able to open it: they will see a notice that it was withheld. If they need it, save or export "
            "it again without a password and upload that copy instead."
        ) % {"name": self.original_name, "problem": gettext(self.reviewer_copy_problem)}

    def manifest(self) -> dict[str, Any]:
        """What an attempt's snapshot records of this file."""
        return {
            "id": self.pk,
            "field": self.field_ref,
            "name": self.original_name,
            "type": self.detected_type,
            "detail": self.detail,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }


class AttemptStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    RETURNED_INCOMPLETE = "returned_incomplete", _("Returned as incomplete")
    IN_REVIEW = "in_review", _("In review")
    NOT_YET_EARNED = "not_yet_earned", _("Not yet earned")
    EARNED = "earned", _("Earned")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Attempt(models.Model):
    """A frozen, immutable snapshot of a draft at the moment it was submitted. Only `status` (a cache of
    the events) and `status_changed_at` ever change after it is written."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    version = models.ForeignKey(CredentialVersion, on_delete=models.PROTECT, related_name="attempts")
    responses = models.JSONField()
    self_evaluation = models.JSONField(default=dict)
    evidence_manifest = models.JSONField(default=list)
    evidence_files = models.ManyToManyField(Evidence, through="AttemptEvidence", related_name="attempts")
    # Copied from the definition's grade-band field so reviewer matching is a plain column filter.
    grade_band = models.CharField(max_length=20, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=AttemptStatus.choices, default=AttemptStatus.SUBMITTED)
    status_changed_at = models.DateTimeField(default=timezone.now)

    _MUTABLE = frozenset({"status", "status_changed_at"})

    class Meta:
        ordering = ["submission", "number"]
        constraints = [
            # The last line against a double submit: two attempts can never share a number.
            models.UniqueConstraint(fields=["submission", "number"], name="attempt_unique_number"),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="attempt_status_queue")]

    def __str__(self) -> str:
        return f"attempt {self.number} of submission {self.submission_id} ({self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if self.pk is not None and (update_fields is None or not set(update_fields) <= self._MUTABLE):
            raise ValueError("an attempt is a frozen snapshot: only its status may change, through an event")
        super().save(*args, **kwargs)


class AttemptEvidence(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.PROTECT)
    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["attempt", "evidence"], name="attempt_evidence_unique")]

    def __str__(self) -> str:
        return f"{self.evidence_id} in attempt {self.attempt_id}"


class EventKind(models.TextChoices):
    """The events of a submission's history, recorded in the audit log as "submission.<kind>". Autosaves after
    the first are not events (they would drown the timeline); the draft's revision and updated_at record them."""

    STARTED = "started", _("Started")
    SAVED = "saved", _("First saved")
    SUBMITTED = "submitted", _("Submitted")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    RETURNED_INCOMPLETE = "returned_incomplete", _("Returned as incomplete")
    IN_REVIEW = "in_review", _("Review started")
    NOT_YET_EARNED = "not_yet_earned", _("Not yet earned")
    EARNED = "earned", _("Earned")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# ----- copies ---------------------------------------------------------------------------------


class AttemptText(models.Model):
    """The MinHash signature of one narrative text of an attempt (see submissions.copies)."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="texts")
    field_ref = models.CharField(max_length=130)
    shingle_count = models.PositiveIntegerField()
    signature = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["attempt", "field_ref"], name="attempt_text_unique")]

    def __str__(self) -> str:
        return f"{self.field_ref} of attempt {self.attempt_id}"


class CopyBucket(models.Model):
    """One LSH band of a signature: texts sharing any bucket key are the only candidates compared."""

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="+")
    key = models.BigIntegerField()
    text = models.ForeignKey(AttemptText, on_delete=models.CASCADE, related_name="buckets")

    class Meta:
        indexes = [
            # Serves copies._candidates: WHERE credential_id = ? AND key IN (one key per band).
            models.Index(fields=["credential", "key"], name="copybucket_lookup"),
        ]

    def __str__(self) -> str:
        return f"bucket {self.key} of text {self.text_id}"


class CopyFinding(models.Model):
    """A likely copy, recorded for reviewers: this attempt's field overlaps another educator's text."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="copy_findings")
    field_ref = models.CharField(max_length=130)
    other_attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="+")
    other_field_ref = models.CharField(max_length=130)
    overlap = models.FloatField(help_text="Jaccard similarity of the two texts' 5-word shingles, 0 to 1.")
    found_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-overlap"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "field_ref", "other_attempt", "other_field_ref"], name="copy_finding_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.field_ref} of attempt {self.attempt_id} ≈ attempt {self.other_attempt_id} ({self.overlap:.0%})"


# ----- attestations ---------------------------------------------------------------------------


class Attestation(models.Model):
    """A collaborator's word on one entry of a list field (a planning conversation), asked by the educator.

    The collaborator's address lives here and nowhere else: never in the draft's answers, which reviewers and
    exports read, nor in the audit log. The emailed link's token is kept only as its digest. `entry_digest` is
    the entry as the collaborator answered it (submissions.attestations.entry_digest): when the educator
    changes the entry afterwards the digests differ and the confirmation no longer stands. One row per entry,
    asked again in place; every request and answer is in the audit log."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for an answer")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attestations")
    field_ref = models.CharField(max_length=130)
    entry_id = models.CharField(max_length=40)
    email = models.EmailField(max_length=254)
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    entry_digest = models.CharField(max_length=64, blank=True)
    note = models.TextField(blank=True)
    token_digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submission", "field_ref", "sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "field_ref", "entry_id"], name="attestation_one_per_entry")
        ]

    def __str__(self) -> str:
        return f"{self.field_ref} entry {self.entry_id} of submission {self.submission_id}: {self.state}"


class AttemptAttestation(models.Model):
    """An entry of an attempt confirmed by its collaborator: written when the attempt is frozen, and when a
    confirmation of exactly the frozen entry arrives before review ends. Holds nothing of who confirmed."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="attestations")
    field_ref = models.CharField(max_length=130)
    entry_id = models.CharField(max_length=40)
    confirmed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "field_ref", "entry_id"], name="attempt_attestation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.field_ref} entry {self.entry_id} of attempt {self.attempt_id}: confirmed"

"""Reviews: the panel seats of an attempt, who holds them (assignments), their scores, calibration and
the decision. Every step that matters is written to the one audit log (core.audit), by the services.

How the rows relate: an Attempt gets one Seat per place on its panel (policy.seats, then the
adjudication seat when one is needed). A Seat with no `reviewer` is waiting in the queue. Each time a
reviewer is put on a seat an Assignment is made; it ends as submitted, declined, expired, reassigned or
cancelled, and a new one may follow on the same seat. A Review (with one Score per criterion) belongs
to one assignment. The Decision is made once per attempt.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import Credential, CredentialVersion
from submissions.models import Attempt, Submission


class SeatRole(models.TextChoices):
    PANEL = "panel", _("Panel")
    ADJUDICATOR = "adjudicator", _("Adjudicator")
    APPEAL = "appeal", _("Appeal reviewer")


class Seat(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.PROTECT, related_name="review_seats")
    position = models.PositiveSmallIntegerField()  # 1.. in the order the policy lists seats; names "Reviewer n"
    role = models.CharField(max_length=20, choices=SeatRole.choices, default=SeatRole.PANEL)
    kind = models.CharField(max_length=20)  # catalog.schema.Seat.kind: issuer_staff, mentor, lead_assessor or any
    match_grade_band = models.BooleanField(default=False)
    title = models.CharField(max_length=200, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    waiting_since = models.DateTimeField(null=True, blank=True)  # set while no reviewer holds the seat
    admins_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)  # no longer needed (decided, withdrawn, returned)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [models.UniqueConstraint(fields=["attempt", "position"], name="seat_unique_position")]
        indexes = [
            # Serves the waiting queue (seats_fill_waiting, the admin pipeline): WHERE reviewer_id IS NULL
            # AND closed_at IS NULL ORDER BY waiting_since; the partial index holds only waiting seats.
            models.Index(
                fields=["waiting_since"],
                condition=Q(reviewer__isnull=True, closed_at__isnull=True),
                name="seat_waiting_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"seat {self.position} ({self.kind}) of attempt {self.attempt_id}"

    @property
    def is_waiting(self) -> bool:
        return self.reviewer_id is None and self.closed_at is None


class AssignmentState(models.TextChoices):
    OPEN = "open", pgettext_lazy("assignment state", "Open")
    SUBMITTED = "submitted", _("Review submitted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    REASSIGNED = "reassigned", _("Reassigned")
    CANCELLED = "cancelled", _("Cancelled")


LIVE_STATES = (AssignmentState.OPEN, AssignmentState.SUBMITTED)


class Assignment(models.Model):
    """A reviewer holding a seat. Deadlines are copied from the policy when it is made, so the tick's
    queries are plain indexed comparisons."""

    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="assignments")
    attempt = models.ForeignKey(Attempt, on_delete=models.PROTECT, related_name="review_assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments")
    state = models.CharField(max_length=20, choices=AssignmentState.choices, default=AssignmentState.OPEN)
    assigned_at = models.DateTimeField()
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # None: assigned automatically
    due_at = models.DateTimeField()
    remind_at = models.DateTimeField(null=True, blank=True)  # None: the policy sends no reminder
    expires_at = models.DateTimeField()  # due_at + grace_days: reassigned automatically from then
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            # A seat has at most one live holder; a reviewer sits on an attempt's panel at most once
            # (which also keeps someone who declined or let it expire from being handed it back).
            models.UniqueConstraint(
                fields=["seat"], condition=Q(state__in=["open", "submitted"]), name="assignment_one_live_per_seat"
            ),
            models.UniqueConstraint(fields=["attempt", "reviewer"], name="assignment_once_per_attempt"),
        ]
        indexes = [
            # Serves the reviewer's queue and the load count in panel filling: WHERE reviewer_id = ? AND state = ?.
            models.Index(fields=["reviewer", "state"], name="assignment_reviewer_state"),
            # Serves the queue's pages in their order, one page read rather than all of a reviewer's rows sorted:
            # WHERE reviewer_id = ? AND state = ? ORDER BY due_at, id (or both descending).
            models.Index(fields=["reviewer", "state", "due_at", "id"], name="assignment_reviewer_due"),
            # The three tick queries, each over open assignments only.
            models.Index(
                fields=["remind_at"], condition=Q(state="open", reminded_at__isnull=True), name="assignment_remind"
            ),
            models.Index(fields=["due_at"], condition=Q(state="open", overdue_at__isnull=True), name="assignment_due"),
            models.Index(fields=["expires_at"], condition=Q(state="open"), name="assignment_expiry"),
        ]

    def __str__(self) -> str:
        return f"assignment {self.pk}: reviewer {self.reviewer_id} on seat {self.seat_id} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state == AssignmentState.OPEN


class ReviewState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("review state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("review state", "Submitted")


class Review(models.Model):
    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="review")
    attempt = models.ForeignKey(Attempt, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    state = models.CharField(max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The scoring page numbers its saves (a token for the page as drawn, a step counted up for each save) so a
    # save sent earlier that reaches the server later is not applied over a newer one: autosaves and the final
    # "Submit review" travel in parallel, and the server may take them in any order.
    saved_by_page = models.CharField(max_length=32, blank=True)
    saved_step = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"review of assignment {self.assignment_id} ({self.state})"


class Score(models.Model):
    """One criterion of one review. `level` is a level id of the attempt's frozen rubric ("" while unset).
    Below the passing level both `reasoning` and `suggestion` are required before the review is submitted
    (see reviews.services.scoring.MIN_COMMENT_WORDS); at or above it they are optional."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.CharField(max_length=60)
    level = models.CharField(max_length=60, blank=True)
    reasoning = models.TextField(blank=True)
    suggestion = models.TextField(blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["review", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="score_unique_criterion")]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.level or '-'}"


class DecisionOutcome(models.TextChoices):
    EARNED = "earned", _("Earned")
    NOT_YET_EARNED = "not_yet_earned", _("Not yet earned")


class Decision(models.Model):
    """The decision on one attempt, made once (the one-to-one is the unique constraint that backs the
    lock in decision_make), with everything it was made from: the scores as they were, the exact
    definition version and the hashes of its review policy and rubric. Only an override, or an appeal upheld
    (reviews.services.appeals, which keeps `original_outcome` and records itself on the Appeal), changes it."""

    attempt = models.OneToOneField(Attempt, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=20, choices=DecisionOutcome.choices)
    original_outcome = models.CharField(max_length=20, choices=DecisionOutcome.choices)
    results = models.JSONField()  # reviews.policy.Decision.as_dict()
    inputs = models.JSONField()  # [{seat, role, kind, review, scores: {criterion: level}}] as decided on
    version = models.ForeignKey(CredentialVersion, on_delete=models.PROTECT, related_name="+")
    policy_hash = models.CharField(max_length=64)
    rubric_hash = models.CharField(max_length=64)
    decided_at = models.DateTimeField()
    overridden_at = models.DateTimeField(null=True, blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_reason = models.TextField(blank=True)

    _MUTABLE = frozenset({"outcome", "overridden_at", "overridden_by", "override_reason"})

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"decision on attempt {self.attempt_id}: {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if self.pk is not None and (update_fields is None or not set(update_fields) <= self._MUTABLE):
            raise ValueError("a decision is kept as made: only decision_override may change its outcome")
        super().save(*args, **kwargs)


# ----- calibration ------------------------------------------------------------------------------------


class CalibrationSample(models.Model):
    """A made-up submission with the agreed level per criterion, for one rubric (by its hash). Loaded from
    credentials/calibration/<slug>.yaml; a changed sample is a new row and the old one is retired, so a
    result always refers to exactly what the reviewer scored."""

    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, related_name="calibration_samples")
    rubric_hash = models.CharField(max_length=64)
    key = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    responses = models.JSONField()  # {part_id: {field_id: value}}, as an attempt holds them
    agreed = models.JSONField()  # {criterion_id: level_id}
    rationale = models.JSONField(default=dict)  # {criterion_id: why that level}, shown after scoring
    evidence_note = models.TextField(blank=True)  # what a real submission's files would show
    draft = models.BooleanField(default=False)
    content_hash = models.CharField(max_length=64)
    source_name = models.CharField(max_length=300)
    loaded_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["credential", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["credential", "rubric_hash", "key", "content_hash"], name="calibration_sample_unique"
            )
        ]
        indexes = [
            # Serves "the samples in force for this rubric": WHERE credential_id = ? AND rubric_hash = ?
            # AND retired_at IS NULL.
            models.Index(
                fields=["credential", "rubric_hash"], condition=Q(retired_at__isnull=True), name="calibration_current"
            )
        ]

    def __str__(self) -> str:
        return f"{self.credential.slug}/{self.key} ({self.rubric_hash[:8]})"


class CalibrationResult(models.Model):
    """A reviewer's levels on one sample; every attempt is kept, the latest per sample counts."""

    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calibration_results")
    sample = models.ForeignKey(CalibrationSample, on_delete=models.PROTECT, related_name="results")
    rubric_hash = models.CharField(max_length=64)
    levels = models.JSONField()
    matches = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["reviewer", "rubric_hash"], name="calibration_result_reviewer")]

    def __str__(self) -> str:
        return f"{self.reviewer_id} on {self.sample_id}: {self.matches}/{self.total}"


class Recalibration(models.Model):
    """A reviewer sent back through calibration for one credential, by an issuer admin (or the nightly
    `reviews_recalibrate_flagged`, with no admin) when their severity passed the definition's
    `recalibrate_when`. Their calibration results recorded up to `sent_at` no longer count for the
    credential (reviews.selectors.calibration reads this), so they get no new seats on it until they score
    the samples again and pass."""

    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recalibrations")
    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, related_name="recalibrations")
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # None: the nightly command
    severity = models.FloatField(null=True, blank=True)  # in rubric levels, as the reliability page showed it
    reviews = models.PositiveIntegerField()  # how many of their reviews it was judged from
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            # Serves the calibration reads' "sent back since this result?": WHERE reviewer_id = ? AND
            # credential_id = ? AND sent_at >= ?.
            models.Index(fields=["reviewer", "credential", "sent_at"], name="recalibration_reviewer")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id} sent back to calibrate for {self.credential_id} at {self.sent_at}"


# ----- attempts beyond the limit ----------------------------------------------------------------------


class AttemptGrant(models.Model):
    """One more attempt than the policy allows, granted by an issuer admin with a reason."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="attempt_grants")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    granted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"extra attempt for submission {self.submission_id}"


# ----- appeals ----------------------------------------------------------------------------------------


class AppealState(models.TextChoices):
    OPEN = "open", pgettext_lazy("appeal state", "Open")
    UPHELD = "upheld", _("Upheld")
    DENIED = "denied", _("Not upheld")


class Appeal(models.Model):
    """An educator's request that a "not yet earned" decision be looked at again (reviews.services.appeals).

    One per attempt (the one-to-one backs the check made under the attempt's lock). A single seat with
    role `appeal` is added to the attempt's panel; whoever takes it never held a seat on that attempt (the
    assignment's once-per-attempt rule), scores the whole rubric blind, and their levels on the contested
    criteria decide: the decision becomes earned when every criterion then passes (upheld), else it
    stands (not upheld)."""

    attempt = models.OneToOneField(Attempt, on_delete=models.PROTECT, related_name="appeal")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="appeals")
    educator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appeals")
    reasons = models.JSONField()  # {criterion_id: the educator's reason}, in the rubric's order
    state = models.CharField(max_length=20, choices=AppealState.choices, default=AppealState.OPEN)
    requested_at = models.DateTimeField()
    window_ends_at = models.DateTimeField()  # the end of the window it was requested within, as checked
    seat = models.OneToOneField(Seat, null=True, blank=True, on_delete=models.PROTECT, related_name="appeal")
    decided_at = models.DateTimeField(null=True, blank=True)
    # {criterion_id: {"level": level id, "passed": bool}} for the contested criteria, from the fresh review.
    results = models.JSONField(default=dict)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"appeal on attempt {self.attempt_id} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state == AppealState.OPEN

"""Reads for reviewers, issuer admins and educators, always through an access check: anyone who may not
see an object gets Http404, as if it did not exist.

What each persona may read:
- a reviewer: their own live assignments (open, or submitted) and, through one, the attempt anonymised
  (`attempt_get_for_reviewer`): no name, email, school or file name of the candidate, and only their own
  scores - never another reviewer's, before or after the decision;
- the educator: the feedback on their attempt once it is decided (`feedback_for_attempt`), with the
  reviewers as "Reviewer 1", "Reviewer 2" ...;
- an issuer admin (or a platform admin): the pipeline of their issuers' attempts, the decisions with
  their inputs, and the assignments to reassign. Candidates appear there by reference only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Min, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import IssuerMembership, ReviewerProfile, User
from catalog.models import Credential
from catalog.schema import FILE_TYPES, CredentialDefinition, ListField
from reviews import policy
from reviews.anonymise import Redactor
from reviews.calibration import rubric_hash
from reviews.models import (
    LIVE_STATES,
    Assignment,
    AssignmentState,
    AuditAction,
    AuditLog,
    CalibrationResult,
    CalibrationSample,
    Decision,
    DecisionOutcome,
    Review,
    Seat,
    SeatRole,
)
from reviews.services import (
    CalibrationStatus,
    ResubmissionStatus,
    calibration_status,
    decision_inputs,
    is_issuer_admin,
    resubmission_status,
)
from submissions.models import Attempt, AttemptEvidence, AttemptStatus, CopyFinding, Evidence, Submission


def _uid(user: Any) -> int | None:
    return user.pk if user is not None and getattr(user, "is_authenticated", False) and user.is_active else None


# ----- evidence access (the hook submissions.selectors calls) ----------------------------------------------


def evidence_visible_to_reviewer(*, user_id: int) -> Q:
    """The evidence files of the attempts this user holds a live assignment on."""
    files = AttemptEvidence.objects.filter(
        attempt__review_assignments__reviewer_id=user_id, attempt__review_assignments__state__in=LIVE_STATES
    ).values("evidence_id")
    return Q(pk__in=files)


# ----- reviewer: queue and assignment ----------------------------------------------------------------------


def assignments_for_reviewer(*, user: Any, include_submitted: bool = False) -> QuerySet[Assignment]:
    """The reviewer's queue, soonest due first: one query however long it is.

    Each row carries `credential_title`, `issuer_name`, `attempt_number` and `review_state` (None until
    the first autosave); nothing about the candidate."""
    uid = _uid(user)
    if uid is None:
        return Assignment.objects.none()
    states = LIVE_STATES if include_submitted else (AssignmentState.OPEN,)
    return (
        Assignment.objects.filter(reviewer_id=uid, state__in=states)
        .select_related("seat")
        .annotate(
            credential_title=F("attempt__submission__credential__title"),
            credential_slug=F("attempt__submission__credential__slug"),
            issuer_name=F("attempt__submission__credential__issuer__name"),
            attempt_number=F("attempt__number"),
            review_state=F("review__state"),
        )
        .order_by("state", "due_at", "id")
    )


def assignment_get_for_reviewer(*, user: Any, assignment_id: int) -> Assignment:
    """One of the reviewer's live assignments; 404 for anyone else and for ended ones."""
    uid = _uid(user)
    assignment = (
        Assignment.objects.select_related("seat", "attempt__version", "attempt__submission__educator")
        .filter(pk=assignment_id, reviewer_id=uid, state__in=LIVE_STATES)
        .first()
        if uid is not None
        else None
    )
    if assignment is None:
        raise Http404("no such assignment")
    return assignment


@dataclass(frozen=True)
class FieldView:
    ref: str
    label: str
    kind: str
    value: Any


@dataclass(frozen=True)
class PartView:
    id: str
    title: str
    fields: list[FieldView]
    criteria: list[str]


@dataclass(frozen=True)
class EvidenceView:
    id: int
    field: str
    label: str  # "Evidence of collaboration, file 2 (PDF document)": never the original file name
    type: str
    size: int
    download_path: str


@dataclass(frozen=True)
class CopyFindingView:
    field: str
    field_label: str
    overlap: float


@dataclass(frozen=True)
class FieldChange:
    ref: str
    label: str
    changed: bool
    previous: Any
    current: Any


@dataclass(frozen=True)
class FeedbackLevel:
    reviewer: str  # "Reviewer 1"; "Reviewer 3 (lead)" for an adjudicator
    level: str | None
    level_label: str
    passed: bool | None
    reasoning: str
    suggestion: str


@dataclass(frozen=True)
class FeedbackCriterion:
    id: str
    title: str
    part: str | None
    part_title: str
    passed: bool | None
    reason: str
    levels: list[FeedbackLevel]


@dataclass(frozen=True)
class Feedback:
    attempt_number: int
    outcome: str
    outcome_label: str
    decided_at: datetime
    overridden: bool
    override_reason: str
    criteria: list[FeedbackCriterion]
    next_steps: list[str]
    issuer_feedback: str
    attempts_used: int
    attempts_allowed: int
    can_resubmit: bool
    coaching_url: str

    def for_part(self, part_id: str | None) -> list[FeedbackCriterion]:
        """The criteria that judge one part, to show beside it on the next attempt's form."""
        return [c for c in self.criteria if c.part == part_id]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Resubmission:
    previous_number: int
    changes: list[FieldChange]
    self_evaluation_changes: list[FieldChange]
    evidence_added: list[EvidenceView]
    evidence_removed: list[str]  # labels of files the previous attempt had and this one has not
    feedback: Feedback


@dataclass(frozen=True)
class ReviewerAttemptView:
    """The frozen attempt as a reviewer sees it: anonymised, with only their own scores."""

    assignment_id: int
    assignment_state: str
    due_at: datetime
    seat_title: str
    adjudicator: bool
    credential: str
    issuer: str
    attempt_number: int
    version: int
    submitted_at: datetime
    grade_band: str
    parts: list[PartView]
    self_evaluation: list[dict[str, Any]]
    evidence: list[EvidenceView]
    copy_findings: list[CopyFindingView]
    rubric: dict[str, Any]
    my_review_state: str | None
    my_scores: dict[str, dict[str, str]]
    resubmission: Resubmission | None = None
    disputed: list[str] = field(default_factory=list)  # for the lead: the criteria the assessors split on

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _field_label(definition: CredentialDefinition, ref: str) -> str:
    try:
        return definition.field_at(ref).label
    except ValueError:
        return ref


def _strip_ids(value: Any) -> Any:
    if isinstance(value, list):
        return [_strip_ids(v) for v in value]
    if isinstance(value, dict):
        return {k: _strip_ids(v) for k, v in value.items() if k != "id"}
    return value


def _parts(definition: CredentialDefinition, responses: dict[str, Any], redact: Redactor) -> list[PartView]:
    out = []
    for part in definition.parts:
        answers = responses.get(part.id, {})
        fields = [
            FieldView(
                ref=f"{part.id}.{spec.id}",
                label=spec.label,
                kind=spec.kind,
                value=redact.value(
                    _strip_ids(answers.get(spec.id)) if isinstance(spec, ListField) else answers.get(spec.id)
                ),
            )
            for spec in part.fields
            if spec.kind != "file"
        ]
        out.append(PartView(part.id, part.title, fields, [c.id for c in definition.part_criteria(part.id)]))
    return out


def _evidence(
    definition: CredentialDefinition, manifest: list[dict[str, Any]], assignment_id: int
) -> list[EvidenceView]:
    counters: dict[str, int] = {}
    out = []
    for item in manifest:
        ref = str(item.get("field", ""))
        counters[ref] = counters.get(ref, 0) + 1
        kind = str(item.get("type", ""))
        out.append(
            EvidenceView(
                id=int(item["id"]),
                field=ref,
                label=f"{_field_label(definition, ref)}, file {counters[ref]} ({FILE_TYPES.get(kind, kind)})",
                type=kind,
                size=int(item.get("size", 0)),
                download_path=reverse(
                    "api-v1:reviews_evidence", kwargs={"assignment_id": assignment_id, "evidence_id": int(item["id"])}
                ),
            )
        )
    return out


def _rubric(definition: CredentialDefinition) -> dict[str, Any]:
    rubric = definition.rubric
    return {
        "levels": [{"id": level.id, "label": level.label} for level in rubric.levels],
        "passing_level": rubric.passing_level,
        "passing_levels": rubric.passing_levels(),
        "note": rubric.note or "",
        "criteria": [
            {
                "id": c.id,
                "part": c.part,
                "title": c.title,
                "description": c.description or "",
                "descriptors": [
                    {"level": level.id, "label": level.label, "text": c.descriptors[level.id]}
                    for level in rubric.levels
                ],
            }
            for c in rubric.criteria
        ],
    }


def _self_evaluation(
    definition: CredentialDefinition, ratings: dict[str, Any], redact: Redactor
) -> list[dict[str, Any]]:
    labels = {level.id: level.label for level in definition.rubric.levels}
    out = []
    for criterion in definition.rubric.criteria:
        rating = ratings.get(criterion.id)
        if not isinstance(rating, dict):
            continue
        level = rating.get("level")
        out.append(
            {
                "criterion": criterion.id,
                "title": criterion.title,
                "level": level,
                "level_label": labels.get(str(level), ""),
                "justification": redact.value(rating.get("justification") or ""),
            }
        )
    return out


def _diff(
    previous: Attempt, current: Attempt, definition: CredentialDefinition, redact: Redactor
) -> tuple[list[FieldChange], list[FieldChange]]:
    changes = []
    for part in definition.parts:
        for spec in part.fields:
            if spec.kind == "file":
                continue
            ref = f"{part.id}.{spec.id}"
            before = _strip_ids(previous.responses.get(part.id, {}).get(spec.id))
            after = _strip_ids(current.responses.get(part.id, {}).get(spec.id))
            changes.append(FieldChange(ref, spec.label, before != after, redact.value(before), redact.value(after)))
    ratings = []
    for criterion in definition.rubric.criteria:
        before = previous.self_evaluation.get(criterion.id)
        after = current.self_evaluation.get(criterion.id)
        if before is None and after is None:
            continue
        ratings.append(
            FieldChange(criterion.id, criterion.title, before != after, redact.value(before), redact.value(after))
        )
    return changes, ratings


def attempt_get_for_reviewer(*, user: Any, assignment_id: int) -> ReviewerAttemptView:
    """The attempt behind one of the reviewer's assignments, anonymised (see reviews.anonymise), with the
    rubric, the evidence (by field, never by file name), the self-evaluation, any copy finding, the
    reviewer's own scores and, for a resubmission, the field-by-field changes and the earlier feedback."""
    assignment = assignment_get_for_reviewer(user=user, assignment_id=assignment_id)
    attempt = assignment.attempt
    definition = attempt.version.spec
    redact = Redactor(attempt.submission.educator)
    review = Review.objects.filter(assignment=assignment).prefetch_related("scores").first()
    my_scores = (
        {
            s.criterion: {"level": s.level, "reasoning": s.reasoning, "suggestion": s.suggestion}
            for s in review.scores.all()
        }
        if review is not None
        else {}
    )
    findings = [
        CopyFindingView(f.field_ref, _field_label(definition, f.field_ref), round(f.overlap, 3))
        for f in CopyFinding.objects.filter(attempt=attempt).order_by("-overlap")
    ]
    resubmission = None
    previous = (
        Attempt.objects.filter(submission_id=attempt.submission_id, number__lt=attempt.number, decision__isnull=False)
        .select_related("decision", "version")
        .order_by("-number")
        .first()
    )
    if previous is not None:
        changes, ratings = _diff(previous, attempt, definition, redact)
        before = {item.get("sha256") for item in previous.evidence_manifest}
        after = {item.get("sha256") for item in attempt.evidence_manifest}
        previous_views = _evidence(definition, previous.evidence_manifest, assignment.pk)
        resubmission = Resubmission(
            previous_number=previous.number,
            changes=changes,
            self_evaluation_changes=ratings,
            evidence_added=[
                view
                for view, item in zip(
                    _evidence(definition, attempt.evidence_manifest, assignment.pk),
                    attempt.evidence_manifest,
                    strict=True,
                )
                if item.get("sha256") not in before
            ],
            evidence_removed=[
                view.label
                for view, item in zip(previous_views, previous.evidence_manifest, strict=True)
                if item.get("sha256") not in after
            ],
            feedback=_feedback(previous, previous.decision, redact=redact),
        )
    disputed: list[str] = []
    if assignment.seat.role == SeatRole.ADJUDICATOR:
        # The lead is told which criteria are in dispute, never how anyone scored them.
        disputed = _disputed(attempt)
    return ReviewerAttemptView(
        assignment_id=assignment.pk,
        assignment_state=assignment.state,
        due_at=assignment.due_at,
        seat_title=assignment.seat.title,
        adjudicator=assignment.seat.role == SeatRole.ADJUDICATOR,
        credential=definition.title,
        issuer=definition.issuer.name,
        attempt_number=attempt.number,
        version=attempt.version.number,
        submitted_at=attempt.submitted_at,
        grade_band=attempt.grade_band,
        parts=_parts(definition, attempt.responses, redact),
        self_evaluation=_self_evaluation(definition, attempt.self_evaluation, redact),
        evidence=_evidence(definition, attempt.evidence_manifest, assignment.pk),
        copy_findings=findings,
        rubric=_rubric(definition),
        my_review_state=review.state if review is not None else None,
        my_scores=my_scores,
        resubmission=resubmission,
        disputed=disputed,
    )


def _disputed(attempt: Attempt) -> list[str]:
    definition = attempt.version.spec
    inputs, _ = decision_inputs(attempt=attempt)
    panel = [i for i in inputs if i.role == "panel"]
    return list(policy.decide(definition.review_policy, definition.rubric, panel).disputed)


def evidence_get_for_reviewer(*, user: Any, assignment_id: int, evidence_id: int) -> Evidence:
    """A file of the attempt behind one of the reviewer's live assignments; 404 otherwise."""
    assignment = assignment_get_for_reviewer(user=user, assignment_id=assignment_id)
    item = Evidence.objects.filter(pk=evidence_id, attempts=assignment.attempt_id).first()
    if item is None:
        raise Http404("no such file")
    return item


# ----- educator: feedback -----------------------------------------------------------------------------------


def _feedback(attempt: Attempt, decision: Decision, *, redact: Redactor | None = None) -> Feedback:
    definition = decision.version.spec
    labels = {level.id: level.label for level in definition.rubric.levels}
    passing = set(definition.rubric.passing_levels())
    parts = {p.id: p.title for p in definition.parts}
    results = {c["criterion"]: c for c in decision.results.get("criteria", [])}

    def clean(text: str) -> str:
        return redact.text(text) if redact is not None else text

    criteria = []
    for criterion in definition.rubric.criteria:
        result = results.get(criterion.id, {})
        levels = []
        for number, given in enumerate(decision.inputs, start=1):
            level = given["scores"].get(criterion.id) or None
            comments = given.get("comments", {}).get(criterion.id, {})
            lead = given.get("role") == SeatRole.ADJUDICATOR
            levels.append(
                FeedbackLevel(
                    reviewer=f"Reviewer {number}" + (" (lead)" if lead else ""),
                    level=level,
                    level_label=labels.get(level or "", ""),
                    passed=(level in passing) if level else None,
                    reasoning=clean(comments.get("reasoning", "")),
                    suggestion=clean(comments.get("suggestion", "")),
                )
            )
        criteria.append(
            FeedbackCriterion(
                id=criterion.id,
                title=criterion.title,
                part=criterion.part,
                part_title=parts.get(criterion.part or "", "Whole submission"),
                passed=result.get("passed"),
                reason=str(result.get("reason", "")),
                levels=levels,
            )
        )
    status: ResubmissionStatus = resubmission_status(submission=attempt.submission)
    earned = decision.outcome == DecisionOutcome.EARNED
    if earned:
        steps = ["Nothing more to do for this credential: it is earned."]
    else:
        failing = [c.title for c in criteria if c.passed is False]
        steps = [f"Revise what the reviewers describe for: {', '.join(failing)}." if failing else "Revise your work."]
        steps.append(status.message)
    return Feedback(
        attempt_number=attempt.number,
        outcome=decision.outcome,
        outcome_label=DecisionOutcome(decision.outcome).label,
        decided_at=decision.decided_at,
        overridden=decision.overridden_at is not None,
        override_reason=decision.override_reason,
        criteria=criteria,
        next_steps=steps,
        issuer_feedback="" if earned else (definition.review_policy.feedback or ""),
        attempts_used=status.used,
        attempts_allowed=status.allowed,
        can_resubmit=status.can_resubmit and not earned,
        coaching_url=status.coaching_url,
    )


def feedback_for_attempt(*, attempt: Attempt, viewer: Any) -> Feedback:
    """The decision on an attempt as its educator reads it: the outcome, per criterion the levels given and
    the reviewers' reasoning and suggestions (reviewers anonymous), and what to do next. 404 before the
    decision, and for anyone but the educator and the issuer's admins."""
    uid = _uid(viewer)
    owner = uid is not None and attempt.submission.educator_id == uid
    if not owner and not is_issuer_admin(user=viewer, issuer_id=attempt.submission.credential.issuer_id):
        raise Http404("no such attempt")
    decision = Decision.objects.select_related("version").filter(attempt=attempt).first()
    if decision is None:
        raise Http404("this attempt has not been decided yet")
    return _feedback(attempt, decision)


# ----- issuer admins ---------------------------------------------------------------------------------------


def _admin_issuer_ids(user: Any) -> list[int] | None:
    """The issuers this user administers (None: every issuer, for a platform admin); 404 for anyone else."""
    uid = _uid(user)
    if uid is None:
        raise Http404("no such page")
    if user.is_superuser:
        return None
    ids = list(
        IssuerMembership.objects.filter(user_id=uid, role=IssuerMembership.Role.ADMIN).values_list(
            "issuer_id", flat=True
        )
    )
    if not ids:
        raise Http404("no such page")
    return ids


def _scoped(queryset: QuerySet[Any], path: str, ids: list[int] | None) -> QuerySet[Any]:
    return queryset if ids is None else queryset.filter(**{f"{path}__in": ids})


@dataclass(frozen=True)
class PipelineAssignment:
    id: int
    reviewer: str  # admins see who reviews (not who is reviewed)
    reviewer_email: str
    seat: int
    seat_title: str
    due_at: datetime
    overdue: bool


@dataclass(frozen=True)
class PipelineRow:
    attempt_id: int
    candidate: str  # a reference, never the educator's name
    submission_id: int
    attempt_number: int
    credential: str
    credential_slug: str
    status: str
    submitted_at: datetime
    seats: int
    seats_waiting: int
    reviews_submitted: int
    overdue: int
    next_due: datetime | None
    assignments: list[PipelineAssignment]


@dataclass(frozen=True)
class DecidedRow:
    decision_id: int
    attempt_id: int
    candidate: str
    submission_id: int
    attempt_number: int
    credential: str
    credential_slug: str
    outcome: str
    decided_at: datetime
    overridden: bool


@dataclass(frozen=True)
class Pipeline:
    waiting: list[PipelineRow]
    overdue: list[PipelineRow]
    in_review: list[PipelineRow]
    decided: list[DecidedRow]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def pipeline_for_admin(*, user: Any, now: datetime | None = None, decided_limit: int = 50) -> Pipeline:
    """The admin's issuers' attempts under review, grouped: waiting for reviewers (some seat has none),
    overdue (else, some open assignment is past due), in review (the rest), and the latest decisions.
    Four queries whatever the numbers: scope, attempts with counts, their open assignments, decisions."""
    ids = _admin_issuer_ids(user)
    now = now or timezone.now()
    open_assignments = Assignment.objects.filter(state=AssignmentState.OPEN).select_related("reviewer", "seat")
    attempts = (
        _scoped(Attempt.objects.all(), "submission__credential__issuer_id", ids)
        .filter(status__in=[AttemptStatus.SUBMITTED, AttemptStatus.IN_REVIEW])
        .select_related("submission__credential")
        .defer("responses", "self_evaluation", "evidence_manifest")
        .annotate(
            seat_count=Count("review_seats", filter=Q(review_seats__closed_at__isnull=True), distinct=True),
            waiting_count=Count(
                "review_seats",
                filter=Q(review_seats__reviewer__isnull=True, review_seats__closed_at__isnull=True),
                distinct=True,
            ),
            submitted_count=Count(
                "review_assignments", filter=Q(review_assignments__state=AssignmentState.SUBMITTED), distinct=True
            ),
            overdue_count=Count(
                "review_assignments",
                filter=Q(review_assignments__state=AssignmentState.OPEN, review_assignments__due_at__lte=now),
                distinct=True,
            ),
            next_due=Min("review_assignments__due_at", filter=Q(review_assignments__state=AssignmentState.OPEN)),
        )
        .prefetch_related(Prefetch("review_assignments", queryset=open_assignments, to_attr="open_assignments"))
        .order_by("submitted_at", "id")
    )
    waiting, overdue, in_review = [], [], []
    for attempt in attempts:
        row = PipelineRow(
            attempt_id=attempt.pk,
            candidate=f"C-{attempt.submission_id}",
            submission_id=attempt.submission_id,
            attempt_number=attempt.number,
            credential=attempt.submission.credential.title,
            credential_slug=attempt.submission.credential.slug,
            status=attempt.status,
            submitted_at=attempt.submitted_at,
            seats=attempt.seat_count,
            seats_waiting=attempt.waiting_count,
            reviews_submitted=attempt.submitted_count,
            overdue=attempt.overdue_count,
            next_due=attempt.next_due,
            assignments=[
                PipelineAssignment(
                    id=a.pk,
                    reviewer=a.reviewer.name,
                    reviewer_email=a.reviewer.email,
                    seat=a.seat.position,
                    seat_title=a.seat.title,
                    due_at=a.due_at,
                    overdue=a.due_at <= now,
                )
                for a in attempt.open_assignments
            ],
        )
        if row.seats_waiting:
            waiting.append(row)
        elif row.overdue:
            overdue.append(row)
        else:
            in_review.append(row)
    decisions = (
        _scoped(Decision.objects.all(), "attempt__submission__credential__issuer_id", ids)
        .select_related("attempt__submission__credential")
        .defer("attempt__responses", "attempt__self_evaluation", "attempt__evidence_manifest", "results", "inputs")
        .order_by("-decided_at", "-id")[:decided_limit]
    )
    decided = [
        DecidedRow(
            decision_id=d.pk,
            attempt_id=d.attempt_id,
            candidate=f"C-{d.attempt.submission_id}",
            submission_id=d.attempt.submission_id,
            attempt_number=d.attempt.number,
            credential=d.attempt.submission.credential.title,
            credential_slug=d.attempt.submission.credential.slug,
            outcome=d.outcome,
            decided_at=d.decided_at,
            overridden=d.overridden_at is not None,
        )
        for d in decisions
    ]
    return Pipeline(waiting=waiting, overdue=overdue, in_review=in_review, decided=decided)


def assignment_get_for_admin(*, user: Any, assignment_id: int) -> Assignment:
    ids = _admin_issuer_ids(user)
    assignment = (
        _scoped(Assignment.objects.all(), "attempt__submission__credential__issuer_id", ids)
        .select_related("seat", "reviewer", "attempt__version")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None:
        raise Http404("no such assignment")
    return assignment


def decision_get_for_admin(*, user: Any, decision_id: int) -> Decision:
    """A decision with its inputs (the scores), for the issuer's admins only."""
    ids = _admin_issuer_ids(user)
    decision = (
        _scoped(Decision.objects.all(), "attempt__submission__credential__issuer_id", ids)
        .select_related("attempt__submission__credential", "version")
        .filter(pk=decision_id)
        .first()
    )
    if decision is None:
        raise Http404("no such decision")
    return decision


def submission_get_for_admin(*, user: Any, submission_id: int) -> Submission:
    ids = _admin_issuer_ids(user)
    submission = (
        _scoped(Submission.objects.all(), "credential__issuer_id", ids)
        .select_related("credential__current_version", "version", "educator")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None:
        raise Http404("no such submission")
    return submission


def attempt_get_for_admin(*, user: Any, attempt_id: int) -> Attempt:
    ids = _admin_issuer_ids(user)
    attempt = (
        _scoped(Attempt.objects.all(), "submission__credential__issuer_id", ids)
        .select_related("submission__credential", "version")
        .filter(pk=attempt_id)
        .first()
    )
    if attempt is None:
        raise Http404("no such attempt")
    return attempt


# ----- calibration -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleView:
    id: int
    key: str
    title: str
    draft: bool
    parts: list[PartView]
    evidence_note: str
    my_levels: dict[str, str] | None  # the latest levels this reviewer gave, if any
    matches: int | None
    total: int | None
    agreed: dict[str, str] | None  # shown once the reviewer has scored the sample, to learn from
    rationale: dict[str, str] | None


@dataclass(frozen=True)
class CalibrationView:
    credential: str
    credential_slug: str
    rubric: dict[str, Any]
    samples: list[SampleView]
    status: CalibrationStatus
    calibrated: bool
    agreement: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def credential_get_for_calibration(*, user: Any, slug: str) -> Credential:
    """A credential the user reviews for (an active reviewer profile lists its issuer); 404 otherwise."""
    uid = _uid(user)
    credential = (
        Credential.objects.select_related("current_version", "issuer")
        .filter(slug=slug, current_version__isnull=False)
        .first()
    )
    if (
        uid is None
        or credential is None
        or not ReviewerProfile.objects.filter(user_id=uid, is_active=True, issuers=credential.issuer_id).exists()
    ):
        raise Http404("no such credential")
    return credential


def calibration_for_reviewer(*, user: Any, slug: str) -> CalibrationView:
    """The samples in force for the credential's current rubric, with the reviewer's latest result on each."""
    credential = credential_get_for_calibration(user=user, slug=slug)
    assert credential.current_version is not None
    version = credential.current_version
    definition = version.spec
    hash_ = rubric_hash(version.definition)
    samples = list(
        CalibrationSample.objects.filter(credential=credential, rubric_hash=hash_, retired_at__isnull=True).order_by(
            "key"
        )
    )
    latest: dict[int, CalibrationResult] = {}
    for result in CalibrationResult.objects.filter(reviewer_id=user.pk, sample__in=samples).order_by(
        "submitted_at", "id"
    ):
        latest[result.sample_id] = result
    nobody = Redactor(User(name="", email="", organisation=""))
    views = []
    for sample in samples:
        mine = latest.get(sample.pk)
        views.append(
            SampleView(
                id=sample.pk,
                key=sample.key,
                title=sample.title,
                draft=sample.draft,
                parts=_parts(definition, sample.responses, nobody),
                evidence_note=sample.evidence_note,
                my_levels=mine.levels if mine else None,
                matches=mine.matches if mine else None,
                total=mine.total if mine else None,
                agreed=sample.agreed if mine else None,
                rationale=sample.rationale if mine else None,
            )
        )
    status = calibration_status(reviewer=user, credential=credential)
    return CalibrationView(
        credential=credential.title,
        credential_slug=credential.slug,
        rubric=_rubric(definition),
        samples=views,
        status=status,
        calibrated=status.calibrated,
        agreement=status.agreement,
    )


def calibration_sample_get(*, user: Any, slug: str, sample_id: int) -> tuple[Credential, CalibrationSample]:
    credential = credential_get_for_calibration(user=user, slug=slug)
    sample = CalibrationSample.objects.filter(pk=sample_id, credential=credential, retired_at__isnull=True).first()
    if sample is None:
        raise Http404("no such calibration sample")
    return credential, sample


# ----- pages: the reviewer's credentials, reassignment choices, an attempt's record for its admins -----------


def review_get_for_reviewer(*, user: Any, assignment_id: int) -> tuple[Assignment, Review | None]:
    """One of the reviewer's live assignments with their own review of it (None before the first save), its scores
    prefetched; 404 for anyone else."""
    assignment = assignment_get_for_reviewer(user=user, assignment_id=assignment_id)
    return assignment, Review.objects.filter(assignment=assignment).prefetch_related("scores").first()


@dataclass(frozen=True)
class ReviewerCredential:
    slug: str
    title: str
    issuer: str
    status: CalibrationStatus


def credentials_for_reviewer(*, user: Any) -> list[ReviewerCredential]:
    """The published credentials of the issuers the user actively reviews for, each with the user's calibration
    on its current rubric. Three queries however many credentials and results there are: the credentials, the
    samples in force for their rubrics, and the user's results on those samples."""
    uid = _uid(user)
    if uid is None:
        return []
    credentials = list(
        Credential.objects.filter(
            issuer__reviewers__user_id=uid, issuer__reviewers__is_active=True, current_version__isnull=False
        )
        .select_related("current_version", "issuer")
        .distinct()
        .order_by("title", "issuer__name")
    )
    if not credentials:
        return []
    hashes = {c.pk: rubric_hash(c.current_version.definition) for c in credentials if c.current_version}
    in_force: dict[int, set[int]] = {c.pk: set() for c in credentials}
    sample_credential: dict[int, int] = {}
    for sample_id, credential_id, hash_ in CalibrationSample.objects.filter(
        credential_id__in=list(hashes), retired_at__isnull=True
    ).values_list("pk", "credential_id", "rubric_hash"):
        if hashes.get(credential_id) == hash_:
            in_force[credential_id].add(sample_id)
            sample_credential[sample_id] = credential_id
    latest: dict[int, CalibrationResult] = {}
    for result in CalibrationResult.objects.filter(reviewer_id=uid, sample_id__in=list(sample_credential)).order_by(
        "submitted_at", "id"
    ):
        latest[result.sample_id] = result  # the latest result on each sample counts, as in calibration_status
    out = []
    for credential in credentials:
        assert credential.current_version is not None
        spec = credential.current_version.spec.review_policy.calibration
        mine = [latest[s] for s in in_force[credential.pk] if s in latest]
        out.append(
            ReviewerCredential(
                slug=credential.slug,
                title=credential.title,
                issuer=credential.issuer.name,
                status=CalibrationStatus(
                    required=spec.required,
                    agreement_needed=spec.agreement,
                    samples=len(in_force[credential.pk]),
                    scored=len(mine),
                    matches=sum(r.matches for r in mine),
                    total=sum(r.total for r in mine),
                ),
            )
        )
    return out


def reassign_choices(*, user: Any, assignment: Assignment) -> list[ReviewerProfile]:
    """The active reviewers of the assignment's issuer other than its holder, for an admin choosing who takes it
    over (whether one is eligible for this seat is the service's check). 404 for anyone but the issuer's admins."""
    assignment = assignment_get_for_admin(user=user, assignment_id=assignment.pk)
    return list(
        ReviewerProfile.objects.filter(
            issuers__credentials=assignment.attempt.version.credential_id,
            is_active=True,
            user__is_active=True,
        )
        .exclude(user_id=assignment.reviewer_id)
        .select_related("user")
        .distinct()
        .order_by("user__name", "user__email")
    )


@dataclass(frozen=True)
class SeatRecord:
    position: int
    title: str
    role: str
    reviewer: str  # "" while the seat waits
    reviewer_email: str
    assignment_id: int | None  # the open assignment, which an admin may reassign
    due_at: datetime | None
    overdue: bool
    waiting_since: datetime | None
    closed: bool


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    action: str
    action_label: str
    actor: str  # "Automatic" when the platform acted
    subject: str
    old: str
    new: str
    reason: str
    reviewer: str  # whom an assignment concerned ("" when none)


@dataclass(frozen=True)
class AttemptRecord:
    """One attempt as its issuer's admins see it: by reference, with its panel, its decision and its audit log."""

    attempt: Attempt
    candidate: str
    credential: str
    seats: list[SeatRecord]
    decision: Decision | None
    log: list[AuditEntry]
    resubmission: ResubmissionStatus


_SUBJECTS = {
    "attempt": "Attempt",
    "assignment": "Assignment",
    "seat": "Seat",
    "decision": "Decision",
    "submission": "Submission",
}


def _reason(entry: AuditLog) -> str:
    data = entry.data if isinstance(entry.data, dict) else {}
    if data.get("reason"):
        return str(data["reason"])
    reasons = data.get("reasons")
    return "; ".join(str(r) for r in reasons) if isinstance(reasons, list) else ""


def attempt_record_for_admin(*, user: Any, attempt_id: int, now: datetime | None = None) -> AttemptRecord:
    """The attempt's panel, decision and append-only audit log (oldest first), for the issuer's admins and platform
    admins; 404 for anyone else. The log gathers the rows about the attempt itself, its seats, its assignments,
    its decision and its submission's extra attempts, in one query (each subject is matched on the audit_subject
    index), and names the reviewers those rows concern in one more."""
    attempt = attempt_get_for_admin(user=user, attempt_id=attempt_id)
    now = now or timezone.now()
    seats = list(Seat.objects.filter(attempt=attempt).select_related("reviewer").order_by("position"))
    open_by_seat = {
        a.seat_id: a for a in Assignment.objects.filter(attempt=attempt, state=AssignmentState.OPEN).order_by("id")
    }
    decision = Decision.objects.filter(attempt=attempt).select_related("overridden_by").first()
    rows = list(
        AuditLog.objects.filter(
            Q(subject_type="attempt", subject_id=attempt.pk)
            | Q(subject_type="seat", subject_id__in=Seat.objects.filter(attempt=attempt).values("pk"))
            | Q(subject_type="assignment", subject_id__in=Assignment.objects.filter(attempt=attempt).values("pk"))
            | Q(subject_type="decision", subject_id__in=Decision.objects.filter(attempt=attempt).values("pk"))
            | Q(
                subject_type="submission",
                subject_id=attempt.submission_id,
                action=AuditAction.EXTRA_ATTEMPT_GRANTED,
            )
        )
        .select_related("actor")
        .order_by("at", "id")
    )
    mentioned = {row.data.get("reviewer") for row in rows if isinstance(row.data, dict)}
    names: dict[Any, str] = {
        pk: name or email
        for pk, name, email in User.objects.filter(pk__in=[m for m in mentioned if isinstance(m, int)]).values_list(
            "pk", "name", "email"
        )
    }
    log = [
        AuditEntry(
            at=row.at,
            action=row.action,
            action_label=str(AuditAction(row.action).label) if row.action in AuditAction.values else row.action,
            actor=row.actor.name or row.actor.email if row.actor is not None else "Automatic",
            subject=f"{_SUBJECTS.get(row.subject_type, row.subject_type.title())} {row.subject_id}",
            old=row.old,
            new=row.new,
            reason=_reason(row),
            reviewer=names.get(row.data.get("reviewer"), "") if isinstance(row.data, dict) else "",
        )
        for row in rows
    ]
    records = []
    for seat in seats:
        holder = open_by_seat.get(seat.pk)
        records.append(
            SeatRecord(
                position=seat.position,
                title=seat.title or seat.kind.replace("_", " "),
                role=seat.role,
                reviewer=seat.reviewer.name or seat.reviewer.email if seat.reviewer is not None else "",
                reviewer_email=seat.reviewer.email if seat.reviewer is not None else "",
                assignment_id=holder.pk if holder is not None else None,
                due_at=holder.due_at if holder is not None else None,
                overdue=holder is not None and holder.due_at <= now,
                waiting_since=seat.waiting_since if seat.is_waiting else None,
                closed=seat.closed_at is not None,
            )
        )
    return AttemptRecord(
        attempt=attempt,
        candidate=f"C-{attempt.submission_id}",
        credential=attempt.submission.credential.title,
        seats=records,
        decision=decision,
        log=log,
        resubmission=resubmission_status(submission=attempt.submission),
    )

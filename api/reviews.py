"""The reviews API at /api/v1/reviews: reviewers' queue, scoring, declining and calibration; issuer admins'
pipeline, reassignment, overrides and extra attempts; an educator's feedback. The same services and
selectors the pages use.

Thin on purpose: each endpoint resolves its objects through a selector (404 for anyone who may not see
them, anonymous included), calls one service and shapes the answer. Refusals (core.errors) are
turned into 4xx answers naming the field by api.api's handlers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from accounts.models import User
from api.auth import object_auth, request_user, session_or_token
from api.common import FILE_DOC, Id, Pagination, Slug, StrictIn, errors
from core.errors import FieldError, InvalidInput
from reviews import selectors, services
from reviews.models import Assignment, Decision, Review
from reviews.selectors import CalibrationView, Feedback, Pipeline, ReviewerAttemptView
from reviews.selectors.queue import OpenThenSubmitted
from reviews.selectors.queue import assignments_in_pages_for_reviewer as queue_pages
from submissions.downloads import evidence_file_response
from submissions.selectors import attempt_get_for_educator
from workflow import services as workflow

router = Router(auth=object_auth)


class ScoresIn(StrictIn):
    scores: dict[str, Any]


class SubmitIn(StrictIn):
    scores: dict[str, Any] = {}


class ReasonIn(StrictIn):
    reason: str


class ReassignIn(StrictIn):
    reason: str
    to_reviewer: str | None = None  # the reviewer's email address; omitted: whoever the rules pick


class OverrideIn(StrictIn):
    outcome: str
    reason: str


class CalibrationIn(StrictIn):
    levels: dict[str, Any]


class AssignmentRow(Schema):
    id: int
    state: str
    credential: str
    credential_slug: str
    issuer: str
    attempt_number: int
    seat_title: str
    adjudicator: bool
    assigned_at: datetime
    due_at: datetime
    overdue: bool
    review_state: str | None

    @staticmethod
    def resolve_credential(obj: Assignment) -> str:
        return str(obj.credential_title)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_credential_slug(obj: Assignment) -> str:
        return str(obj.credential_slug)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_issuer(obj: Assignment) -> str:
        return str(obj.issuer_name)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_seat_title(obj: Assignment) -> str:
        return obj.seat.title

    @staticmethod
    def resolve_adjudicator(obj: Assignment) -> bool:
        return obj.seat.role == "adjudicator"

    @staticmethod
    def resolve_overdue(obj: Assignment) -> bool:
        return obj.overdue_at is not None


class ProblemOut(Schema):
    field: str
    message: str


class ReviewOut(Schema):
    assignment: int
    state: str
    scores: dict[str, dict[str, str]]
    problems: list[ProblemOut]  # what must still be done before the review can be submitted


class DeclineOut(Schema):
    assignment: int
    state: str


class ReassignOut(Schema):
    ended: int
    assignment: int | None  # the seat's new assignment; None while it waits in the queue
    reviewer: str | None


class CalibrationResultOut(Schema):
    sample: int
    matches: int
    total: int
    calibrated: bool
    agreement: float
    agreed: dict[str, str]
    rationale: dict[str, str]


class DecisionOut(Schema):
    id: int
    attempt: int
    outcome: str
    original_outcome: str
    decided_at: datetime
    overridden_at: datetime | None
    override_reason: str
    policy_hash: str
    rubric_hash: str
    version: int
    results: dict[str, Any]
    inputs: list[dict[str, Any]]


def _review_out(assignment: Assignment, review: Review | None) -> dict[str, Any]:
    scores = (
        {
            s.criterion: {"level": s.level, "reasoning": s.reasoning, "suggestion": s.suggestion}
            for s in review.scores.all()
        }
        if review is not None
        else {}
    )
    problems = services.review_problems(review=review, assignment=assignment)
    return {
        "assignment": assignment.pk,
        "state": review.state if review is not None else "draft",
        "scores": scores,
        "problems": [{"field": p.field, "message": p.message} for p in problems],
    }


def _decision_out(decision: Decision) -> dict[str, Any]:
    return {
        "id": decision.pk,
        "attempt": decision.attempt_id,
        "outcome": decision.outcome,
        "original_outcome": decision.original_outcome,
        "decided_at": decision.decided_at,
        "overridden_at": decision.overridden_at,
        "override_reason": decision.override_reason,
        "policy_hash": decision.policy_hash,
        "rubric_hash": decision.rubric_hash,
        "version": decision.version.number,
        "results": decision.results,
        "inputs": decision.inputs,
    }


# ----- reviewers -------------------------------------------------------------------------------------------


@router.get(
    "/assignments",
    response={200: list[AssignmentRow], **errors(401, 422)},
    url_name="reviews_assignments",
    auth=session_or_token,
)
@paginate(Pagination)
def my_assignments(request: HttpRequest, include_submitted: bool = False) -> OpenThenSubmitted:
    """My review queue, soonest due first (open assignments; add include_submitted=true for those done, after
    the open ones)."""
    return queue_pages(user=request_user(request), include_submitted=include_submitted)


@router.get(
    "/assignments/{assignment_id}",
    response={200: ReviewerAttemptView, **errors(404, 422)},
    url_name="reviews_assignment",
)
def assignment_detail(request: HttpRequest, assignment_id: Id) -> ReviewerAttemptView:
    """The attempt behind one of my assignments, anonymised, with the rubric and my own scores only."""
    return selectors.attempt_get_for_reviewer(user=request_user(request), assignment_id=assignment_id)


@router.get(
    "/assignments/{assignment_id}/review", response={200: ReviewOut, **errors(404, 422)}, url_name="reviews_review"
)
def review_detail(request: HttpRequest, assignment_id: Id) -> dict[str, Any]:
    assignment = selectors.assignment_get_for_reviewer(user=request_user(request), assignment_id=assignment_id)
    return _review_out(assignment, Review.objects.filter(assignment=assignment).first())


@router.patch(
    "/assignments/{assignment_id}/review",
    response={200: ReviewOut, **errors(400, 403, 404, 409, 413, 422)},
    url_name="reviews_save",
)
def save_scores(request: HttpRequest, assignment_id: Id, payload: ScoresIn) -> dict[str, Any]:
    """Autosave: the criteria sent are merged into my draft review; the rest is kept."""
    user = request_user(request)
    assignment = selectors.assignment_get_for_reviewer(user=user, assignment_id=assignment_id)
    review = services.review_save(assignment=assignment, reviewer=user, scores=payload.scores)
    return _review_out(assignment, review)


@router.post(
    "/assignments/{assignment_id}/review/submit",
    response={200: ReviewOut, **errors(400, 403, 404, 409, 413, 422)},
    url_name="reviews_submit",
)
def submit_review(request: HttpRequest, assignment_id: Id, payload: SubmitIn) -> dict[str, Any]:
    """Submit my review (final); 422 naming every missing level and comment."""
    user = request_user(request)
    assignment = selectors.assignment_get_for_reviewer(user=user, assignment_id=assignment_id)
    review = workflow.review_submit(assignment=assignment, reviewer=user, scores=payload.scores or None)
    assignment.refresh_from_db()
    return _review_out(assignment, review)


@router.post(
    "/assignments/{assignment_id}/decline",
    response={200: DeclineOut, **errors(400, 403, 404, 409, 413, 422)},
    url_name="reviews_decline",
)
def decline(request: HttpRequest, assignment_id: Id, payload: ReasonIn) -> dict[str, Any]:
    """Hand the review back, with a reason; the seat goes to someone else."""
    user = request_user(request)
    assignment = selectors.assignment_get_for_reviewer(user=user, assignment_id=assignment_id)
    services.assignment_decline(assignment=assignment, reviewer=user, reason=payload.reason)
    # The declining reviewer is not told who takes the seat over.
    return {"assignment": assignment.pk, "state": assignment.state}


@router.get(
    "/assignments/{assignment_id}/evidence/{evidence_id}",
    response={200: None, **errors(404, 422)},
    openapi_extra=FILE_DOC,
    url_name="reviews_evidence",
)
def evidence_file(request: HttpRequest, assignment_id: Id, evidence_id: Id) -> FileResponse:
    """One evidence file of the attempt, as an attachment named by its field, never by its original name; only
    while the attempt is undecided (404 saying so afterwards). Each download is recorded in the audit log."""
    viewer = request_user(request)
    item, attempt = selectors.evidence_get_for_reviewer(
        user=viewer, assignment_id=assignment_id, evidence_id=evidence_id
    )
    return evidence_file_response(item=item, viewer=viewer, attempt=attempt)


@router.get("/calibration/{slug}", response={200: CalibrationView, **errors(404, 422)}, url_name="reviews_calibration")
def calibration(request: HttpRequest, slug: Slug) -> CalibrationView:
    """The calibration samples for a credential I review, with my results and whether I am calibrated."""
    return selectors.calibration_for_reviewer(user=request_user(request), slug=slug)


@router.post(
    "/calibration/{slug}/samples/{sample_id}",
    response={200: CalibrationResultOut, **errors(400, 403, 404, 409, 413, 422)},
    url_name="reviews_calibration_submit",
)
def calibration_submit(request: HttpRequest, slug: Slug, sample_id: Id, payload: CalibrationIn) -> dict[str, Any]:
    """Score one sample; answers my agreement with the agreed levels (shown now, to learn from)."""
    user = request_user(request)
    credential, sample = selectors.calibration_sample_get(user=user, slug=slug, sample_id=sample_id)
    result, status = services.calibration_submit(
        reviewer=user, credential=credential, sample=sample, levels=payload.levels
    )
    return {
        "sample": sample.pk,
        "matches": result.matches,
        "total": result.total,
        "calibrated": status.calibrated,
        "agreement": status.agreement,
        "agreed": sample.agreed,
        "rationale": sample.rationale,
    }


# ----- educators -------------------------------------------------------------------------------------------


@router.get(
    "/feedback/{submission_id}/{number}", response={200: Feedback, **errors(404, 422)}, url_name="reviews_feedback"
)
def feedback(request: HttpRequest, submission_id: Id, number: Id) -> Feedback:
    """The decision and feedback on one of my attempts (404 until it is decided)."""
    user = request_user(request)
    attempt = attempt_get_for_educator(user=user, submission_id=submission_id, number=number)
    return selectors.feedback_for_attempt(attempt=attempt, viewer=user)


# ----- issuer admins ---------------------------------------------------------------------------------------


# A collection, so anonymous is 401 like the other lists (api.auth); signed in but no issuer's admin is 404.
@router.get(
    "/admin/pipeline",
    response={200: Pipeline, **errors(401, 404, 422)},
    url_name="reviews_pipeline",
    auth=session_or_token,
)
def pipeline(request: HttpRequest, page: Id = 1) -> Pipeline:
    """My issuers' attempts, 50 a page oldest first (`page`, from 1; past the last is 404): waiting for reviewers,
    overdue, in review, and the latest decisions."""
    return selectors.pipeline_for_admin(user=request_user(request), page=page)


@router.post(
    "/admin/assignments/{assignment_id}/reassign",
    response={200: ReassignOut, **errors(400, 403, 404, 409, 413, 422)},
    url_name="reviews_reassign",
)
def reassign(request: HttpRequest, assignment_id: Id, payload: ReassignIn) -> dict[str, Any]:
    """Move an open review to another reviewer (by email), or to whoever the rules pick."""
    admin = request_user(request)
    assignment = selectors.assignment_get_for_admin(user=admin, assignment_id=assignment_id)
    target = None
    if payload.to_reviewer:
        target = User.objects.filter(email=payload.to_reviewer.strip().lower()).first()
        if target is None:
            raise InvalidInput([FieldError("to_reviewer", "no reviewer has this email address")])
    replacement = services.assignment_reassign(
        assignment=assignment, admin=admin, reason=payload.reason, to_reviewer=target
    )
    return {
        "ended": assignment.pk,
        "assignment": replacement.pk if replacement else None,
        "reviewer": replacement.reviewer.email if replacement else None,
    }


@router.get(
    "/admin/decisions/{decision_id}", response={200: DecisionOut, **errors(404, 422)}, url_name="reviews_decision"
)
def decision_detail(request: HttpRequest, decision_id: Id) -> dict[str, Any]:
    """A decision with everything it was made from: the scores, the version and the policy's hash."""
    return _decision_out(selectors.decision_get_for_admin(user=request_user(request), decision_id=decision_id))


@router.post(
    "/admin/decisions/{decision_id}/override",
    response={200: DecisionOut, **errors(400, 403, 404, 409, 413, 422)},
    url_name="reviews_override",
)
def override(request: HttpRequest, decision_id: Id, payload: OverrideIn) -> dict[str, Any]:
    admin = request_user(request)
    decision = selectors.decision_get_for_admin(user=admin, decision_id=decision_id)
    workflow.decision_override(admin=admin, decision=decision, outcome=payload.outcome, reason=payload.reason)
    return _decision_out(selectors.decision_get_for_admin(user=admin, decision_id=decision_id))


@router.post(
    "/admin/submissions/{submission_id}/extra-attempt",
    response={201: dict[str, Any], **errors(400, 403, 404, 409, 413, 422)},
    url_name="reviews_extra_attempt",
)
def extra_attempt(request: HttpRequest, submission_id: Id, payload: ReasonIn) -> Status[dict[str, Any]]:
    admin = request_user(request)
    submission = selectors.submission_get_for_admin(user=admin, submission_id=submission_id)
    grant = services.attempt_grant_extra(admin=admin, submission=submission, reason=payload.reason)
    return Status(201, {"grant": grant.pk, "attempts_allowed": selectors.attempts_allowed(submission=submission)})


@router.post(
    "/admin/attempts/{attempt_id}/return",
    response={200: dict[str, Any], **errors(400, 403, 404, 409, 413, 422)},
    url_name="reviews_return_incomplete",
)
def return_incomplete(request: HttpRequest, attempt_id: Id, payload: ReasonIn) -> dict[str, Any]:
    """Send an attempt back to its educator as incomplete, saying what is missing."""
    admin = request_user(request)
    attempt = selectors.attempt_get_for_admin(user=admin, attempt_id=attempt_id)
    services.attempt_return_incomplete(admin=admin, attempt=attempt, reason=payload.reason)
    return {"attempt": attempt.pk, "status": attempt.status}

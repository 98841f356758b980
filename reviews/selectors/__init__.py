"""Reads for reviewers, issuer admins and educators, always through an access check: anyone who may not
see an object gets Http404, as if it did not exist. One module per concern:

- access: who is signed in, who administers which issuer, which evidence a reviewer may open;
- queue: a reviewer's own live assignments (open, or submitted);
- reviewer_view: through one of them, the attempt anonymised - no name, email, school or file name of the
  candidate, and only their own scores, never another reviewer's, before or after the decision;
- feedback: the decision as the educator reads it, the reviewers as "Reviewer 1", "Reviewer 2" ...;
- attempts: the attempt limit and what the educator may do next;
- decisions: the submitted reviews a decision is made from;
- calibration: the samples in force and where a reviewer stands with them;
- admin_evidence: an attempt's files for its issuer's admins (never those holding student data), each opening
  audited;
- pipeline, admin_objects and record: for an issuer admin (or a platform admin), their issuers' attempts,
  decisions and assignments, the objects they act on from there, and one attempt's panel and audit log.
  Candidates appear there by reference only.
- roster: for an issuer's admins, the people holding its reviewer roles, with their load and calibration.

The services read through these too, so every write and every page sees one answer to each question.
"""

from reviews.selectors.access import (
    Viewer,
    active_user,
    active_user_id,
    evidence_reviewer_attempt,
    evidence_visible_to_reviewer,
    is_issuer_admin,
    issuer_admins,
)
from reviews.selectors.admin_evidence import AdminEvidenceView, evidence_for_admin, evidence_get_for_admin
from reviews.selectors.admin_objects import (
    ReviewerChoice,
    assignment_get_for_admin,
    attempt_get_for_admin,
    decision_get_for_admin,
    reassign_choices,
    submission_get_for_admin,
)
from reviews.selectors.attempts import UNJUDGED, ResubmissionStatus, attempts_allowed, resubmission_status
from reviews.selectors.calibration import (
    CalibrationStatus,
    CalibrationView,
    ReviewerCredential,
    SampleView,
    calibration_by_reviewer,
    calibration_for_reviewer,
    calibration_sample_get,
    calibration_status,
    credential_get_for_calibration,
    credentials_for_reviewer,
)
from reviews.selectors.decisions import decision_inputs
from reviews.selectors.feedback import Feedback, FeedbackCriterion, FeedbackLevel, feedback_for_attempt
from reviews.selectors.pipeline import (
    DecidedRow,
    Pipeline,
    PipelineAssignment,
    PipelineRow,
    PipelineState,
    pipeline_for_admin,
    pipeline_from_state,
    pipeline_page_changes_at,
    pipeline_page_for_admin,
    pipeline_page_scopes,
    pipeline_page_state,
)
from reviews.selectors.queue import (
    QueueSummary,
    assignment_get_for_reviewer,
    assignments_for_reviewer,
    queue_page_changes_at,
    queue_page_scopes,
    queue_page_state,
    queue_summary,
    queue_summary_state,
    review_get_for_reviewer,
    submitted_assignments_for_reviewer,
)
from reviews.selectors.record import AttemptRecord, AuditEntry, SeatRecord, attempt_record_for_admin
from reviews.selectors.reviewer_view import (
    CopyFindingView,
    EvidenceView,
    FieldChange,
    FieldView,
    PartView,
    Resubmission,
    ReviewerAttemptView,
    attempt_get_for_reviewer,
    evidence_get_for_reviewer,
)
from reviews.selectors.roster import (
    Roster,
    RosterReviewer,
    issuer_get_for_admin,
    issuers_for_admin,
    open_reviews_at,
    role_get_for_admin,
    roster_for_admin,
)

__all__ = [
    "UNJUDGED",
    "AdminEvidenceView",
    "AttemptRecord",
    "AuditEntry",
    "CalibrationStatus",
    "CalibrationView",
    "CopyFindingView",
    "DecidedRow",
    "EvidenceView",
    "Feedback",
    "FeedbackCriterion",
    "FeedbackLevel",
    "FieldChange",
    "FieldView",
    "PartView",
    "Pipeline",
    "PipelineAssignment",
    "PipelineRow",
    "PipelineState",
    "QueueSummary",
    "Resubmission",
    "ResubmissionStatus",
    "ReviewerAttemptView",
    "ReviewerChoice",
    "ReviewerCredential",
    "Roster",
    "RosterReviewer",
    "SampleView",
    "SeatRecord",
    "Viewer",
    "active_user",
    "active_user_id",
    "assignment_get_for_admin",
    "assignment_get_for_reviewer",
    "assignments_for_reviewer",
    "attempt_get_for_admin",
    "attempt_get_for_reviewer",
    "attempt_record_for_admin",
    "attempts_allowed",
    "calibration_by_reviewer",
    "calibration_for_reviewer",
    "calibration_sample_get",
    "calibration_status",
    "credential_get_for_calibration",
    "credentials_for_reviewer",
    "decision_get_for_admin",
    "decision_inputs",
    "evidence_for_admin",
    "evidence_get_for_admin",
    "evidence_get_for_reviewer",
    "evidence_reviewer_attempt",
    "evidence_visible_to_reviewer",
    "feedback_for_attempt",
    "is_issuer_admin",
    "issuer_admins",
    "issuer_get_for_admin",
    "issuers_for_admin",
    "open_reviews_at",
    "pipeline_for_admin",
    "pipeline_from_state",
    "pipeline_page_changes_at",
    "pipeline_page_for_admin",
    "pipeline_page_scopes",
    "pipeline_page_state",
    "queue_page_changes_at",
    "queue_page_scopes",
    "queue_page_state",
    "queue_summary",
    "queue_summary_state",
    "reassign_choices",
    "resubmission_status",
    "review_get_for_reviewer",
    "role_get_for_admin",
    "roster_for_admin",
    "submission_get_for_admin",
    "submitted_assignments_for_reviewer",
]

"""One attempt as its issuer's admins see it: by reference, with its panel, its decision and what the
audit log (core.AuditEvent) holds about its review, oldest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.models import AuditEvent
from reviews.models import Appeal, Assignment, AssignmentState, Decision, Seat
from reviews.selectors.access import Viewer
from reviews.selectors.admin_objects import attempt_get_for_admin
from reviews.selectors.attempts import ResubmissionStatus, resubmission_status
from submissions.models import Attempt

# The reviews' entries of the audit log as the record names them. The record shows these actions only: the
# other apps' entries about the same objects have their own pages.
ACTION_LABELS = {
    "assignment.created": gettext_lazy("Reviewer assigned"),
    "assignment.declined": gettext_lazy("Assignment declined"),
    "assignment.reassigned": gettext_lazy("Assignment reassigned"),
    "assignment.expired": gettext_lazy("Assignment expired"),
    "assignment.cancelled": gettext_lazy("Assignment cancelled"),
    "seat.waiting": gettext_lazy("Seat waiting for a reviewer"),
    "review.submitted": gettext_lazy("Review submitted"),
    "attempt.adjudication_requested": gettext_lazy("Adjudication requested"),
    "decision.made": gettext_lazy("Decision made"),
    "decision.overridden": gettext_lazy("Decision overridden"),
    "submission.extra_attempt_granted": gettext_lazy("Extra attempt granted"),
    "attempt.returned_incomplete": gettext_lazy("Returned as incomplete"),
    "evidence.viewed": gettext_lazy("Evidence file opened"),
    "appeal.requested": gettext_lazy("Appeal requested"),
    "appeal.assigned": gettext_lazy("Appeal reviewer assigned"),
    "appeal.decided": gettext_lazy("Appeal decided"),
}


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
    "appeal": "Appeal",
}


def _reason(entry: AuditEvent) -> str:
    data = entry.data if isinstance(entry.data, dict) else {}
    if data.get("reason"):
        return str(data["reason"])
    reasons = data.get("reasons")
    return "; ".join(str(r) for r in reasons) if isinstance(reasons, list) else ""


def attempt_record_for_admin(*, user: Viewer | None, attempt_id: int, now: datetime | None = None) -> AttemptRecord:
    """The attempt's panel, decision and audit log (oldest first), for the issuer's admins and platform admins;
    404 for anyone else. The log gathers the reviews' rows about the attempt itself, its seats, its assignments,
    its decision and its submission's extra attempts in one query, and names the reviewers those rows concern in
    one more. core.audit.audit_trail reads one subject at a time; this record spans several subjects and must
    stay at a flat number of queries, so it asks the log once, each subject matched on its auditevent_subject
    index."""
    attempt = attempt_get_for_admin(user=user, attempt_id=attempt_id)
    now = now or timezone.now()
    seats = list(Seat.objects.filter(attempt=attempt).select_related("reviewer").order_by("position"))
    open_by_seat = {
        a.seat_id: a for a in Assignment.objects.filter(attempt=attempt, state=AssignmentState.OPEN).order_by("id")
    }
    decision = Decision.objects.filter(attempt=attempt).select_related("overridden_by").first()
    rows = list(
        AuditEvent.objects.filter(
            Q(subject_type="attempt", subject_id=attempt.pk)
            | Q(subject_type="seat", subject_id__in=Seat.objects.filter(attempt=attempt).values("pk"))
            | Q(subject_type="assignment", subject_id__in=Assignment.objects.filter(attempt=attempt).values("pk"))
            | Q(subject_type="decision", subject_id__in=Decision.objects.filter(attempt=attempt).values("pk"))
            | Q(subject_type="submission", subject_id=attempt.submission_id)
            | Q(subject_type="appeal", subject_id__in=Appeal.objects.filter(attempt=attempt).values("pk")),
            action__in=list(ACTION_LABELS),
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
            action_label=str(ACTION_LABELS.get(row.action, row.action)),
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

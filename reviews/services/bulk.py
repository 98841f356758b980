"""An issuer admin's bulk actions on attempts chosen from the pipeline: extend the deadline of their open reviews
by some days, move their open reviews to one chosen reviewer, or remind their reviewers by email.

Every action runs in one transaction, audited with the admin as actor. The same function previews it: with
`apply=False` it runs the very same steps and rolls them back (their emails, queued on commit, go with them), so
the confirmation page lists exactly what pressing Confirm will do, refusals included, and each refused review is
named with its reason rather than skipped in silence.

Scope: every attempt must be one the admin administers (and of `issuer_id` when the API names one); a list that
holds anyone else's attempt is refused whole with 404, as the selectors answer, so nothing is done and nothing
tells whether the foreign id exists. Locks: the attempts are taken in key order, each as
reviews.services._shared orders them (submission, attempt, then its assignments).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.audit import audit_record
from core.errors import FieldError, InvalidInput, InvalidState, NotAllowed
from core.models import AuditEvent
from notifications.models import NotificationKind
from notifications.services import notification_send
from reviews import links
from reviews.models import Assignment, AssignmentState
from reviews.selectors.bulk import bulk_attempts
from reviews.services._shared import date_text, issuer_id_of, lock_attempt, reason_required
from reviews.services.deadlines import assignment_reassign
from submissions.models import Attempt

ACTIONS = {
    "extend": gettext_lazy("Extend the deadline"),
    "reassign": gettext_lazy("Reassign to another reviewer"),
    "remind": gettext_lazy("Remind the reviewers"),
}
MAX_EXTEND_DAYS = 60
# An admin's reminder goes to one assignment's reviewer at most once in this long, however often it is pressed.
REMIND_EVERY = timedelta(days=1)


@dataclass(frozen=True)
class BulkLine:
    """What happens (or happened) to one open review of one chosen attempt, or to an attempt with none."""

    attempt_id: int
    candidate: str  # a reference, as the pipeline shows candidates
    reviewer: str  # named, as the pipeline names reviewers; "" for an attempt with no open review
    done: bool
    detail: str


@dataclass
class BulkReport:
    action: str
    applied: bool  # False: a preview, nothing kept
    lines: list[BulkLine] = field(default_factory=list)

    @property
    def done(self) -> list[BulkLine]:
        return [line for line in self.lines if line.done]

    @property
    def refused(self) -> list[BulkLine]:
        return [line for line in self.lines if not line.done]


def _who(user: User) -> str:
    return user.name or user.email


def _open(attempt: Attempt) -> list[Assignment]:
    return list(
        Assignment.objects.select_for_update(of=("self",))
        .filter(attempt=attempt, state=AssignmentState.OPEN)
        .select_related("reviewer", "seat")
        .order_by("seat__position", "pk")
    )


def _extend(admin: User, attempt: Attempt, days: int, now: datetime) -> list[BulkLine]:
    lines = []
    for a in _open(attempt):
        old_due = a.due_at
        a.due_at += timedelta(days=days)
        a.expires_at += timedelta(days=days)
        if a.remind_at is not None:
            a.remind_at += timedelta(days=days)
            # A reminder already sent was about the old date; the new one earns its own.
            if a.remind_at > now:
                a.reminded_at = None
        if a.due_at > now:
            a.overdue_at = None
        a.save(update_fields=["due_at", "expires_at", "remind_at", "reminded_at", "overdue_at"])
        audit_record(
            action="assignment.deadline_extended",
            subject=a,
            actor=admin,
            old=old_due.isoformat(),
            new=a.due_at.isoformat(),
            data={"attempt": attempt.pk, "reviewer": a.reviewer_id, "days": days},
            issuer_id=issuer_id_of(attempt),
            at=now,
        )
        detail = f"due {date_text(old_due)}, now {date_text(a.due_at)}"
        lines.append(BulkLine(attempt.pk, f"C-{attempt.submission_id}", _who(a.reviewer), True, detail))
    return lines


def _reassign(admin: User, attempt: Attempt, target: User, reason: str) -> list[BulkLine]:
    lines = []
    for a in _open(attempt):
        line = BulkLine(attempt.pk, f"C-{attempt.submission_id}", _who(a.reviewer), True, f"moves to {_who(target)}")
        try:
            replacement = assignment_reassign(assignment=a, admin=admin, reason=reason, to_reviewer=target)
        except InvalidInput as refusal:
            line = _refused(line, "; ".join(e.message for e in refusal.errors))
        except (InvalidState, NotAllowed) as refusal:
            line = _refused(line, refusal.message)
        else:
            if replacement is None:  # pragma: no cover - a chosen reviewer always takes the seat or is refused
                line = _refused(line, "the seat now waits for a reviewer")
        lines.append(line)
    return lines


def _remind(admin: User, attempt: Attempt, now: datetime) -> list[BulkLine]:
    lines = []
    for a in _open(attempt):
        line = BulkLine(attempt.pk, f"C-{attempt.submission_id}", _who(a.reviewer), True, "emailed a reminder")
        # The assignment row is locked (above), so two admins pressing at once cannot both pass this check.
        recent = AuditEvent.objects.filter(
            subject_type="assignment", subject_id=a.pk, action="assignment.reminded", at__gt=now - REMIND_EVERY
        ).exists()
        if recent:
            lines.append(_refused(line, "already reminded in the last 24 hours"))
            continue
        notification_send(
            user=a.reviewer,
            kind=NotificationKind.REVIEW_REMINDER,
            context={"credential": attempt.version.spec.title, "due_on": date_text(a.due_at)},
            url=links.assignment_path(a.pk),
        )
        audit_record(
            action="assignment.reminded",
            subject=a,
            actor=admin,
            data={"attempt": attempt.pk, "reviewer": a.reviewer_id},
            issuer_id=issuer_id_of(attempt),
            at=now,
        )
        lines.append(line)
    return lines


def _refused(line: BulkLine, why: str) -> BulkLine:
    return BulkLine(line.attempt_id, line.candidate, line.reviewer, False, why)


def _target(email: str | None) -> User:
    address = (email or "").strip()
    if not address:
        raise InvalidInput([FieldError("to_reviewer", "choose the reviewer who takes the reviews over")])
    found = User.objects.filter(email__iexact=address, is_active=True).first()
    if found is None:
        raise InvalidInput([FieldError("to_reviewer", "is not a reviewer here; choose one from the list")])
    return found


def bulk_run(
    *,
    admin: User,
    action: str,
    attempt_ids: Sequence[int],
    days: int | None = None,
    to_reviewer: str | None = None,
    reason: str = "",
    issuer_id: int | None = None,
    apply: bool,
) -> BulkReport:
    """Do `action` to the open reviews of the chosen attempts (apply=True), or say what it would do (False).
    `days` (1 to MAX_EXTEND_DAYS) is for extend; `to_reviewer` (an email address) and `reason` for reassign."""
    if action not in ACTIONS:
        raise InvalidInput([FieldError("action", "choose extend, reassign or remind")])
    attempts = bulk_attempts(user=admin, attempt_ids=attempt_ids, issuer_id=issuer_id)
    target = None
    text = ""
    if action == "extend" and (days is None or not 1 <= days <= MAX_EXTEND_DAYS):
        raise InvalidInput([FieldError("days", f"enter a number of days from 1 to {MAX_EXTEND_DAYS}")])
    if action == "reassign":
        target = _target(to_reviewer)
        text = reason_required(reason, what="say why the reviews are moved to someone else")
    now = timezone.now()
    report = BulkReport(action=action, applied=apply)
    with transaction.atomic():
        for attempt in attempts:
            _, locked = lock_attempt(attempt)
            if action == "extend":
                assert days is not None
                lines = _extend(admin, locked, days, now)
            elif action == "reassign":
                assert target is not None
                lines = _reassign(admin, locked, target, text)
            else:
                lines = _remind(admin, locked, now)
            if not lines:
                lines = [BulkLine(locked.pk, f"C-{locked.submission_id}", "", False, "has no open review")]
            report.lines.extend(lines)
        if not apply:
            transaction.set_rollback(True)
    return report
